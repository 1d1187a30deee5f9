/** Name of the file, inside the credentials folder, that holds the Google Drive OAuth token. */
export const GDRIVE_TOKEN_FILE = 'gdrive.json';

/** The only OAuth scope the target asks for: files this app created (it sees nothing else in Drive). */
export const DRIVE_FILE_SCOPE = 'https://www.googleapis.com/auth/drive.file';

/** Google's endpoints; every one can be overridden (tests point them at a local server). */
export const GOOGLE_ENDPOINTS = {
  /** Root of the Drive REST API (`drive/v3/...` and `upload/drive/v3/...` hang under it). */
  rootUrl: 'https://www.googleapis.com/',
  authorizationUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
  tokenUrl: 'https://oauth2.googleapis.com/token',
} as const;

/** MIME type Drive gives folders. */
export const FOLDER_MIME = 'application/vnd.google-apps.folder';

/** Largest file Drive stores (5 TiB). */
export const DRIVE_MAX_FILE_BYTES = 5 * 1024 ** 4;

/** Resumable uploads send chunks that are a multiple of this (256 KiB), except the last one. */
export const UPLOAD_CHUNK_UNIT = 256 * 1024;

/** Default size of one upload chunk: 8 MiB (what one upload holds in memory). */
export const DEFAULT_CHUNK_SIZE = 8 * 1024 * 1024;

/** Package tag at the start of every message. */
export const PKG = '[backup-gdrive]';
