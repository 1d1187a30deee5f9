import { createHash, randomUUID } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  createWriteStream,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  rmdirSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { mkdir, opendir, stat as statAsync } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { pipeline as pipelineCallback, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describeSystemError, isSatError, SatError, type SystemError } from '../errors.js';
import { fsyncDir } from '../log/atomic-file.js';
import { FileLock } from '../log/lock.js';
import { ChecksumStream, checksumOf } from './checksum-stream.js';
import { checksumMismatchError, notFoundError } from './storage-errors.js';
import { assertStorageKey, assertStoragePrefix } from './storage-keys.js';
import type {
  Checksums,
  PutOptions,
  PutResult,
  StorageCapabilities,
  StorageTarget,
  StoredObject,
} from './storage-target.js';

/** File-name ending of the JSON file kept beside each object with its size and checksums. */
export const LOCAL_SIDECAR_SUFFIX = '.sat.json';
/** Names starting with this are the local target's own temporary and lock files. */
export const LOCAL_RESERVED_PREFIX = '.sat-';

const NAME = 'local-target';

/** Options of {@link LocalDirectoryTarget}. */
export interface LocalDirectoryTargetOptions {
  /** The folder that holds the objects (a local folder, a mounted NAS share, a synced folder). */
  dir: string;
  /**
   * Create `dir` when it is missing. Only `dir` itself is created, never its parents, so a NAS
   * share that is not mounted is reported as unavailable instead of being replaced by a local
   * folder. Default true.
   */
  create?: boolean;
  /** fsync each object, its checksum file and their folder (survives power loss). Default true. */
  fsync?: boolean;
  /** How long to wait for another writer of the same key. Default 30,000 ms. */
  lockTimeoutMs?: number;
}

/** What the sidecar (`<file>.sat.json`) holds. */
interface Sidecar {
  format: 'sat-local/1';
  size: number;
  sha256: string;
  md5: string;
  modified: string;
  contentType?: string;
  metadata?: Record<string, string>;
}

const UNAVAILABLE = new Set([
  'EACCES',
  'EPERM',
  'EROFS',
  'EIO',
  'ENOTCONN',
  'ESTALE',
  'EHOSTDOWN',
  'EHOSTUNREACH',
  'ETIMEDOUT',
  'ENOSPC',
  'EDQUOT',
  'EBUSY',
  'EAGAIN',
  'EMFILE',
  'ENFILE',
  'ENODEV',
  'ENXIO',
  'ENOENT',
]);

function isReservedName(name: string): boolean {
  return name.startsWith(LOCAL_RESERVED_PREFIX) || name.endsWith(LOCAL_SIDECAR_SUFFIX);
}

