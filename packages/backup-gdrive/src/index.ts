/**
 * `@sat/backup-gdrive`: a `StorageTarget` on Google Drive (API v3, scope `drive.file`), with the
 * OAuth desktop setup (loopback + PKCE) that stores its token.
 *
 * @module @sat/backup-gdrive
 */
export {
  type CreateGoogleDriveTargetOptions,
  createGoogleDriveTarget,
} from './create-google-drive-target.js';
export { driveFileId } from './drive-link.js';
export { DRIVE_FILE_SCOPE, GDRIVE_TOKEN_FILE, GOOGLE_ENDPOINTS } from './gdrive-constants.js';
export {
  type DriveGrant,
  type DriveShared,
  GoogleDriveTarget,
  type GoogleDriveTargetOptions,
} from './google-drive-target.js';
export type { RetryOptions } from './retry-policy.js';
export {
  type GoogleDriveSetupOptions,
  type GoogleDriveSetupResult,
  setupGoogleDrive,
} from './setup-google-drive.js';
export { GDRIVE_SETUP_STEPS } from './setup-steps.js';
export type { StoredGoogleToken } from './token-file.js';
