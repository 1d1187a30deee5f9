import type { Readable } from 'node:stream';
import { drive, type drive_v3 } from '@googleapis/drive';
import {
  assertStorageKey,
  assertStoragePrefix,
  ChecksumStream,
  type Checksums,
  type PutOptions,
  type PutResult,
  SatError,
  type StorageCapabilities,
  type StorageTarget,
  type StoredObject,
  storageKeyProblem,
} from '@sat/core';
import type { OAuth2Client } from 'google-auth-library';
import {
  decodeAppProperties,
  encodeAppProperties,
  KEY_HASH_PROPERTY,
  keyHash,
  queryString,
  SHA256_PROPERTY,
} from './app-properties.js';
import {
  DEFAULT_CHUNK_SIZE,
  DRIVE_MAX_FILE_BYTES,
  FOLDER_MIME,
  GOOGLE_ENDPOINTS,
  PKG,
  UPLOAD_CHUNK_UNIT,
} from './gdrive-constants.js';
import { toSatError } from './gdrive-errors.js';
import { resumableUpload, type UploadedFile } from './resumable-upload.js';
import { type RetryOptions, RetryPolicy } from './retry-policy.js';

const NAME = 'backup-gdrive';
const FILE_FIELDS = 'id,name,mimeType,size,md5Checksum,sha256Checksum,modifiedTime,createdTime,appProperties';
const EMPTY_MD5 = 'd41d8cd98f00b204e9800998ecf8427e';
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** Options of {@link GoogleDriveTarget}. */
export interface GoogleDriveTargetOptions {
  /** An authorised OAuth client (see `createGoogleDriveTarget`, which builds it from the stored token). */
  auth: OAuth2Client;
  /**
   * Folder path under My Drive that holds the keys (`Backups/sat`); created when missing.
   * Default: none, so keys start at My Drive (`SubAgentTracking/Phase_0/...`).
   */
  folder?: string;
  /** Root URL of the Drive API. Default `https://www.googleapis.com/` (tests point it at a local server). */
  rootUrl?: string;
  /** Bytes per upload chunk, a multiple of 256 KiB; one upload holds about two chunks in memory. Default 8 MiB. */
  chunkSize?: number;
  /** Files asked per `files.list` page (1-1000). Default 1000. */
  pageSize?: number;
  /** Retry of 429, 5xx, 403 rate limits and dropped connections (exponential backoff with jitter). */
  retry?: RetryOptions;
  /** The token file, named in errors about the credentials. */
  credentialsFile?: string;
}

type DriveFile = drive_v3.Schema$File;

/** Who {@link GoogleDriveTarget.share} lets read a file: one person, or anyone with the link. */
export type DriveGrant = { email: string } | { anyone: true };

/** What {@link GoogleDriveTarget.share} did. */
export interface DriveShared {
  fileId: string;
  /** The link that opens the file in Drive (`webViewLink`). */
  link: string;
  permission: { id: string; type: string; role: string; emailAddress?: string };
}

/** Normalises the `folder` option: no leading or trailing `/`, valid segments. */
function normaliseFolder(folder: string | undefined): string {
  const trimmed = (folder ?? '').replace(/^\/+|\/+$/g, '');
  if (trimmed === '') return '';
  const problem = storageKeyProblem(trimmed);
  if (problem) {
    throw new SatError(
      'INVALID_CONFIG',
      `${PKG} invalid Google Drive folder ${JSON.stringify(folder)}: ${problem}`,
      {
        details: { folder, retryable: false },
      },
    );
  }
  return trimmed;
}

