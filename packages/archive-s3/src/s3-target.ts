import { PassThrough, pipeline as pipelineCallback, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  type HeadObjectCommandOutput,
  ListObjectsV2Command,
  PutObjectCommand,
  RestoreObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import {
  type ArchiveObjectState,
  type ArchiveTierTarget,
  assertStorageKey,
  assertStoragePrefix,
  ChecksumStream,
  delayFor,
  type PollOptions,
  type PutOptions,
  type PutResult,
  poll,
  type RestoreRequestOptions,
  type RestoreRequestResult,
  SatError,
  type StorageCapabilities,
  type StoredObject,
  sleep,
} from '@sat/core';
import { archiveStateOf } from './s3-archive-state.js';
import { createS3Client, staticSecrets } from './s3-client.js';
import { mapS3Error, PKG, s3ErrorName, s3HttpStatus } from './s3-errors.js';
import { parseSidecar, plainEtag, type S3Sidecar, SIDECAR_ROOT, sidecarChecksums } from './s3-sidecar.js';
import type { S3TargetOptions } from './s3-target-options.js';

const MIB = 1024 * 1024;
const MAX_PARTS = 10_000;
/** Waits for a checksum record to catch up with its object: 150 ms, then 300 ms, then it is repaired. */
const SIDECAR_RACE: PollOptions = { baseMs: 150, jitter: 'none', maxAttempts: 3 };

function encodeMeta(metadata: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!metadata) return undefined;
  return Object.fromEntries(
    Object.entries(metadata).map(([k, v]) => [k.toLowerCase(), encodeURIComponent(v)]),
  );
}

function decodeMeta(metadata: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!metadata || Object.keys(metadata).length === 0) return undefined;
  return Object.fromEntries(
    Object.entries(metadata).map(([k, v]) => {
      try {
        return [k, decodeURIComponent(v)];
      } catch {
        return [k, v];
      }
    }),
  );
}

async function readText(body: unknown, limit = 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) break;
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * A `StorageTarget` on an S3 bucket (AWS, or any S3-compatible server), with the archive
 * extras of {@link ArchiveTierTarget}: the archive state of an object (Glacier, restoring,
 * restored) and restore requests.
 *
 * **Uploads** stream through `@aws-sdk/lib-storage`'s `Upload`: one PutObject up to `partSize`,
 * a multipart upload above it, in memory bounded by `partSize * queueSize`; a failed source
 * aborts the multipart upload, so the previous object stays. Each request carries the SHA-256
 * (or the chosen CRC) of its part, which S3 verifies before it stores anything.
 *
 * **Checksums.** S3 keeps no full-object SHA-256 or MD5 of a multipart upload (its checksum is a
 * checksum of part checksums; its ETag is not an MD5), and user metadata must be sent before
 * the body, when a streamed body's checksums are not known yet. So the target hashes the bytes
 * while they stream and then writes a small JSON record at `<prefix>/.sat-meta/<key>` with the
 * size, SHA-256, MD5 and the ETag S3 gave that upload. The record lives outside the archive
 * folders, so lifecycle rules never move it to Glacier and `stat` works on archived objects.
 * A record whose ETag is not the object's (an upload interrupted between the two writes, or
 * two writers racing) is recomputed from the object's bytes and written again.
 * Rejected alternatives: CopyObject with replaced metadata (a second full server-side copy, not
 * possible above 5 GB in one call, and a window with no metadata) and S3's full-object CRC
 * (no SHA-256, not understood by S3-compatible servers).
 *
 * **Reads** hash the bytes as they stream and fail the stream with `CHECKSUM_MISMATCH` before
 * its end when they differ from the record.
 *
 * Keys starting with `.sat-meta/` are the target's own and refused.
 *
 * @example
 * const target = new S3Target({ bucket: 'my-archive', prefix: 'team-a', clientConfig: { region: 'eu-west-1' } });
 * await target.put('SubAgentTracking/Archive/Phase_1/phase.tar.gz', createReadStream(file));
 */
