import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';

/** A lock older than this is stale whatever its pid (a statusline run takes milliseconds). */
const STALE_MS = 10_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function holder(path: string): { pid: number; ageMs: number } | undefined {
  try {
    const ageMs = Date.now() - statSync(path).mtimeMs;
    return { pid: Number.parseInt(readFileSync(path, 'utf8'), 10), ageMs };
  } catch {
    return undefined;
  }
}

/**
 * Takes the statusline's pid lock (`path`, created with O_EXCL, holding our pid). Returns the
 * release function, or `undefined` when a live run holds it. A lock whose process is gone, or
 * older than 10 s, is taken over.
 *
 * @example
 * const release = takeStatuslineLock('/p/.claude/sat/statusline/statusline.lock');
 * if (release) try { render(); } finally { release(); }
 */
export function takeStatuslineLock(path: string): (() => void) | undefined {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          unlinkSync(path);
        } catch {
          // Taken over as stale by another run: nothing of ours to remove.
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const held = holder(path);
      if (held && Number.isInteger(held.pid) && alive(held.pid) && held.ageMs < STALE_MS) return undefined;
      try {
        unlinkSync(path);
      } catch {
        // Another run removed it first; try again.
      }
    }
  }
  return undefined;
}