/**
 * A {@link StorageTarget} on Google Drive (API v3, scope `drive.file`). Keys become folders and a
 * file, so a person browsing Drive sees `SubAgentTracking/Phase_0/sessions/<id>/bundle.tar.gz`;
 * each file also carries its full key, a hash of it and the SHA-256 computed at upload in its
 * private `appProperties`, which makes stat one exact query and list exact.
 *
 * - **Streamed, resumable puts.** Drive's resumable protocol in chunks (8 MiB by default): memory
 *   stays at about two chunks, and a dropped connection or a 5xx resumes from the last byte Drive
 *   committed. A put to an existing key adds a new revision of the same file (atomic: it appears
 *   when the upload completes). Drive's `md5Checksum` (and `sha256Checksum`) are checked against
 *   the bytes sent; a file that differs is removed and `CHECKSUM_MISMATCH` thrown.
 * - **Verified reads.** `get` hashes the bytes as they stream and fails the stream with
 *   `CHECKSUM_MISMATCH` when they differ from the recorded checksums.
 * - **Retries.** 429, 5xx, 403 rate limits and resets are retried with exponential backoff and
 *   jitter, honouring `Retry-After`; then `TARGET_UNAVAILABLE` (retryable). Refused credentials
 *   are `TARGET_ERROR` with the fix.
 *
 * Puts of one key are serialised within a process; two processes writing the same new key at the
 * same moment may leave two files, of which stat, get and list use the newest.
 *
 * @example
 * const target = await createGoogleDriveTarget({ credentialsDir: '.claude/credentials' });
 * await target.put('SubAgentTracking/notes.txt', Buffer.from('hi'));
 */
export class GoogleDriveTarget implements StorageTarget {
  readonly name = 'gdrive';
  readonly location: string;
  readonly capabilities: StorageCapabilities = {
    resumableUpload: true,
    serverSideChecksum: 'md5',
    atomicPut: true,
    archiveTier: false,
    maxObjectSize: DRIVE_MAX_FILE_BYTES,
    deleteMissing: 'ok',
    verifiesReads: true,
    metadata: true,
  };
  private readonly auth: OAuth2Client;
  private readonly drive: drive_v3.Drive;
  private readonly root: string;
  private readonly rootUrl: string;
  private readonly chunkSize: number;
  private readonly pageSize: number;
  private readonly policy: RetryPolicy;
  private readonly credentialsFile?: string;
  private readonly folders = new Map<string, Promise<string>>();
  private readonly locks = new Map<string, Promise<void>>();

