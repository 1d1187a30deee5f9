import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describeSystemError, SatError } from '../errors.js';
import { gitBlobHash } from '../git-hash.js';
import { assertSessionId } from '../ids.js';
import { writeFileAtomic } from '../log/atomic-file.js';
import type { SessionState } from '../session-state/session-state.js';
import type { Snapshot, SnapshotFile, SnapshotIssue, SnapshotMeta } from './snapshot-types.js';

/** The `format` field of every snapshot file. */
export const SNAPSHOT_FORMAT = 'sat-snapshot';
/** Version of the snapshot file layout. */
export const SNAPSHOT_FORMAT_VERSION = 1;
/** The per-session index: one JSON line per snapshot, appended and fsynced after the snapshot file. */
export const SNAPSHOT_INDEX = 'index.jsonl';
const SNAPSHOT_EXT = '.json.gz';

/** What a snapshot file holds (gzip-compressed JSON). */
export interface SnapshotBody {
  format: typeof SNAPSHOT_FORMAT;
  v: number;
  meta: Omit<SnapshotMeta, 'bytes' | 'checksum'>;
  state: SessionState;
  files: SnapshotFile[];
}

/** The folder of one session's snapshots: `<stateDir>/snapshots/<session>`. */
export function snapshotDir(stateDir: string, session: string): string {
  assertSessionId(session);
  return join(stateDir, 'snapshots', session);
}

/** `sha256:<hex>` of some bytes. */
export function checksumOf(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Serializes and compresses a snapshot body. */
export function encodeSnapshot(body: SnapshotBody): Buffer {
  return gzipSync(JSON.stringify(body), { level: 6 });
}

function corrupt(
  session: string,
  id: string | undefined,
  file: string,
  why: string,
  cause?: unknown,
): SatError {
  return new SatError(
    'VERIFY_FAILED',
    `[core] snapshot ${id ?? file} of session ${session} is unusable: ${why} (it is skipped; an older snapshot or a replay of the log is used instead)`,
    { cause, details: { session, id, file } },
  );
}

/**
 * Reads one snapshot file: checks its SHA-256 against `expectedChecksum` (when given), then
 * decompresses it (gzip's own CRC catches truncation) and checks its format, id and session.
 * Throws `VERIFY_FAILED` for anything that does not hold.
 */
export function readSnapshotFile(
  dir: string,
  session: string,
  file: string,
  expected?: Pick<SnapshotMeta, 'id' | 'checksum'>,
): Snapshot {
  const path = join(dir, file);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw corrupt(session, expected?.id, path, `cannot read it: ${describeSystemError(error)}`, error);
  }
  const checksum = checksumOf(bytes);
  if (expected && checksum !== expected.checksum)
    throw corrupt(
      session,
      expected.id,
      path,
      `checksum mismatch (index ${expected.checksum}, file ${checksum}, ${bytes.length} bytes)`,
    );
  let body: SnapshotBody;
  try {
    body = JSON.parse(gunzipSync(bytes).toString('utf8')) as SnapshotBody;
  } catch (error) {
    throw corrupt(
      session,
      expected?.id,
      path,
      `not a complete gzip JSON file (${(error as Error).message})`,
      error,
    );
  }
  if (
    typeof body !== 'object' ||
    body === null ||
    body.format !== SNAPSHOT_FORMAT ||
    typeof body.meta !== 'object' ||
    typeof body.state !== 'object' ||
    !Array.isArray(body.files)
  )
    throw corrupt(session, expected?.id, path, 'not a snapshot file');
  if (body.v !== SNAPSHOT_FORMAT_VERSION)
    throw corrupt(session, expected?.id, path, `format version ${body.v} is not supported`);
  if (body.meta.session !== session || body.state.session !== session)
    throw corrupt(session, expected?.id, path, `it belongs to session ${body.meta.session}`);
  if (expected && body.meta.id !== expected.id)
    throw corrupt(session, expected.id, path, `it holds snapshot ${body.meta.id}`);
  return { meta: { ...body.meta, bytes: bytes.length, checksum }, state: body.state, files: body.files };
}

function validMeta(value: unknown, session: string): value is SnapshotMeta {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Partial<SnapshotMeta>;
  return (
    typeof m.id === 'string' &&
    m.session === session &&
    typeof m.seq === 'number' &&
    typeof m.file === 'string' &&
    !m.file.includes('/') &&
    typeof m.checksum === 'string' &&
    typeof m.createdAt === 'string' &&
    typeof m.counters === 'object' &&
    Array.isArray(m.files)
  );
}

/** Orders snapshots oldest first: by seq, then time, then id. */
export function compareSnapshots(a: SnapshotMeta, b: SnapshotMeta): number {
  return a.seq - b.seq || a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id);
}