export class S3Target implements ArchiveTierTarget {
  readonly name = 's3';
  readonly location: string;
  readonly capabilities: StorageCapabilities;
  /** The client in use (shared by `setupS3Bucket` and tests). */
  readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly partSize: number;
  private readonly queueSize: number;
  private readonly storageClass?: S3TargetOptions['storageClass'];
  private readonly checksumAlgorithm?: 'SHA256' | 'CRC32' | 'CRC32C';
  private readonly secrets: string[];

  /** A target on `options.bucket` under `options.prefix`. Nothing is sent until the first call. */
  constructor(options: S3TargetOptions) {
    if (!options.bucket || /[/\s]/.test(options.bucket)) {
      throw new SatError(
        'INVALID_CONFIG',
        `${PKG} invalid bucket name ${JSON.stringify(options.bucket ?? '')} (set archive.s3.bucket or SAT_S3_BUCKET to the bucket's name, without s3:// or a path)`,
      );
    }
    this.bucket = options.bucket;
    this.prefix = (options.prefix ?? '').replace(/^\/+|\/+$/g, '');
    if (this.prefix !== '') assertStorageKey(this.prefix, 'archive-s3');
    this.partSize = Math.max(5 * MIB, options.partSize ?? 8 * MIB);
    this.queueSize = Math.max(1, options.queueSize ?? 4);
    this.storageClass = options.storageClass;
    const algorithm = options.checksumAlgorithm ?? 'SHA256';
    this.checksumAlgorithm = algorithm === 'none' ? undefined : algorithm;
    this.client = options.client ?? createS3Client(options.clientConfig);
    this.secrets = staticSecrets(options.clientConfig);
    this.location = `s3://${this.bucket}${this.prefix ? `/${this.prefix}` : ''}`;
    this.capabilities = {
      resumableUpload: false,
      serverSideChecksum:
        algorithm === 'SHA256'
          ? 'sha256'
          : algorithm === 'CRC32C'
            ? 'crc32c'
            : algorithm === 'none'
              ? 'md5'
              : 'md5',
      atomicPut: true,
      archiveTier: true,
      maxObjectSize: this.partSize * MAX_PARTS,
      deleteMissing: 'ok',
      verifiesReads: true,
      metadata: true,
    };
  }

  /** The bucket's key of an object. */
  objectKey(key: string): string {
    return this.prefix ? `${this.prefix}/${key}` : key;
  }

  /** The bucket's key of an object's checksum record. */
  sidecarKey(key: string): string {
    return this.objectKey(`${SIDECAR_ROOT}/${key}`);
  }

  /** Streams `source` up (multipart above `partSize`), hashing it, then writes its checksum record. See `StorageTarget.put`. */
  async put(key: string, source: Readable | Buffer, options: PutOptions = {}): Promise<PutResult> {
    this.checkKey(key);
    const digest = new ChecksumStream({
      onProgress: options.onProgress,
      check: (actual) =>
        options.expectedSha256 !== undefined && options.expectedSha256 !== actual.checksum.sha256
          ? new SatError(
              'CHECKSUM_MISMATCH',
              `${PKG} the upload of ${key} to ${this.location} is damaged: sha256 ${actual.checksum.sha256.slice(0, 16)}…, expected ${options.expectedSha256.slice(0, 16)}… (the source changed while it was read; nothing was stored)`,
              {
                details: {
                  key,
                  expected: { sha256: options.expectedSha256 },
                  actual: actual.checksum,
                  retryable: false,
                },
              },
            )
          : undefined,
    });
    const input = Buffer.isBuffer(source) ? Readable.from([source]) : source;
    let sourceError: unknown;
    // A plain stream as the body: lib-storage reads a `size` property as the body's length.
    const body = new PassThrough({ highWaterMark: 1024 * 1024 });
    pipelineCallback(input, digest, body, (error) => {
      if (error) sourceError = error;
    });
    const upload = new Upload({
      client: this.client,
      partSize: this.partSize,
      queueSize: this.queueSize,
      leavePartsOnError: false,
      params: {
        Bucket: this.bucket,
        Key: this.objectKey(key),
        Body: body,
        ContentType: options.contentType ?? 'application/octet-stream',
        Metadata: encodeMeta(options.metadata),
        ...(this.storageClass ? { StorageClass: this.storageClass } : {}),
        ...(this.checksumAlgorithm ? { ChecksumAlgorithm: this.checksumAlgorithm } : {}),
      },
    });
    let etag: string;
    try {
      const done = await upload.done();
      etag = plainEtag(done.ETag);
    } catch (error) {
      input.destroy();
      digest.destroy();
      // The source's own failure (or the expectedSha256 check) is reported as it is: lib-storage
      // aborted the upload, nothing was stored.
      const streamError = sourceError ?? input.errored ?? digest.errored;
      if (streamError) throw streamError;
      throw this.fail(error, `write ${this.locationOf(key)}`, key);
    }
    if (sourceError !== undefined) throw sourceError;
    const { size, checksum } = digest.result();
    await this.writeSidecar(key, {
      format: 'sat-s3/1',
      size,
      sha256: checksum.sha256,
      md5: checksum.md5,
      etag,
      modified: new Date().toISOString(),
      contentType: options.contentType,
      ...(options.metadata ? { metadata: { ...options.metadata } } : {}),
    });
    return { key, size, checksum };
  }

