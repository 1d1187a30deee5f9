import { readFileSync, type Stats, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { gitBlobHash } from '../git-hash.js';
import type { SessionState } from '../session-state/session-state.js';
import { hasBlob, MAX_STORED_CONTENT, readBlob, storeBlob } from './snapshot-store.js';
import type { SnapshotFile } from './snapshot-types.js';

/** Files larger than this are not hashed (their hash is left out). */
const MAX_HASHED_BYTES = 64 * 1024 * 1024;
/** A diff longer than this is cut. */
export const MAX_DIFF_CHARS = 16 * 1024;
/** Time allowed to compute one diff, in ms (the `diff` library gives up after it). */
const DIFF_TIMEOUT_MS = 20;
/**
 * Most lines added plus removed a diff may have (about 100 changed lines). A file rewritten
 * beyond that gets no diff: computing one would cost several ms and read no better than the file.
 */
const MAX_EDITED_LINES = 200;

function isText(content: Buffer): boolean {
  return !content.subarray(0, 8192).includes(0);
}

/**
 * Lines only one side has, counted as a multiset: a lower bound of the lines a diff adds plus
 * removes, found in linear time.
 */
function linesOnOneSide(before: string, after: string): number {
  const counts = new Map<string, number>();
  for (const line of before.split('\n')) counts.set(line, (counts.get(line) ?? 0) + 1);
  let added = 0;
  for (const line of after.split('\n')) {
    const n = counts.get(line);
    if (n) counts.set(line, n - 1);
    else added++;
  }
  let removed = 0;
  for (const n of counts.values()) removed += n;
  return added + removed;
}

/** A unified diff of two contents (cut to {@link MAX_DIFF_CHARS}), or why there is none. */
export function unifiedDiff(path: string, before: string, after: string): { diff?: string; note?: string } {
  const tooMany = { note: `more than ${MAX_EDITED_LINES} lines added or removed: no diff kept` };
  // Rewritten files are recognized in linear time, before the (quadratic at worst) diff runs.
  if (linesOnOneSide(before, after) > MAX_EDITED_LINES) return tooMany;
  const diff = createTwoFilesPatch(`a/${path}`, `b/${path}`, before, after, undefined, undefined, {
    context: 3,
    maxEditLength: MAX_EDITED_LINES,
    timeout: DIFF_TIMEOUT_MS,
  });
  if (diff === undefined) return tooMany;
  if (diff.length <= MAX_DIFF_CHARS) return { diff };
  return {
    diff: `${diff.slice(0, MAX_DIFF_CHARS)}\n… [diff cut at ${MAX_DIFF_CHARS} characters]`,
    note: 'diff cut',
  };
}

/**
 * The files a session changed, as they are on disk now: git blob hash (an unchanged size, mtime
 * and inode reuse the previous snapshot's hash without reading the file), whether it changed
 * since the previous snapshot, and for a changed text file up to 64 KB a diff against the
 * content the previous snapshot kept. Contents are kept once per hash under `<dir>/blobs/`.
 * Relative paths are resolved against `baseDir` (the session's cwd).
 */
export function snapshotFiles(
  state: SessionState,
  previous: readonly SnapshotFile[] | undefined,
  dir: string,
  baseDir: string,
): SnapshotFile[] {
  const before = new Map((previous ?? []).map((f) => [f.path, f]));
  const out: SnapshotFile[] = [];
  for (const path of Object.keys(state.files).sort()) {
    const absolutePath = isAbsolute(path) ? path : resolve(baseDir, path);
    const prev = before.get(path);
    let stat: Stats | undefined;
    try {
      stat = statSync(absolutePath);
    } catch {
      stat = undefined;
    }
    if (!stat?.isFile()) {
      const gone: SnapshotFile = {
        path,
        absolutePath,
        exists: false,
        changed: prev === undefined || prev.exists,
        contentStored: false,
      };
      if (gone.changed) gone.diffNote = 'missing on disk';
      out.push(gone);
      continue;
    }
    const base = { path, absolutePath, exists: true, bytes: stat.size, mtimeMs: stat.mtimeMs, ino: stat.ino };
    if (
      prev?.exists &&
      prev.gitHash !== undefined &&
      prev.bytes === stat.size &&
      prev.mtimeMs === stat.mtimeMs &&
      prev.ino === stat.ino
    ) {
      out.push({ ...base, gitHash: prev.gitHash, changed: false, contentStored: prev.contentStored });
      continue;
    }
    if (stat.size > MAX_HASHED_BYTES) {
      out.push({ ...base, changed: true, contentStored: false, diffNote: 'too large to hash' });
      continue;
    }
    let content: Buffer;
    try {
      content = readFileSync(absolutePath);
    } catch {
      out.push({ ...base, changed: true, contentStored: false, diffNote: 'cannot be read' });
      continue;
    }
    const gitHash = gitBlobHash(content);
    const changed = !prev?.exists || prev.gitHash !== gitHash;
    const text = isText(content);
    const keep = text && content.length <= MAX_STORED_CONTENT;
    if (keep) storeBlob(dir, gitHash, content);
    const file: SnapshotFile = { ...base, gitHash, changed, contentStored: keep };
    if (changed) {
      if (!text) file.diffNote = 'binary file';
      else if (!keep) file.diffNote = `larger than ${MAX_STORED_CONTENT / 1024} KB (only its hash is kept)`;
      else if (!prev?.exists || prev.gitHash === undefined)
        file.diffNote = 'no earlier snapshot of this file';
      else {
        const old =
          prev.contentStored && hasBlob(dir, prev.gitHash) ? readBlob(dir, prev.gitHash) : undefined;
        if (old === undefined) file.diffNote = 'previous content not kept';
        else {
          const { diff, note } = unifiedDiff(path, old, content.toString('utf8'));
          if (diff !== undefined) file.diff = diff;
          if (note !== undefined) file.diffNote = note;
        }
      }
    }
    out.push(file);
  }
  return out;
}
