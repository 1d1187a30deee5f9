import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { type Checksums, SatError } from '@sat/core';
import type { gaxios } from 'google-auth-library';
import { PKG } from './gdrive-constants.js';
import type { RetryPolicy } from './retry-policy.js';

/** The part of an authenticated client the upload needs (`OAuth2Client.request`). */
export interface AuthRequester {
  request<T = unknown>(options: gaxios.GaxiosOptions): Promise<gaxios.GaxiosResponse<T>>;
}

/** The Drive file fields an upload asks for in its final response. */
export interface UploadedFile {
  id?: string | null;
  size?: string | null;
  md5Checksum?: string | null;
  sha256Checksum?: string | null;
  modifiedTime?: string | null;
  mimeType?: string | null;
  appProperties?: Record<string, string> | null;
}

/** One resumable upload (create with POST, or a new revision of an existing file with PATCH). */
export interface ResumableUploadInput {
  auth: AuthRequester;
  policy: RetryPolicy;
  /** The initiation URL, with `uploadType=resumable` and `fields`. */
  url: string;
  method: 'POST' | 'PATCH';
  /** File metadata sent at initiation (applied by Drive when the upload completes). */
  metadata: Record<string, unknown>;
  contentType: string;
  source: Readable | Buffer;
  /** Bytes per chunk, a multiple of 256 KiB. */
  chunkSize: number;
  /** Refuse to finish the upload when the bytes' SHA-256 differs (the session is cancelled). */
  check?: (result: { size: number; checksum: Checksums }) => Error | undefined;
  onProgress?: (bytes: number) => void;
  /** Maps a failure of Drive to a SatError. */
  fail: (error: unknown, action: string) => SatError;
  /** Looks the file up when the upload's final answer was lost and the session cannot tell. */
  recover: (result: { size: number; checksum: Checksums }) => Promise<UploadedFile | undefined>;
}

/** What a finished upload produced. */
export interface UploadOutcome {
  file: UploadedFile;
  size: number;
  checksum: Checksums;
}

interface Chunk {
  data: Buffer;
  last: boolean;
}

/**
 * Cuts `source` into chunks of `size` bytes, hashing as it reads. A chunk is handed out only once
 * it is known whether more bytes follow, so the last chunk can carry the total size. Two buffers
 * alternate: memory stays at two chunks whatever the size of the source.
 */
async function* chunksOf(
  source: Readable | Buffer,
  size: number,
  hashes: { sha256: ReturnType<typeof createHash>; md5: ReturnType<typeof createHash> },
): AsyncGenerator<Chunk> {
  if (Buffer.isBuffer(source)) {
    hashes.sha256.update(source);
    hashes.md5.update(source);
    for (let at = 0; at < source.length || at === 0; at += size) {
      const end = Math.min(source.length, at + size);
      yield { data: source.subarray(at, end), last: end >= source.length };
      if (source.length === 0) break;
    }
    return;
  }
  let spare: Buffer | undefined;
  let buffer: Buffer = Buffer.allocUnsafe(size);
  let fill = 0;
  let pending: Buffer | undefined;
  for await (const piece of source) {
    let bytes: Buffer = Buffer.isBuffer(piece) ? piece : Buffer.from(piece as string);
    hashes.sha256.update(bytes);
    hashes.md5.update(bytes);
    while (bytes.length > 0) {
      if (pending) {
        yield { data: pending, last: false };
        spare = pending;
        pending = undefined;
      }
      const n = Math.min(size - fill, bytes.length);
      bytes.copy(buffer, fill, 0, n);
      fill += n;
      bytes = bytes.subarray(n);
      if (fill === size) {
        pending = buffer;
        buffer = spare ?? Buffer.allocUnsafe(size);
        spare = undefined;
        fill = 0;
      }
    }
  }
  if (pending && fill === 0) {
    yield { data: pending, last: true };
    return;
  }
  if (pending) yield { data: pending, last: false };
  yield { data: buffer.subarray(0, fill), last: true };
}

/** Bytes the server holds, from a 308's `Range: bytes=0-N` header (0 without one). */
function committedBytes(headers: unknown): number {
  const range = (headers as { get?: (name: string) => string | null })?.get?.('range');
  const match = range ? /bytes=0-(\d+)/.exec(range) : null;
  return match ? Number(match[1]) + 1 : 0;
}

const done = (status: number): boolean => status === 200 || status === 201;

/**
 * Uploads `source` with Drive's resumable protocol: one session, chunks of `chunkSize` bytes
 * (`Content-Range: bytes a-b/total`, the total given with the last chunk), each answered by
 * `308 Resume Incomplete` with the committed `Range`. When a chunk fails (dropped connection,
 * 5xx, 429), the target waits, asks the session how far it got (`Content-Range: bytes * /total`)
 * and sends only what is missing. Memory is bounded by two chunks.
 */
