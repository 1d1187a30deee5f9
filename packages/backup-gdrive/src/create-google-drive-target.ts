import { join } from 'node:path';
import { OAuth2Client } from 'google-auth-library';
import { GDRIVE_TOKEN_FILE, GOOGLE_ENDPOINTS } from './gdrive-constants.js';
import { GoogleDriveTarget } from './google-drive-target.js';
import type { RetryOptions } from './retry-policy.js';
import { readTokenFile, writeTokenFile } from './token-file.js';

/** Options of {@link createGoogleDriveTarget}. */
export interface CreateGoogleDriveTargetOptions {
  /** Folder holding `gdrive.json`, as written by `setupGoogleDrive` (`.claude/credentials`). */
  credentialsDir: string;
  /** Folder path under My Drive for the keys. Default: none (keys start at My Drive). */
  folder?: string;
  /** Root URL of the Drive API. Default `https://www.googleapis.com/`. */
  rootUrl?: string;
  /** Google's token URL. Default `https://oauth2.googleapis.com/token`. */
  tokenUrl?: string;
  /** Bytes per upload chunk (a multiple of 256 KiB). Default 8 MiB. */
  chunkSize?: number;
  /** Files per list page. Default 1000. */
  pageSize?: number;
  /** Retry policy of transient failures. */
  retry?: RetryOptions;
}

/**
 * A {@link GoogleDriveTarget} signed in with the token `setupGoogleDrive` stored. Access tokens
 * refreshed on the way are written back to the token file (the refresh token kept). A missing
 * token file is `TARGET_ERROR` ("run 'sat setup gdrive'"); a revoked or expired refresh token
 * surfaces on the first call as `TARGET_ERROR` explaining `invalid_grant` and its fix.
 *
 * @example
 * const target = await createGoogleDriveTarget({ credentialsDir: '.claude/credentials' });
 * for await (const item of target.list('SubAgentTracking/')) console.log(item.key);
 */
export async function createGoogleDriveTarget(
  options: CreateGoogleDriveTargetOptions,
): Promise<GoogleDriveTarget> {
  const file = join(options.credentialsDir, GDRIVE_TOKEN_FILE);
  const stored = readTokenFile(file);
  const auth = new OAuth2Client({
    clientId: stored.client_id,
    clientSecret: stored.client_secret,
    forceRefreshOnFailure: true,
    endpoints: { oauth2TokenUrl: options.tokenUrl ?? GOOGLE_ENDPOINTS.tokenUrl },
  });
  auth.setCredentials({
    refresh_token: stored.refresh_token,
    ...(stored.access_token ? { access_token: stored.access_token } : {}),
    ...(stored.expiry_date ? { expiry_date: stored.expiry_date } : {}),
  });
  auth.on('tokens', (tokens) => {
    try {
      const current = readTokenFile(file);
      writeTokenFile(file, {
        ...current,
        refresh_token: tokens.refresh_token ?? current.refresh_token,
        ...(tokens.access_token ? { access_token: tokens.access_token } : {}),
        ...(tokens.expiry_date ? { expiry_date: tokens.expiry_date } : {}),
        updated: new Date().toISOString(),
      });
    } catch {
      // The refreshed token still works in memory; the next run refreshes again.
    }
  });
  return new GoogleDriveTarget({
    auth,
    folder: options.folder,
    rootUrl: options.rootUrl,
    chunkSize: options.chunkSize,
    pageSize: options.pageSize,
    retry: options.retry,
    credentialsFile: file,
  });
}