  /** A target writing through `options.auth` under `options.folder` (My Drive by default). */
  constructor(options: GoogleDriveTargetOptions) {
    this.root = normaliseFolder(options.folder);
    this.location = `gdrive:My Drive${this.root ? `/${this.root}` : ''}`;
    this.rootUrl = (options.rootUrl ?? GOOGLE_ENDPOINTS.rootUrl).replace(/\/*$/, '/');
    this.chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
    if (
      !Number.isInteger(this.chunkSize) ||
      this.chunkSize <= 0 ||
      this.chunkSize % UPLOAD_CHUNK_UNIT !== 0
    ) {
      throw new SatError(
        'INVALID_CONFIG',
        `${PKG} chunkSize ${options.chunkSize} is not a positive multiple of 256 KiB (${UPLOAD_CHUNK_UNIT} bytes)`,
        { details: { chunkSize: options.chunkSize, retryable: false } },
      );
    }
    this.pageSize = Math.min(1000, Math.max(1, options.pageSize ?? 1000));
    this.policy = new RetryPolicy(options.retry);
    this.credentialsFile = options.credentialsFile;
    this.auth = options.auth;
    this.drive = drive({
      version: 'v3',
      // googleapis-common types its own copy of google-auth-library; the client is used through request() only.
      auth: options.auth as unknown as drive_v3.Options['auth'],
      rootUrl: this.rootUrl,
      retryConfig: this.policy.gaxiosConfig() as unknown as drive_v3.Options['retryConfig'],
    });
  }

  /** Streams `source` to Drive with a resumable upload, creating or updating the key's file. See {@link StorageTarget.put}. */
  async put(key: string, source: Readable | Buffer, options: PutOptions = {}): Promise<PutResult> {
    assertStorageKey(key, NAME);
    return this.withLock(key, async () => {
      const existing = await this.find(key);
      const contentType = options.contentType ?? 'application/octet-stream';
      const appProperties = encodeAppProperties({
        root: this.root,
        key,
        sha256: options.expectedSha256,
        metadata: options.metadata,
        previous: existing?.appProperties ?? undefined,
      });
      const fields = `fields=${encodeURIComponent(FILE_FIELDS)}`;
      let url: string;
      let metadata: Record<string, unknown>;
      if (existing?.id) {
        url = `${this.rootUrl}upload/drive/v3/files/${encodeURIComponent(existing.id)}?uploadType=resumable&${fields}`;
        metadata = { mimeType: contentType, appProperties };
      } else {
        const segments = key.split('/');
        const name = segments.pop()!;
        const parent = await this.folderId(segments, true);
        url = `${this.rootUrl}upload/drive/v3/files?uploadType=resumable&${fields}`;
        metadata = { name, parents: [parent], mimeType: contentType, appProperties };
      }
      const outcome = await resumableUpload({
        auth: this.auth,
        policy: this.policy,
        url,
        method: existing?.id ? 'PATCH' : 'POST',
        metadata,
        contentType,
        source,
        chunkSize: this.chunkSize,
        onProgress: options.onProgress,
        check: ({ size, checksum }) =>
          options.expectedSha256 !== undefined && options.expectedSha256 !== checksum.sha256
            ? this.mismatch(
                `the upload of ${key}`,
                { sha256: options.expectedSha256 },
                { size, checksum },
                'the source changed while it was read; nothing was stored',
              )
            : undefined,
        fail: (error, action) => this.fail(error, `${action} ${key}`, key),
        recover: async ({ size, checksum }) => {
          const found = await this.find(key);
          return found && Number(found.size ?? 0) === size && found.md5Checksum === checksum.md5
            ? (found as UploadedFile)
            : undefined;
        },
      });
      const { file, size, checksum } = outcome;
      const stored = {
        size: Number(file.size ?? size),
        md5: file.md5Checksum ?? (size === 0 ? EMPTY_MD5 : undefined),
      };
      const serverSha = file.sha256Checksum ?? undefined;
      if (
        stored.size !== size ||
        (stored.md5 !== undefined && stored.md5 !== checksum.md5) ||
        (serverSha !== undefined && serverSha !== checksum.sha256)
      ) {
        if (file.id) await this.deleteById(file.id, key).catch(() => undefined);
        throw this.mismatch(
          `${key} as Google Drive stored it`,
          { size, md5: checksum.md5, sha256: serverSha === undefined ? undefined : checksum.sha256 },
          { size: stored.size, checksum: { md5: stored.md5 ?? '', sha256: serverSha ?? checksum.sha256 } },
          'the bytes were damaged on the way; the bad file was removed, retry the upload',
        );
      }
      if (options.expectedSha256 === undefined && file.id) {
        await this.call(`record the checksum of ${key}`, key, () =>
          this.drive.files.update({
            fileId: file.id!,
            requestBody: { appProperties: { [SHA256_PROPERTY]: checksum.sha256 } },
            fields: 'id',
          }),
        );
      }
      return { key, size, checksum };
    });
  }

  /** Streams the file's bytes, failing the stream with `CHECKSUM_MISMATCH` when they differ from the recorded checksums. See {@link StorageTarget.get}. */
  async get(key: string): Promise<Readable> {
    assertStorageKey(key, NAME);
    const file = await this.find(key);
    if (!file?.id) throw this.notFound(key);
    const expected = this.describe(key, file);
    const res = await this.call(`read ${key}`, key, () =>
      this.drive.files.get({ fileId: file.id!, alt: 'media' }, { responseType: 'stream' }),
    );
    const body = res.data as unknown as Readable;
    const verify = new ChecksumStream({
      check: (actual) =>
        actual.size !== expected.size ||
        actual.checksum.md5 !== expected.checksum.md5 ||
        (expected.checksum.sha256 !== '' && actual.checksum.sha256 !== expected.checksum.sha256)
          ? this.mismatch(
              `${key} in ${this.location}`,
              { size: expected.size, md5: expected.checksum.md5, sha256: expected.checksum.sha256 },
              actual,
              'its bytes differ from the checksums recorded at upload; use another copy',
            )
          : undefined,
    });
    body.on('error', (error) => verify.destroy(this.fail(error, `read ${key}`, key)));
    body.pipe(verify);
    return verify;
  }

  /**
   * Lets someone else read the key's file: `{ email }` (a named reader; Drive notifies them) or
   * `{ anyone: true }` (anyone with the link). Returns the file's id, its `webViewLink` and the
   * permission Drive created (the same one again when it already existed). `NOT_FOUND` when the
   * key has no file.
   *
   * @example
   * const { link } = await target.share('Shared/b1f2.sat.tgz', { email: 'ana@example.com' });
   */
  async share(key: string, grant: DriveGrant): Promise<DriveShared> {
    assertStorageKey(key, NAME);
    const file = await this.find(key);
    if (!file?.id) throw this.notFound(key);
    const fileId = file.id;
    const requestBody =
      'email' in grant
        ? { role: 'reader', type: 'user', emailAddress: grant.email }
        : { role: 'reader', type: 'anyone', allowFileDiscovery: false };
    const permission = await this.call(`share ${key}`, key, () =>
      this.drive.permissions.create({
        fileId,
        requestBody,
        fields: 'id,type,role,emailAddress',
        ...('email' in grant ? { sendNotificationEmail: true } : {}),
      }),
    );
    const meta = await this.call(`read the link of ${key}`, key, () =>
      this.drive.files.get({ fileId, fields: 'id,webViewLink' }),
    );
    if (!meta.data.webViewLink)
      throw new SatError('TARGET_ERROR', `${PKG} Drive gave no webViewLink for ${key} (file ${fileId})`);
    return {
      fileId,
      link: meta.data.webViewLink,
      permission: {
        id: permission.data.id ?? '',
        type: permission.data.type ?? requestBody.type,
        role: permission.data.role ?? 'reader',
        ...(permission.data.emailAddress ? { emailAddress: permission.data.emailAddress } : {}),
      },
    };
  }

  /**
   * Streams the bytes of the Drive file `fileId` (one shared with this account, say), checking
   * them against the size and MD5 Drive records. Returns the stream with the file's name and size.
   *
   * @example
   * const { stream, name } = await target.download('1AbC…xyz');
   */
  async download(fileId: string): Promise<{ stream: Readable; name: string; size: number }> {
    const what = `Drive file ${fileId}`;
    const meta = await this.call(`look up ${what}`, undefined, () =>
      this.drive.files.get({ fileId, fields: 'id,name,size,md5Checksum,mimeType' }),
    );
    const size = Number(meta.data.size ?? 0);
    const md5 = meta.data.md5Checksum ?? (size === 0 ? EMPTY_MD5 : '');
    const res = await this.call(`read ${what}`, undefined, () =>
      this.drive.files.get({ fileId, alt: 'media' }, { responseType: 'stream' }),
    );
    const body = res.data as unknown as Readable;
    const verify = new ChecksumStream({
      check: (actual) =>
        actual.size !== size || (md5 !== '' && actual.checksum.md5 !== md5)
          ? this.mismatch(
              what,
              { size, md5 },
              actual,
              'it changed or was damaged on the way; download it again',
            )
          : undefined,
    });
    body.on('error', (error) => verify.destroy(this.fail(error, `read ${what}`)));
    body.pipe(verify);
    return { stream: verify, name: meta.data.name ?? fileId, size };
  }

  /** Size, checksums, time, content type and metadata of the key's file, from one exact query. See {@link StorageTarget.stat}. */
  async stat(key: string): Promise<StoredObject | undefined> {
    assertStorageKey(key, NAME);
    const file = await this.find(key);
    return file ? this.describe(key, file) : undefined;
  }

  /** Walks only the folders that can hold a key starting with `prefix`, page by page. See {@link StorageTarget.list}. */
  async *list(prefix: string): AsyncIterable<StoredObject> {
    assertStoragePrefix(prefix, NAME);
    const slash = prefix.lastIndexOf('/');
    const base = slash === -1 ? '' : prefix.slice(0, slash);
    const start = await this.folderId(base === '' ? [] : base.split('/'), false);
    if (!start) return;
    const seen = new Set<string>();
    const queue: Array<{ id: string; path: string }> = [{ id: start, path: base }];
    while (queue.length > 0) {
      const folder = queue.shift()!;
      for await (const file of this.children(folder.id)) {
        if (file.mimeType === FOLDER_MIME) {
          const path = folder.path === '' ? file.name! : `${folder.path}/${file.name}`;
          if (`${path}/`.startsWith(prefix) || prefix.startsWith(`${path}/`))
            queue.push({ id: file.id!, path });
          continue;
        }
        const { key } = decodeAppProperties(file.appProperties);
        if (key === undefined || !key.startsWith(prefix) || seen.has(key)) continue;
        if (file.appProperties?.[KEY_HASH_PROPERTY] !== keyHash(this.root, key)) continue;
        seen.add(key);
        yield this.describe(key, file);
      }
    }
  }

  /** Removes the key's file (permanently, not to the trash); a missing key is fine. See {@link StorageTarget.delete}. */
  async delete(key: string): Promise<void> {
    assertStorageKey(key, NAME);
    await this.withLock(key, async () => {
      const file = await this.find(key);
      if (file?.id) await this.deleteById(file.id, key);
    });
  }

  private async deleteById(fileId: string, key: string): Promise<void> {
    try {
      await this.call(`delete ${key}`, key, () => this.drive.files.delete({ fileId }));
    } catch (error) {
      if (!(error instanceof SatError && error.code === 'NOT_FOUND')) throw error;
    }
  }

  /** The newest untrashed file holding `key`, found by the hash in its appProperties. */
  private async find(key: string): Promise<DriveFile | undefined> {
    const q = `appProperties has { key=${queryString(KEY_HASH_PROPERTY)} and value=${queryString(keyHash(this.root, key))} } and trashed = false`;
    const res = await this.call(`look up ${key}`, key, () =>
      this.drive.files.list({ q, fields: `files(${FILE_FIELDS})`, pageSize: 100, spaces: 'drive' }),
    );
    const files = (res.data.files ?? []).filter(
      (file) => file.mimeType !== FOLDER_MIME && decodeAppProperties(file.appProperties).key === key,
    );
    files.sort((a, b) => Date.parse(b.modifiedTime ?? '') - Date.parse(a.modifiedTime ?? ''));
    return files[0];
  }

  private describe(key: string, file: DriveFile): StoredObject {
    const { sha256, metadata } = decodeAppProperties(file.appProperties);
    const size = Number(file.size ?? 0);
    const checksum: Checksums = {
      sha256: sha256 ?? file.sha256Checksum ?? (size === 0 ? EMPTY_SHA256 : ''),
      md5: file.md5Checksum ?? (size === 0 ? EMPTY_MD5 : ''),
    };
    return {
      key,
      size,
      checksum,
      modified: new Date(file.modifiedTime ?? 0),
      ...(file.mimeType ? { contentType: file.mimeType } : {}),
      metadata,
    };
  }

  /** Every untrashed child of a folder, following `nextPageToken`. */
  private async *children(folderId: string): AsyncGenerator<DriveFile> {
    let pageToken: string | undefined;
    do {
      const res = await this.call('list a folder', undefined, () =>
        this.drive.files.list({
          q: `${queryString(folderId)} in parents and trashed = false`,
          fields: `nextPageToken,files(${FILE_FIELDS})`,
          pageSize: this.pageSize,
          spaces: 'drive',
          ...(pageToken ? { pageToken } : {}),
        }),
      );
      yield* res.data.files ?? [];
      pageToken = res.data.nextPageToken ?? undefined;
    } while (pageToken);
  }

  /**
   * The id of the folder at `segments` (below the configured root), found or (with `create`)
   * created level by level; answers are cached, and concurrent callers share one lookup.
   */
  private async folderId(segments: string[], create: boolean): Promise<string | undefined> {
    const all = [...(this.root === '' ? [] : this.root.split('/')), ...segments];
    let parent = 'root';
    for (let depth = 1; depth <= all.length; depth++) {
      const path = all.slice(0, depth).join('/');
      const name = all[depth - 1]!;
      let pending = this.folders.get(path);
      if (!pending) {
        const parentId = parent;
        if (!create) {
          const found = await this.findFolder(parentId, name);
          if (!found) return undefined;
          if (!this.folders.has(path)) this.folders.set(path, Promise.resolve(found));
          parent = found;
          continue;
        }
        const created = (async () =>
          (await this.findFolder(parentId, name)) ?? this.createFolder(parentId, name))();
        this.folders.set(path, created);
        created.catch(() => {
          if (this.folders.get(path) === created) this.folders.delete(path);
        });
        pending = created;
      }
      parent = await pending;
    }
    return parent;
  }

  private async findFolder(parentId: string, name: string): Promise<string | undefined> {
    const q = `name = ${queryString(name)} and ${queryString(parentId)} in parents and mimeType = ${queryString(FOLDER_MIME)} and trashed = false`;
    const res = await this.call(`look up folder ${name}`, undefined, () =>
      this.drive.files.list({ q, fields: 'files(id,createdTime)', pageSize: 100, spaces: 'drive' }),
    );
    const folders = [...(res.data.files ?? [])].sort(
      (a, b) => Date.parse(a.createdTime ?? '') - Date.parse(b.createdTime ?? '') || (a.id! < b.id! ? -1 : 1),
    );
    return folders[0]?.id ?? undefined;
  }

  private async createFolder(parentId: string, name: string): Promise<string> {
    const res = await this.call(`create folder ${name}`, undefined, () =>
      this.drive.files.create({
        requestBody: { name, mimeType: FOLDER_MIME, parents: [parentId] },
        fields: 'id',
      }),
    );
    if (!res.data.id) throw new SatError('TARGET_ERROR', `${PKG} Drive created folder ${name} without an id`);
    return res.data.id;
  }

  /** Runs `fn` after every earlier put or delete of `key` in this process. */
  private async withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(key) ?? Promise.resolve();
    const run = previous.then(fn);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.locks.set(key, tail);
    try {
      return await run;
    } finally {
      if (this.locks.get(key) === tail) this.locks.delete(key);
    }
  }

  private async call<T>(action: string, key: string | undefined, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw this.fail(error, action, key);
    }
  }

