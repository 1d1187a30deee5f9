import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeSystemError, SatError } from '../errors.js';

/** The salt file's name inside the credentials folder. */
export const REDACT_SALT_FILE = 'redact-salt';

function readSalt(file: string): string | undefined {
  try {
    const text = readFileSync(file, 'utf8').trim();
    return /^[0-9a-f]{64}$/.test(text) ? text : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw saltError(file, error);
  }
}

function saltError(file: string, error: unknown): SatError {
  return new SatError(
    'IO_ERROR',
    `[core] cannot read or create the redaction salt ${file}: ${describeSystemError(error)} (check the credentials folder's permissions)`,
    { cause: error, details: { file } },
  );
}

/**
 * This install's redaction salt (`<credentials>/redact-salt`, 32 random bytes as hex, mode 0600),
 * created on first use. Pass it to `createRedactor` so markers are stable on this machine but say
 * nothing to someone who has a log without the salt. A damaged file is replaced.
 *
 * @example
 * const redactor = createRedactor(config.redact, { salt: loadRedactSalt(config.paths.credentials) });
 */
export function loadRedactSalt(credentialsDir: string): string {
  const file = join(credentialsDir, REDACT_SALT_FILE);
  const existing = readSalt(file);
  if (existing) return existing;
  const salt = randomBytes(32).toString('hex');
  try {
    mkdirSync(credentialsDir, { recursive: true, mode: 0o700 });
    writeFileSync(file, `${salt}\n`, { mode: 0o600, flag: 'wx' });
    return salt;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw saltError(file, error);
  }
  const raced = readSalt(file);
  if (raced) return raced;
  try {
    writeFileSync(file, `${salt}\n`, { mode: 0o600 });
  } catch (error) {
    throw saltError(file, error);
  }
  return salt;
}