function fsyncFile(path: string): void {
  const fd = openSync(path, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {}
}

/**
 * The default {@link StorageTarget}: a folder on this machine, a mounted NAS share or a folder a
 * sync client copies elsewhere. Each object is one file at its key's path; beside it
 * `<file>.sat.json` keeps its size, SHA-256 and MD5 (and content type and metadata).
 *
 * - **Atomic puts.** Bytes go to a temporary file in the same folder, which is fsynced, then
 *   renamed over the object, then the checksum file likewise, then the folder is fsynced. A
 *   failed or interrupted put leaves the previous object (or none), never a partial one.
 * - **Verified reads.** `get` hashes the bytes as they stream and fails the stream with
 *   `CHECKSUM_MISMATCH` before its end when they differ from the checksum file.
 * - **Unavailable, not recreated.** When the folder or its parent is missing (an unmounted share),
 *   unwritable or full, calls fail with `TARGET_UNAVAILABLE` (retryable).
 *
 * Names starting with `.sat-` or ending with `.sat.json` are the target's own and refused as
 * keys; an object and a folder of the same name (`a` and `a/b`) cannot both exist.
 *
 * @example
 * const target = new LocalDirectoryTarget({ dir: '/mnt/nas/sat-backups' });
 * await target.put('a/b.txt', Buffer.from('hi'));
 */
export class LocalDirectoryTarget implements StorageTarget {
  readonly name = 'local';
  readonly location: string;
  readonly capabilities: StorageCapabilities = {
    resumableUpload: false,
    serverSideChecksum: 'sha256',
    atomicPut: true,
    archiveTier: false,
    maxObjectSize: Number.POSITIVE_INFINITY,
    deleteMissing: 'ok',
    verifiesReads: true,
    metadata: true,
  };
  private readonly dir: string;
  private readonly create: boolean;
  private readonly fsync: boolean;
  private readonly lockTimeoutMs: number;

  /** A target on `options.dir` (resolved to an absolute path, which is also its `location`). */
  constructor(options: LocalDirectoryTargetOptions) {
    this.dir = resolve(options.dir);
    this.location = this.dir;
    this.create = options.create ?? true;
    this.fsync = options.fsync ?? true;
    this.lockTimeoutMs = options.lockTimeoutMs ?? 30_000;
  }

  /** The path of an object's file (its key checked first). */
  pathOf(key: string): string {
    this.checkKey(key);
    return join(this.dir, ...key.split('/'));
  }

  /** Stores `source` atomically (temporary file, fsync, rename), its checksums beside it. See {@link StorageTarget.put}. */
  async put(key: string, source: Readable | Buffer, options: PutOptions = {}): Promise<PutResult> {
    const file = this.pathOf(key);
    await this.ensureRoot('write');
    const folder = dirname(file);
    const tmp = join(folder, `${LOCAL_RESERVED_PREFIX}tmp-${randomUUID()}`);
    const sidecarTmp = `${tmp}${LOCAL_SIDECAR_SUFFIX}`;
    const tmpFd = await this.createTemp(folder, tmp, key);
    const digest = new ChecksumStream({ onProgress: options.onProgress });
    let writeError: unknown;
    let streamed = false;
    try {
      const sink = createWriteStream('', { fd: tmpFd });
      sink.on('error', (error) => {
        writeError = error;
      });
      await pipeline(Buffer.isBuffer(source) ? Readable.from([source]) : source, digest, sink);
      streamed = true;
      if (this.fsync) fsyncFile(tmp);
      const { size, checksum } = digest.result();
      if (options.expectedSha256 !== undefined && options.expectedSha256 !== checksum.sha256) {
        throw checksumMismatchError(
          NAME,
          `the upload of ${key}`,
          { sha256: options.expectedSha256 },
          { sha256: checksum.sha256, size },
          'the source changed while it was read; nothing was stored',
        );
      }
      const sidecar: Sidecar = {
        format: 'sat-local/1',
        size,
        sha256: checksum.sha256,
        md5: checksum.md5,
        modified: new Date().toISOString(),
        ...(options.contentType ? { contentType: options.contentType } : {}),
        ...(options.metadata ? { metadata: { ...options.metadata } } : {}),
      };
      const fd = openSync(sidecarTmp, 'wx', 0o644);
      try {
        const text = Buffer.from(`${JSON.stringify(sidecar, null, 2)}\n`);
        let written = 0;
        while (written < text.length) written += writeSync(fd, text, written);
        if (this.fsync) fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      // The object first, then its checksum file: an interruption between the two leaves a
      // checksum file that no longer matches, which get() reports and the next put() repairs.
      await this.lockOf(file).withLock(() => {
        renameSync(tmp, file);
        renameSync(sidecarTmp, `${file}${LOCAL_SIDECAR_SUFFIX}`);
      });
      if (this.fsync) fsyncDir(folder);
      return { key, size, checksum };
    } catch (error) {
      removeQuietly(tmp);
      removeQuietly(sidecarTmp);
      if (isSatError(error)) throw error;
      if (writeError !== undefined || streamed) {
        throw this.fsError(writeError ?? error, `write ${key}`, key);
      }
      throw error; // the source failed: its own error, nothing stored
    }
  }

  /** Streams the object, failing the stream with `CHECKSUM_MISMATCH` before its end if its bytes changed. See {@link StorageTarget.get}. */
  async get(key: string): Promise<Readable> {
    const file = this.pathOf(key);
    await this.ensureRoot('read');
    let fd: number | undefined;
    let sidecar: Sidecar | undefined;
    try {
      await this.lockOf(file).withLock(() => {
        if (!statSync(file, { throwIfNoEntry: false })?.isFile()) return;
        fd = openSync(file, 'r');
        sidecar = this.readSidecar(file);
      });
    } catch (error) {
      if (fd !== undefined) closeSync(fd);
      if ((error as SystemError).code === 'ENOENT') throw notFoundError(NAME, key, this.dir);
      throw this.fsError(error, `read ${key}`, key);
    }
    if (fd === undefined) throw notFoundError(NAME, key, this.dir);
    const expected = sidecar;
    const verify = new ChecksumStream({
      check: (actual) =>
        expected && (expected.sha256 !== actual.checksum.sha256 || expected.size !== actual.size)
          ? checksumMismatchError(
              NAME,
              `${key} in ${this.dir}`,
              { sha256: expected.sha256, size: expected.size },
              { sha256: actual.checksum.sha256, size: actual.size },
              'its bytes differ from the checksum recorded when it was written; use another copy',
            )
          : undefined,
    });
    const bytes = createReadStream('', { fd: fd!, highWaterMark: 256 * 1024 });
    pipelineCallback(bytes, verify, () => {});
    return verify;
  }

  /** Size, checksums (from the checksum file) and time of an object. See {@link StorageTarget.stat}. */
  async stat(key: string): Promise<StoredObject | undefined> {
    const file = this.pathOf(key);
    if (!(await this.ensureRoot('read'))) return undefined;
    let info: { size: number; mtime: Date } | undefined;
    let sidecar: Sidecar | undefined;
    try {
      await this.lockOf(file).withLock(() => {
        const found = statSync(file, { throwIfNoEntry: false });
        if (!found?.isFile()) return;
        info = found;
        sidecar = this.readSidecar(file);
      });
    } catch (error) {
      throw this.fsError(error, `read ${key}`, key);
    }
    if (!info) return undefined;
    return this.describe(key, file, info, sidecar);
  }

  /** Every object whose key starts with `prefix`, walking only the folders that can hold one. See {@link StorageTarget.list}. */
  async *list(prefix: string): AsyncIterable<StoredObject> {
    assertStoragePrefix(prefix, NAME);
    if (!(await this.ensureRoot('read'))) return;
    const slash = prefix.lastIndexOf('/');
    const base = slash === -1 ? '' : prefix.slice(0, slash);
    const start = base === '' ? this.dir : join(this.dir, ...base.split('/'));
    const found = await statAsync(start).catch(() => undefined);
    if (!found?.isDirectory()) return;
    yield* this.walk(start, base, prefix);
  }

  /** Removes an object and its checksum file (nothing for a missing key), then folders left empty. See {@link StorageTarget.delete}. */
  async delete(key: string): Promise<void> {
    const file = this.pathOf(key);
    if (!(await this.ensureRoot('write'))) return;
    try {
      await this.lockOf(file).withLock(() => {
        if (statSync(file, { throwIfNoEntry: false })?.isDirectory()) return;
        removeQuietly(file);
        removeQuietly(`${file}${LOCAL_SIDECAR_SUFFIX}`);
      });
    } catch (error) {
      if ((error as SystemError).code === 'ENOENT') return;
      throw this.fsError(error, `delete ${key}`, key);
    }
    if (this.fsync) fsyncDir(dirname(file));
    this.pruneEmptyFolders(dirname(file));
  }

  /** Creates the folder (again, if a delete just pruned it) and the temporary file; returns its fd. */
  private async createTemp(folder: string, tmp: string, key: string): Promise<number> {
    for (let attempt = 0; ; attempt++) {
      try {
        await mkdir(folder, { recursive: true });
        return openSync(tmp, 'wx', 0o644);
      } catch (error) {
        if ((error as SystemError).code === 'ENOENT' && attempt < 3) continue;
        throw this.fsError(error, `write ${key}`, key);
      }
    }
  }

  private checkKey(key: string): void {
    assertStorageKey(key, NAME);
    const reserved = key.split('/').find(isReservedName);
    if (reserved !== undefined) {
      throw new SatError(
        'INVALID_KEY',
        `[${NAME}] invalid key ${JSON.stringify(key)}: names starting with '${LOCAL_RESERVED_PREFIX}' or ending with '${LOCAL_SIDECAR_SUFFIX}' are kept for the target's own files`,
        { details: { key, retryable: false } },
      );
    }
  }

  /**
   * Checks the root folder. Returns false when it does not exist yet but may be created (an empty
   * target); creates it for a write; throws TARGET_UNAVAILABLE when it cannot be used.
   */
  private async ensureRoot(purpose: 'read' | 'write'): Promise<boolean> {
    const found = statSync(this.dir, { throwIfNoEntry: false });
    if (found?.isDirectory()) return true;
    if (found) throw this.unavailable(`${this.dir} is not a folder`);
    const parentExists = statSync(dirname(this.dir), { throwIfNoEntry: false })?.isDirectory();
    if (!this.create || !parentExists) {
      throw this.unavailable(
        `folder ${this.dir} does not exist${parentExists ? '' : ' and neither does its parent'} (is the drive mounted? create the folder, then retry)`,
      );
    }
    if (purpose === 'read') return false;
    try {
      await mkdir(this.dir);
    } catch (error) {
      if ((error as SystemError).code !== 'EEXIST') throw this.fsError(error, `create ${this.dir}`);
    }
    return true;
  }

  private unavailable(reason: string, cause?: unknown): SatError {
    return new SatError('TARGET_UNAVAILABLE', `[${NAME}] backup folder unavailable: ${reason}`, {
      cause,
      details: { target: this.name, location: this.location, retryable: true },
    });
  }

  private fsError(error: unknown, action: string, key?: string): SatError {
    if (isSatError(error)) return error;
    const code = (error as SystemError).code ?? '';
    const what = `cannot ${action} in ${this.dir}: ${describeSystemError(error)}`;
    if (code === 'ENAMETOOLONG') {
      return new SatError('INVALID_KEY', `[${NAME}] invalid key ${JSON.stringify(key)}: a name is too long`, {
        cause: error,
        details: { key, retryable: false },
      });
    }
    if (UNAVAILABLE.has(code)) return this.unavailable(what, error);
    const conflict = code === 'ENOTDIR' || code === 'EEXIST' || code === 'EISDIR';
    return new SatError(
      'TARGET_ERROR',
      `[${NAME}] ${what}${conflict ? ' (an object and a folder cannot have the same name here)' : ''}`,
      { cause: error, details: { key, target: this.name, location: this.location, retryable: false } },
    );
  }

  private lockOf(file: string): FileLock {
    const name = createHash('sha1').update(file).digest('hex').slice(0, 20);
    return new FileLock(join(dirname(file), `${LOCAL_RESERVED_PREFIX}lock-${name}`), {
      timeoutMs: this.lockTimeoutMs,
    });
  }

  private readSidecar(file: string): Sidecar | undefined {
    let text: string;
    try {
      text = readFileSync(`${file}${LOCAL_SIDECAR_SUFFIX}`, 'utf8');
    } catch (error) {
      if ((error as SystemError).code === 'ENOENT') return undefined;
      throw error;
    }
    try {
      const value = JSON.parse(text) as Sidecar;
      if (typeof value.sha256 === 'string' && typeof value.md5 === 'string' && typeof value.size === 'number')
        return value;
    } catch {}
    // An unreadable checksum file: the object cannot be verified, so it is reported as damaged.
    return { format: 'sat-local/1', size: -1, sha256: 'unreadable', md5: 'unreadable', modified: '' };
  }

  /** An object's description; without a checksum file (a file copied in by hand) its checksums are computed. */
  private async describe(
    key: string,
    file: string,
    info: { size: number; mtime: Date },
    sidecar: Sidecar | undefined,
  ): Promise<StoredObject> {
    let checksum: Checksums;
    if (sidecar) checksum = { sha256: sidecar.sha256, md5: sidecar.md5 };
    else checksum = (await checksumOf(createReadStream(file))).checksum;
    return {
      key,
      size: info.size,
      checksum,
      modified: sidecar?.modified ? new Date(sidecar.modified) : info.mtime,
      ...(sidecar?.contentType ? { contentType: sidecar.contentType } : {}),
      ...(sidecar?.metadata ? { metadata: sidecar.metadata } : {}),
    };
  }

  private async *walk(folder: string, base: string, prefix: string): AsyncGenerator<StoredObject> {
    let entries: string[] = [];
    try {
      const handle = await opendir(folder);
      for await (const entry of handle) entries.push(entry.name);
    } catch (error) {
      if ((error as SystemError).code === 'ENOENT') return;
      throw this.fsError(error, `list ${base || '/'}`);
    }
    entries = entries.filter((name) => !isReservedName(name)).sort();
    for (const name of entries) {
      const key = base === '' ? name : `${base}/${name}`;
      const path = join(folder, name);
      const info = await statAsync(path).catch(() => undefined);
      if (!info) continue;
      if (info.isDirectory()) {
        if (`${key}/`.startsWith(prefix) || prefix.startsWith(`${key}/`)) yield* this.walk(path, key, prefix);
      } else if (info.isFile() && key.startsWith(prefix)) {
        let sidecar = this.readSidecar(path);
        if (sidecar && sidecar.size !== info.size) {
          // Read while a put replaced it: read both again under the key's lock.
          await this.lockOf(path).withLock(() => {
            sidecar = this.readSidecar(path);
          });
        }
        const now = statSync(path, { throwIfNoEntry: false });
        if (now) yield await this.describe(key, path, now, sidecar);
      }
    }
  }

  private pruneEmptyFolders(folder: string): void {
    let current = folder;
    while (current.startsWith(this.dir + sep) && current !== this.dir) {
      try {
        rmdirSync(current);
      } catch {
        return;
      }
      current = dirname(current);
    }
  }
}
