import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import {
  type CreateGoogleDriveTargetOptions,
  createGoogleDriveTarget,
  GDRIVE_TOKEN_FILE,
} from '../src/index.js';
import type { FakeDriveServer } from '../src/testing/fake-drive-server.js';
import { writeTokenFile } from '../src/token-file.js';

/** A fresh temporary folder and its removal. */
export function tempDir(prefix = 'sat-gdrive-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes a token file for `fake` into `credentialsDir` (as `sat setup gdrive` would). */
export function storeFakeToken(fake: FakeDriveServer, credentialsDir: string): string {
  const tokens = fake.issueTokens();
  const file = join(credentialsDir, GDRIVE_TOKEN_FILE);
  writeTokenFile(file, {
    format: 'sat-gdrive/1',
    client_id: fake.clientId,
    client_secret: fake.clientSecret,
    ...tokens,
    created: new Date().toISOString(),
  });
  return file;
}

/** Retries with tiny delays, so failing cases stay fast. */
export const FAST_RETRY = { retries: 4, minDelayMs: 1, maxDelayMs: 5 } as const;

/** A target on `fake`, signed in with a freshly stored token. */
export async function fakeTarget(
  fake: FakeDriveServer,
  credentialsDir: string,
  options: Partial<CreateGoogleDriveTargetOptions> = {},
) {
  storeFakeToken(fake, credentialsDir);
  return createGoogleDriveTarget({
    credentialsDir,
    rootUrl: fake.rootUrl,
    tokenUrl: fake.tokenUrl,
    retry: FAST_RETRY,
    ...options,
  });
}

/** Reads a stream to the end. */
export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

/** The rejection of `promise`, or undefined when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

export { pseudoRandom } from '@sat/core/testing';
