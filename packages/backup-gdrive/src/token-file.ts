import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { SatError, writeFileAtomic } from '@sat/core';
import { PKG } from './gdrive-constants.js';

/** What `<credentialsDir>/gdrive.json` holds (mode 0600). */
export interface StoredGoogleToken {
  format: 'sat-gdrive/1';
  client_id: string;
  client_secret: string;
  refresh_token: string;
  access_token?: string;
  /** When the access token expires (ms since the epoch). */
  expiry_date?: number;
  scope?: string;
  token_type?: string;
  /** The Google account, when Drive told it. */
  email?: string;
  created: string;
  updated?: string;
}

/** Reads the token file; TARGET_ERROR (with the fix, never the contents) when it is missing or unreadable. */
export function readTokenFile(file: string): StoredGoogleToken {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new SatError(
      'TARGET_ERROR',
      `${PKG} no Google Drive credentials in ${file}${code && code !== 'ENOENT' ? ` (${code})` : ''}: run 'sat setup gdrive'`,
      { details: { file, retryable: false } },
    );
  }
  let token: Partial<StoredGoogleToken> | undefined;
  try {
    token = JSON.parse(text) as Partial<StoredGoogleToken>;
  } catch {
    token = undefined;
  }
  if (
    token?.format !== 'sat-gdrive/1' ||
    typeof token.client_id !== 'string' ||
    typeof token.client_secret !== 'string' ||
    typeof token.refresh_token !== 'string' ||
    token.refresh_token === ''
  ) {
    throw new SatError(
      'TARGET_ERROR',
      `${PKG} no Google Drive credentials in ${file}: the file is not a sat-gdrive/1 token with a client id, client secret and refresh token (run 'sat setup gdrive')`,
      { details: { file, retryable: false } },
    );
  }
  return token as StoredGoogleToken;
}

/**
 * Writes the token file atomically (temporary file in the same folder, fsync, rename) with mode
 * 0600, creating its folder with mode 0700.
 */
export function writeTokenFile(file: string, token: StoredGoogleToken): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileAtomic(file, `${JSON.stringify(token, null, 2)}\n`, 0o600);
}