  /** Streams an object, failing the stream with `CHECKSUM_MISMATCH` when its bytes differ from the record. See `StorageTarget.get`. */
  async get(key: string): Promise<Readable> {
    this.checkKey(key);
    // A record of another version: a writer is between its two writes, or was interrupted.
    const current = await poll(async () => {
      const sidecar = await this.readSidecar(key);
      const response = await this.send(
        () => this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) })),
        `read ${this.locationOf(key)}`,
        key,
      );
      const body = response.Body as Readable;
      if (sidecar && plainEtag(response.ETag) === sidecar.etag) return this.verified(key, body, sidecar);
      body.destroy();
      return undefined;
    }, SIDECAR_RACE);
    if (current) return current;
    const repaired = await this.repair(key);
    const again = await this.send(
      () =>
        this.client.send(
          new GetObjectCommand({
            Bucket: this.bucket,
            Key: this.objectKey(key),
            IfMatch: `"${repaired.etag}"`,
          }),
        ),
      `read ${this.locationOf(key)}`,
      key,
    );
    return this.verified(key, again.Body as Readable, repaired);
  }

  /** Size, checksums (from the checksum record) and time of an object. See `StorageTarget.stat`. */
  async stat(key: string): Promise<StoredObject | undefined> {
    this.checkKey(key);
    const head = await this.head(key);
    if (!head) return undefined;
    let sidecar = await this.readSidecar(key);
    if (!sidecar || sidecar.etag !== plainEtag(head.ETag)) {
      await sleep(delayFor(0, SIDECAR_RACE));
      sidecar = await this.readSidecar(key);
      const now = await this.head(key);
      if (!now) return undefined;
      if (!sidecar || sidecar.etag !== plainEtag(now.ETag)) sidecar = await this.repair(key);
    }
    return this.describe(key, sidecar, head.LastModified);
  }

  /** Every object under `prefix` (its checksum record read for each). See `StorageTarget.list`. */
  async *list(prefix: string): AsyncIterable<StoredObject> {
    assertStoragePrefix(prefix, 'archive-s3');
    if (prefix === SIDECAR_ROOT || prefix.startsWith(`${SIDECAR_ROOT}/`)) return;
    const full = this.prefix ? `${this.prefix}/${prefix}` : prefix;
    const ownRoot = this.objectKey(`${SIDECAR_ROOT}/`);
    let token: string | undefined;
    do {
      const page = await this.send(
        () =>
          this.client.send(
            new ListObjectsV2Command({ Bucket: this.bucket, Prefix: full, ContinuationToken: token }),
          ),
        `list ${this.location}/${prefix}`,
      );
      const keys = (page.Contents ?? [])
        .filter((o) => o.Key !== undefined && !o.Key.startsWith(ownRoot))
        .map((o) => ({
          key: this.prefix ? o.Key!.slice(this.prefix.length + 1) : o.Key!,
          etag: plainEtag(o.ETag),
          at: o.LastModified,
        }));
      // Checksum records of a page are read a few at a time.
      for (let i = 0; i < keys.length; i += 8) {
        const batch = keys.slice(i, i + 8);
        const described = await Promise.all(
          batch.map(async (o) => {
            const sidecar = await this.readSidecar(o.key);
            if (sidecar && sidecar.etag === o.etag) return this.describe(o.key, sidecar, o.at);
            return this.stat(o.key);
          }),
        );
        for (const item of described) if (item) yield item;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  /** Removes an object and its checksum record (nothing for a missing key). See `StorageTarget.delete`. */
  async delete(key: string): Promise<void> {
    this.checkKey(key);
    await this.send(
      () => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) })),
      `delete ${this.locationOf(key)}`,
      key,
    );
    await this.send(
      () => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.sidecarKey(key) })),
      `delete the checksum record of ${this.locationOf(key)}`,
      key,
    );
  }

  /**
   * The archive state of an object, from HEAD's storage class and `x-amz-restore` header.
   * Rejects with `NOT_FOUND` when there is no object.
   *
   * @example
   * const { state } = await target.archiveState('SubAgentTracking/Archive/Phase_1/phase.tar.gz');
   */
  async archiveState(key: string): Promise<ArchiveObjectState> {
    this.checkKey(key);
    const head = await this.head(key);
    if (!head)
      throw new SatError('NOT_FOUND', `${PKG} no object ${key} in ${this.location}`, {
        details: { key, retryable: false },
      });
    return archiveStateOf(head.StorageClass, head.Restore);
  }

  /**
   * Asks S3 to restore an archived object (RestoreObject) for `days` (default 7) with `tier`
   * (default `Standard`: 3-5 hours from Glacier Flexible Retrieval, within 12 hours from Deep
   * Archive; `Bulk`: 5-12 / within 48 hours, cheapest; `Expedited`: 1-5 minutes, Glacier only).
   *
   * @example
   * await target.requestRestore(key, { days: 3, tier: 'Bulk' }); // { status: 'started' }
   */
  async requestRestore(key: string, options: RestoreRequestOptions = {}): Promise<RestoreRequestResult> {
    this.checkKey(key);
    const days = options.days ?? 7;
    if (!Number.isInteger(days) || days < 1)
      throw new SatError('USAGE', `${PKG} restore days must be a whole number of at least 1, got ${days}`);
    try {
      const out = await this.client.send(
        new RestoreObjectCommand({
          Bucket: this.bucket,
          Key: this.objectKey(key),
          RestoreRequest: { Days: days, GlacierJobParameters: { Tier: options.tier ?? 'Standard' } },
        }),
      );
      return { status: out.$metadata.httpStatusCode === 200 ? 'already-restored' : 'started' };
    } catch (error) {
      const name = s3ErrorName(error);
      if (name === 'RestoreAlreadyInProgress' || s3HttpStatus(error) === 409)
        return { status: 'in-progress' };
      if (name === 'InvalidObjectState' && (await this.archiveState(key)).state === 'available')
        return { status: 'not-archived' };
      throw this.fail(error, `restore ${this.locationOf(key)}`, key);
    }
  }

  private locationOf(key: string): string {
    return `${this.location}/${key}`;
  }

  private checkKey(key: string): void {
    assertStorageKey(key, 'archive-s3');
    if (key === SIDECAR_ROOT || key.startsWith(`${SIDECAR_ROOT}/`)) {
      throw new SatError(
        'INVALID_KEY',
        `${PKG} invalid key ${JSON.stringify(key)}: keys under '${SIDECAR_ROOT}/' are kept for the target's checksum records`,
        { details: { key, retryable: false } },
      );
    }
  }

  private fail(error: unknown, action: string, key?: string): SatError {
    return mapS3Error(error, { action, key, location: this.location, secrets: this.secrets });
  }

  private async send<T>(call: () => Promise<T>, action: string, key?: string): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw this.fail(error, action, key);
    }
  }

  private async head(key: string): Promise<HeadObjectCommandOutput | undefined> {
    try {
      return await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
    } catch (error) {
      const mapped = this.fail(error, `read ${this.locationOf(key)}`, key);
      if (mapped.code === 'NOT_FOUND') return undefined;
      throw mapped;
    }
  }

  private async readSidecar(key: string): Promise<S3Sidecar | undefined> {
    let response: GetObjectCommandOutput;
    try {
      response = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: this.sidecarKey(key) }),
      );
    } catch (error) {
      const mapped = this.fail(error, `read the checksum record of ${this.locationOf(key)}`, key);
      if (mapped.code === 'NOT_FOUND') return undefined;
      throw mapped;
    }
    return parseSidecar(await readText(response.Body));
  }

  private async writeSidecar(key: string, sidecar: S3Sidecar): Promise<void> {
    const clean = Object.fromEntries(Object.entries(sidecar).filter(([, v]) => v !== undefined));
    await this.send(
      () =>
        this.client.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: this.sidecarKey(key),
            Body: Buffer.from(`${JSON.stringify(clean)}\n`),
            ContentType: 'application/json',
            ...(this.checksumAlgorithm ? { ChecksumAlgorithm: this.checksumAlgorithm } : {}),
          }),
        ),
      `write the checksum record of ${this.locationOf(key)}`,
      key,
    );
  }

  /** Hashes the object as it is now and writes its checksum record again. */
  private async repair(key: string): Promise<S3Sidecar> {
    const response = await this.send(
      () => this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) })),
      `read ${this.locationOf(key)} to recompute its checksums`,
      key,
    );
    const digest = new ChecksumStream();
    await pipeline(response.Body as Readable, digest, async (source: AsyncIterable<Buffer>) => {
      for await (const _ of source);
    });
    const { size, checksum } = digest.result();
    const sidecar: S3Sidecar = {
      format: 'sat-s3/1',
      size,
      sha256: checksum.sha256,
      md5: checksum.md5,
      etag: plainEtag(response.ETag),
      modified: (response.LastModified ?? new Date()).toISOString(),
      ...(response.ContentType ? { contentType: response.ContentType } : {}),
      ...(decodeMeta(response.Metadata) ? { metadata: decodeMeta(response.Metadata) } : {}),
    };
    await this.writeSidecar(key, sidecar);
    return sidecar;
  }

  private verified(key: string, body: Readable, sidecar: S3Sidecar): Readable {
    const verify = new ChecksumStream({
      check: (actual) =>
        actual.checksum.sha256 !== sidecar.sha256 || actual.size !== sidecar.size
          ? new SatError(
              'CHECKSUM_MISMATCH',
              `${PKG} ${this.locationOf(key)} is damaged: ${actual.size} bytes, sha256 ${actual.checksum.sha256.slice(0, 16)}…, expected ${sidecar.size} bytes, ${sidecar.sha256.slice(0, 16)}… (its bytes differ from the checksums recorded when it was written; use another copy)`,
              {
                details: {
                  key,
                  expected: { sha256: sidecar.sha256, size: sidecar.size },
                  actual: { sha256: actual.checksum.sha256, size: actual.size },
                  retryable: false,
                },
              },
            )
          : undefined,
    });
    body.on('error', (error) => verify.destroy(this.fail(error, `read ${this.locationOf(key)}`, key)));
    verify.on('close', () => body.destroy());
    body.pipe(verify);
    return verify;
  }

  private describe(key: string, sidecar: S3Sidecar, modified: Date | undefined): StoredObject {
    return {
      key,
      size: sidecar.size,
      checksum: sidecarChecksums(sidecar),
      modified: modified ?? new Date(sidecar.modified),
      ...(sidecar.contentType ? { contentType: sidecar.contentType } : {}),
      ...(sidecar.metadata ? { metadata: sidecar.metadata } : {}),
    };
  }
}