export async function resumableUpload(input: ResumableUploadInput): Promise<UploadOutcome> {
  const { auth, policy } = input;
  let sessionUri: string;
  try {
    const res = await auth.request({
      url: input.url,
      method: input.method,
      data: input.metadata,
      headers: {
        'Content-Type': 'application/json; charset=UTF-8',
        'X-Upload-Content-Type': input.contentType,
      },
      retryConfig: policy.gaxiosConfig(),
      responseType: 'json',
    });
    const location = (res.headers as { get?: (name: string) => string | null }).get?.('location');
    if (!location) throw new SatError('TARGET_ERROR', `${PKG} Drive started an upload without a session URL`);
    sessionUri = location;
  } catch (error) {
    throw input.fail(error, 'start an upload');
  }

  const hashes = { sha256: createHash('sha256'), md5: createHash('md5') };
  let offset = 0;
  let finished = false;
  try {
    for await (const chunk of chunksOf(input.source, input.chunkSize, hashes)) {
      let total: number | undefined;
      let summary: { size: number; checksum: Checksums } | undefined;
      if (chunk.last) {
        total = offset + chunk.data.length;
        summary = {
          size: total,
          checksum: { sha256: hashes.sha256.digest('hex'), md5: hashes.md5.digest('hex') },
        };
        const refusal = input.check?.(summary);
        if (refusal) throw refusal;
      }
      let file: UploadedFile | undefined;
      try {
        file = await sendChunk(input, sessionUri, chunk.data, offset, total, summary);
      } catch (error) {
        if (!(error instanceof RecoverableLoss)) throw error;
        file = await input.recover(summary!);
        if (!file) throw input.fail(error.original, 'upload');
      }
      offset += chunk.data.length;
      input.onProgress?.(offset);
      if (chunk.last) {
        if (!file) throw new SatError('TARGET_ERROR', `${PKG} Drive did not confirm the end of an upload`);
        finished = true;
        return { file, size: summary!.size, checksum: summary!.checksum };
      }
    }
    throw new Error('unreachable: the chunker always yields a last chunk');
  } finally {
    if (!finished) await cancel(auth, sessionUri);
  }
}

async function cancel(auth: AuthRequester, sessionUri: string): Promise<void> {
  try {
    await auth.request({ url: sessionUri, method: 'DELETE', validateStatus: () => true });
  } catch {
    // The session expires by itself within a week; nothing was stored.
  }
}

/** Sends one chunk until the server holds all of it; returns the file when the upload completed. */
async function sendChunk(
  input: ResumableUploadInput,
  sessionUri: string,
  data: Buffer,
  start: number,
  total: number | undefined,
  summary: { size: number; checksum: Checksums } | undefined,
): Promise<UploadedFile | undefined> {
  const { auth, policy } = input;
  const end = start + data.length;
  const totalText = total === undefined ? '*' : String(total);
  let committed = start;
  let attempt = 0;
  let lastError: unknown;
  for (;;) {
    try {
      const body = data.subarray(committed - start);
      const range = body.length === 0 ? `bytes */${totalText}` : `bytes ${committed}-${end - 1}/${totalText}`;
      const res = await auth.request<UploadedFile>({
        url: sessionUri,
        method: 'PUT',
        data: body,
        headers: { 'Content-Range': range, 'Content-Type': input.contentType },
        validateStatus: (status) => done(status) || status === 308,
        responseType: 'json',
      });
      if (done(res.status)) return res.data;
      const now = committedBytes(res.headers);
      if (now >= end) return undefined;
      if (now <= committed) throw new Error('the upload session made no progress');
      committed = now;
      continue;
    } catch (error) {
      lastError = error;
      if (!policy.shouldRetry(error, attempt)) throw gone(input, error, summary);
    }
    await policy.sleep(policy.delayMs(attempt, lastError));
    attempt++;
    // Ask the session how far it got, then send only the rest.
    try {
      const res = await auth.request<UploadedFile>({
        url: sessionUri,
        method: 'PUT',
        headers: { 'Content-Range': `bytes */${totalText}` },
        validateStatus: (status) => done(status) || status === 308,
        responseType: 'json',
      });
      if (done(res.status)) return res.data;
      const now = committedBytes(res.headers);
      if (now < start) {
        throw new SatError(
          'TARGET_UNAVAILABLE',
          `${PKG} Google Drive lost part of an upload it had confirmed (retry the backup)`,
          { details: { retryable: true } },
        );
      }
      committed = Math.min(now, end);
      if (committed >= end && total === undefined) return undefined;
    } catch (error) {
      if (error instanceof SatError) throw error;
      lastError = error;
      if (!policy.shouldRetry(error, attempt)) throw gone(input, error, summary);
    }
  }
}

/**
 * The error once a chunk cannot be sent. A 404/410 means the session is gone; when that happens
 * on the last chunk the file may exist already (the final answer was lost): `recover` checks.
 */
function gone(
  input: ResumableUploadInput,
  error: unknown,
  summary: { size: number; checksum: Checksums } | undefined,
): SatError | RecoverableLoss {
  const status = (error as { response?: { status?: number } })?.response?.status;
  if ((status === 404 || status === 410) && summary) return new RecoverableLoss(error);
  if (status === 404 || status === 410) {
    return new SatError(
      'TARGET_UNAVAILABLE',
      `${PKG} the Google Drive upload session expired before the upload finished (retry the backup)`,
      { cause: new Error(`HTTP ${status}`), details: { retryable: true } },
    );
  }
  return input.fail(error, 'upload');
}

/** Thrown inside the upload when the final answer of a complete upload may have been lost. */
class RecoverableLoss extends Error {
  constructor(readonly original: unknown) {
    super('the upload session ended without a final answer');
  }
}