  private fail(error: unknown, action: string, key?: string): SatError {
    return toSatError(error, action, { key, location: this.location, credentialsFile: this.credentialsFile });
  }

  private notFound(key: string): SatError {
    return new SatError('NOT_FOUND', `[${NAME}] no object ${key} in ${this.location}`, {
      details: { key, retryable: false },
    });
  }

  private mismatch(
    what: string,
    expected: { size?: number; md5?: string; sha256?: string },
    actual: { size: number; checksum: Checksums },
    fix: string,
  ): SatError {
    const parts: string[] = [];
    if (expected.size !== undefined && expected.size !== actual.size)
      parts.push(`${actual.size} bytes, expected ${expected.size}`);
    if (expected.sha256 && expected.sha256 !== actual.checksum.sha256)
      parts.push(`sha256 ${actual.checksum.sha256.slice(0, 16)}…, expected ${expected.sha256.slice(0, 16)}…`);
    if (expected.md5 && expected.md5 !== actual.checksum.md5)
      parts.push(`md5 ${actual.checksum.md5}, expected ${expected.md5}`);
    return new SatError('CHECKSUM_MISMATCH', `[${NAME}] ${what} is damaged: ${parts.join(', ')} (${fix})`, {
      details: { expected, actual: { size: actual.size, ...actual.checksum }, retryable: false },
    });
  }
}
