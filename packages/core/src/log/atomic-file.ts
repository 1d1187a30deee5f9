import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { asEnvironmentError } from '../errors.js';

/** fsyncs a folder so a rename or unlink in it survives a power loss (no-op where unsupported). */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some platforms cannot open or fsync folders.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Writes `content` to `path` atomically: temporary file, fsync, rename, fsync of the folder. A
 * full disk, a read-only folder and the like throw an `IO_ERROR` SatError naming `path` (see
 * `asEnvironmentError`); `path` is then unchanged.
 *
 * @example
 * writeFileAtomic('/data/state/.state.json', '{}\n');
 */
export function writeFileAtomic(path: string, content: string | Buffer, mode = 0o600): void {
  try {
    writeAtomically(path, content, mode);
  } catch (error) {
    throw asEnvironmentError(error, `write ${path}`);
  }
}

function writeAtomically(path: string, content: string | Buffer, mode: number): void {
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  const fd = openSync(tmp, 'w', mode);
  try {
    const buf = typeof content === 'string' ? Buffer.from(content) : content;
    let written = 0;
    while (written < buf.length) written += writeSync(fd, buf, written, buf.length - written);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {}
    throw error;
  }
  closeSync(fd);
  renameSync(tmp, path);
  fsyncDir(dirname(path));
}
