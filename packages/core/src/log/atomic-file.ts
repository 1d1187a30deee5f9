import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

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

/** Writes `content` to `path` atomically: temporary file, fsync, rename, fsync of the folder. */
export function writeFileAtomic(path: string, content: string | Buffer, mode = 0o600): void {
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
