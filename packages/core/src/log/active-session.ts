import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { isValidSessionId } from '../ids.js';
import { writeFileAtomic } from './atomic-file.js';

const FILE = '.active-session';

/** The session that `sat log` appends to when none is named, or undefined. */
export function getActiveSession(logsDir: string): string | undefined {
  const file = join(logsDir, FILE);
  if (!existsSync(file)) return undefined;
  const id = readFileSync(file, 'utf8').trim();
  return isValidSessionId(id) ? id : undefined;
}

/** Makes `session` the active one (or clears it with `undefined`). */
export function setActiveSession(logsDir: string, session: string | undefined): void {
  const file = join(logsDir, FILE);
  if (session === undefined) rmSync(file, { force: true });
  else {
    mkdirSync(logsDir, { recursive: true, mode: 0o700 });
    writeFileAtomic(file, `${session}\n`);
  }
}