/**
 * The snapshots of one session, oldest first, from its index. A snapshot file the index does not
 * list (its writer was killed between writing the file and the index line) is adopted when it
 * reads back whole; an index line that cannot be read is reported and skipped. Checksums are not
 * verified here.
 */
export function readSnapshotIndex(
  dir: string,
  session: string,
  onIssue?: (issue: SnapshotIssue) => void,
): { metas: SnapshotMeta[]; adopted: SnapshotMeta[] } {
  if (!existsSync(dir)) return { metas: [], adopted: [] };
  const byId = new Map<string, SnapshotMeta>();
  const indexFile = join(dir, SNAPSHOT_INDEX);
  if (existsSync(indexFile)) {
    const text = readFileSync(indexFile, 'utf8');
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      if (line.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        value = undefined;
      }
      if (!validMeta(value, session)) {
        // A torn last line is what a writer killed mid-append leaves; the file is adopted below.
        onIssue?.({
          kind: 'corrupt-index-line',
          session,
          file: indexFile,
          message: `line ${i + 1} of ${indexFile} is not a snapshot record${i === lines.length - 1 ? ' (incomplete last line)' : ''}`,
        });
        continue;
      }
      byId.set(value.id, value);
    }
  }
  const adopted: SnapshotMeta[] = [];
  const listed = new Set([...byId.values()].map((m) => m.file));
  for (const name of readdirSync(dir)) {
    if (!name.endsWith(SNAPSHOT_EXT) || listed.has(name)) continue;
    try {
      const snapshot = readSnapshotFile(dir, session, name);
      if (snapshot.meta.file !== name)
        throw corrupt(session, snapshot.meta.id, name, 'file name does not match');
      byId.set(snapshot.meta.id, snapshot.meta);
      adopted.push(snapshot.meta);
      onIssue?.({
        kind: 'orphan-adopted',
        session,
        id: snapshot.meta.id,
        file: join(dir, name),
        message: `snapshot ${snapshot.meta.id} was not in the index (its writer stopped before recording it); it reads back whole and is used`,
      });
    } catch (error) {
      onIssue?.({
        kind: 'corrupt-snapshot',
        session,
        file: join(dir, name),
        message: (error as Error).message,
      });
    }
  }
  return { metas: [...byId.values()].sort(compareSnapshots), adopted };
}

/**
 * Appends one record to the index (after a torn last line, on a new line). Not fsynced: the
 * snapshot file itself is, and a snapshot whose index line was lost is adopted from its file.
 */
export function appendIndexLine(dir: string, meta: SnapshotMeta): void {
  const file = join(dir, SNAPSHOT_INDEX);
  const fd = openSync(file, 'a+');
  try {
    const size = statSync(file).size;
    let prefix = '';
    if (size > 0) {
      const last = Buffer.alloc(1);
      readSync(fd, last, 0, 1, size - 1);
      if (last[0] !== 0x0a) prefix = '\n';
    }
    const line = Buffer.from(`${prefix}${JSON.stringify(meta)}\n`);
    let written = 0;
    while (written < line.length) written += writeSync(fd, line, written, line.length - written);
  } finally {
    closeSync(fd);
  }
}

/** Writes a snapshot file atomically (temporary file, fsync, rename, fsync of the folder). */
export function writeSnapshotFile(dir: string, file: string, bytes: Buffer): void {
  writeFileAtomic(join(dir, file), bytes);
}

/** Removes temporary files left by writers that were killed (call while holding the snapshot lock). */
export function removeTempFiles(dir: string): void {
  for (const folder of [dir, join(dir, 'blobs')]) {
    if (!existsSync(folder)) continue;
    for (const name of readdirSync(folder)) {
      if (!name.includes('.tmp-')) continue;
      try {
        unlinkSync(join(folder, name));
      } catch {}
    }
  }
}

/** Largest file whose content a snapshot keeps (for diffs against a later snapshot). */
export const MAX_STORED_CONTENT = 64 * 1024;

function blobPath(dir: string, hash: string): string {
  return join(dir, 'blobs', `${hash}.gz`);
}

/** Keeps a text file's content under its git blob hash (once per distinct content). */
export function storeBlob(dir: string, hash: string, content: Buffer): void {
  const path = blobPath(dir, hash);
  if (existsSync(path)) return;
  mkdirSync(join(dir, 'blobs'), { recursive: true });
  writeFileAtomic(path, gzipSync(content, { level: 6 }));
}

/** True when the content of `hash` is kept. */
export function hasBlob(dir: string, hash: string): boolean {
  return existsSync(blobPath(dir, hash));
}

/** The kept content of `hash`, checked against the hash; undefined when missing or damaged. */
export function readBlob(dir: string, hash: string): string | undefined {
  try {
    const content = gunzipSync(readFileSync(blobPath(dir, hash)));
    return gitBlobHash(content) === hash ? content.toString('utf8') : undefined;
  } catch {
    return undefined;
  }
}
