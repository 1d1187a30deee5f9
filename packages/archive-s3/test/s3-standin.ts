/**
 * A local stand-in for the S3 endpoints s3rver lacks, for tests: a real HTTP server in front of
 * s3rver (started here on 127.0.0.1, a random port, a temporary folder) that passes every request
 * through unchanged and streaming, except:
 *
 * - GetBucketLifecycleConfiguration / PutBucketLifecycleConfiguration / DeleteBucketLifecycle
 *   (`?lifecycle`): kept per bucket, `NoSuchLifecycleConfiguration` (404) when there is none.
 * - RestoreObject (`POST /<bucket>/<key>?restore` with a RestoreRequest): 202 when a restore
 *   starts, 200 when the object is already restored, 409 `RestoreAlreadyInProgress`, 403
 *   `InvalidObjectState` for an object that is not archived.
 * - HEAD of an archived object gets `x-amz-storage-class` and `x-amz-restore`; GET of an archived,
 *   not restored object answers 403 `InvalidObjectState`. Objects uploaded with storage class
 *   GLACIER or DEEP_ARCHIVE are archived; `archive()` moves one there (what a lifecycle rule does).
 * - Uploads with `x-amz-checksum-sha256` are verified as S3 does: 400 `BadDigest` on a mismatch,
 *   nothing stored.
 * - Writes of one key (PutObject, CompleteMultipartUpload, DeleteObject) are serialised: S3
 *   replaces an object atomically, while s3rver writes its file in place, so two concurrent puts
 *   of one key would interleave their bytes there. AbortMultipartUpload (which s3rver answers
 *   405) answers 204 as S3 does.
 * - With `credentials` given, AWS Signature V4 is verified with the secret (s3rver checks only
 *   the access key id): a wrong secret gets 403 `SignatureDoesNotMatch`, as from S3.
 * - Fault injection: `failNext(n, ...)` answers the next n matching requests with an error (503
 *   SlowDown by default); `corruptNextUpload()` flips a byte of the next upload in transit.
 */
import { createHash, createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { DUMMY_ACCOUNT } from 's3rver/lib/models/account.js';

/** A request the stand-in saw. */
export interface SeenRequest {
  method: string;
  bucket: string;
  key: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
}

interface ArchivedObject {
  storageClass: string;
  restore?: { ongoing: boolean; expiry?: Date; days: number; tier: string; timer?: NodeJS.Timeout };
}

interface Fault {
  remaining: number;
  status: number;
  code: string;
  match: (r: SeenRequest) => boolean;
}

/** A running stand-in. */
export interface S3Standin {
  /** `http://127.0.0.1:<port>`: give it to the client as `endpoint` with `forcePathStyle: true`. */
  endpoint: string;
  /** s3rver's own endpoint (no stand-in features). */
  s3rverEndpoint: string;
  /** s3rver's data folder. */
  directory: string;
  /** Credentials s3rver accepts. */
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Every request seen, oldest first. */
  requests: SeenRequest[];
  /** Moves an object to an archive tier (as a lifecycle transition does). */
  archive(bucket: string, key: string, storageClass?: 'GLACIER' | 'DEEP_ARCHIVE'): void;
  /** Finishes a restore under way (the restored copy is then readable for its days). */
  completeRestore(bucket: string, key: string): void;
  /** Restores finish by themselves after this many ms (undefined: only by `completeRestore`). */
  restoreDelayMs: number | undefined;
  /** The archive state the stand-in keeps for an object. */
  archived(bucket: string, key: string): ArchivedObject | undefined;
  /** The lifecycle configuration XML of a bucket, as last put. */
  lifecycle(bucket: string): string | undefined;
  /** Answers the next `count` matching requests with an error (503 SlowDown by default). */
  failNext(
    count: number,
    options?: { status?: number; code?: string; match?: (r: SeenRequest) => boolean },
  ): void;
  /** Flips one byte of the next upload that carries a SHA-256 checksum, in transit. */
  corruptNextUpload(): void;
  /** The file s3rver keeps an object's bytes in (to damage it behind everyone's back). */
  objectFile(bucket: string, key: string): string;
  close(): Promise<void>;
}

function errorXml(code: string, message: string, resource: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><Resource>${resource}</Resource><RequestId>standin</RequestId></Error>`;
}

function sendError(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
): void {
  const body = req.method === 'HEAD' ? '' : errorXml(code, message, req.url ?? '');
  res.writeHead(status, {
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(body),
    'x-amz-request-id': 'standin',
  });
  res.end(body);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Checks a request's AWS Signature V4 (header form) against `secret`. */
function signatureMatches(req: IncomingMessage, secret: string): boolean {
  const auth = req.headers.authorization ?? '';
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
      auth,
    );
  if (!match) return false;
  const [, , day, region, service, signedHeaders, signature] = match as unknown as string[];
  const [path = '/', rawQuery = ''] = (req.url ?? '/').split('?');
  const query = rawQuery
    .split('&')
    .filter((p) => p !== '')
    .map((p) => (p.includes('=') ? p : `${p}=`))
    .sort()
    .join('&');
  const headers = signedHeaders!
    .split(';')
    .map(
      (name) =>
        `${name}:${String(req.headers[name] ?? '')
          .trim()
          .replace(/\s+/g, ' ')}\n`,
    )
    .join('');
  const payload = String(req.headers['x-amz-content-sha256'] ?? 'UNSIGNED-PAYLOAD');
  const canonical = [req.method, path, query, headers, signedHeaders, payload].join('\n');
  const scope = `${day}/${region}/${service}/aws4_request`;
  const toSign = [
    'AWS4-HMAC-SHA256',
    String(req.headers['x-amz-date']),
    scope,
    createHash('sha256').update(canonical).digest('hex'),
  ].join('\n');
  let key: Buffer = createHmac('sha256', `AWS4${secret}`).update(day!).digest();
  for (const part of [region!, service!, 'aws4_request'])
    key = createHmac('sha256', key).update(part).digest();
  return createHmac('sha256', key).update(toSign).digest('hex') === signature;
}

/**
 * Starts s3rver (with `buckets` created) and the stand-in in front of it.
 *
 * @example
 * const s3 = await startS3Standin({ buckets: ['sat-test'] });
 * const target = new S3Target({ bucket: 'sat-test', clientConfig: { endpoint: s3.endpoint, forcePathStyle: true, credentials: s3.credentials } });
 */
export async function startS3Standin(options: {
  buckets: string[];
  credentials?: { accessKeyId: string; secretAccessKey: string };
}): Promise<S3Standin> {
  const directory = mkdtempSync(join(tmpdir(), 'sat-s3rver-'));
  const credentials = options.credentials ?? { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  if (options.credentials) DUMMY_ACCOUNT.createKeyPair(credentials.accessKeyId, credentials.secretAccessKey);
  const s3rver = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory,
    configureBuckets: options.buckets.map((name) => ({ name })),
  });
  const upstream = await s3rver.run();
  const archived = new Map<string, ArchivedObject>();
  const lifecycles = new Map<string, { xml: string; minimumSize?: string }>();
  const pendingClasses = new Map<string, string>();
  const faults: Fault[] = [];
  const requests: SeenRequest[] = [];
  let corruptNext = false;
  const writing = new Map<string, Promise<void>>();
  /** Runs `write` after every earlier write of the same key has finished. */
  const serial = (id: string, write: () => Promise<void>): Promise<void> => {
    const before = writing.get(id) ?? Promise.resolve();
    const mine = before.then(write, write);
    writing.set(id, mine);
    return mine.finally(() => {
      if (writing.get(id) === mine) writing.delete(id);
    });
  };

  const objectFile = (bucket: string, key: string) => {
    const parts = key.split('/');
    const last = parts.pop()!;
    return join(directory, bucket, ...parts, `${last}._S3rver_object`);
  };

  const proxy = (
    req: IncomingMessage,
    res: ServerResponse,
    body?: Buffer,
    /** Told the upstream status; may return headers to add to the answer. */
    after?: (status: number) => unknown,
  ): Promise<void> =>
    new Promise((resolve) => {
      const headers = { ...req.headers };
      if (body) headers['content-length'] = String(body.length);
      const forward = request(
        { host: '127.0.0.1', port: upstream.port, method: req.method, path: req.url, headers },
        (answer) => {
          const extra = after?.(answer.statusCode ?? 500);
          res.writeHead(answer.statusCode ?? 500, {
            ...answer.headers,
            ...(typeof extra === 'object' ? extra : {}),
          });
          answer.pipe(res);
          answer.on('end', () => resolve());
          answer.on('error', () => resolve());
        },
      );
      forward.on('error', (error) => {
        if (!res.headersSent) sendError(req, res, 502, 'BadGateway', error.message);
        else res.destroy();
        resolve();
      });
      if (body) forward.end(body);
      else req.pipe(forward);
    });

  const restoreHeaders = (state: ArchivedObject): Record<string, string> => {
    const headers: Record<string, string> = { 'x-amz-storage-class': state.storageClass };
    if (state.restore?.ongoing) headers['x-amz-restore'] = 'ongoing-request="true"';
    else if (state.restore?.expiry)
      headers['x-amz-restore'] =
        `ongoing-request="false", expiry-date="${state.restore.expiry.toUTCString()}"`;
    return headers;
  };

  const finishRestore = (state: ArchivedObject) => {
    if (!state.restore) return;
    if (state.restore.timer) clearTimeout(state.restore.timer);
    state.restore = {
      ...state.restore,
      ongoing: false,
      timer: undefined,
      expiry: new Date(Date.now() + state.restore.days * 86_400_000),
    };
  };

  const isRestored = (state: ArchivedObject) =>
    state.restore !== undefined &&
    !state.restore.ongoing &&
    (state.restore.expiry?.getTime() ?? 0) > Date.now();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://standin');
    const [bucket = '', ...rest] = url.pathname.slice(1).split('/');
    const key = rest.map((s) => decodeURIComponent(s)).join('/');
    const seen: SeenRequest = {
      method: req.method ?? 'GET',
      bucket: decodeURIComponent(bucket),
      key,
      query: url.searchParams,
      headers: req.headers,
    };
    requests.push(seen);
    const fault = faults.find((f) => f.remaining > 0 && f.match(seen));
    if (fault) {
      fault.remaining--;
      req.resume();
      return sendError(req, res, fault.status, fault.code, 'injected by the test stand-in');
    }
    if (
      options.credentials &&
      req.headers.authorization?.includes(`Credential=${credentials.accessKeyId}/`)
    ) {
      if (!signatureMatches(req, credentials.secretAccessKey)) {
        req.resume();
        const body =
          req.method === 'HEAD'
            ? ''
            : `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match the signature you provided. Check your key and signing method.</Message><AWSAccessKeyId>${credentials.accessKeyId}</AWSAccessKeyId><RequestId>standin</RequestId></Error>`;
        res.writeHead(403, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
        return void res.end(body);
      }
    }
    const id = `${seen.bucket}/${key}`;
    const q = url.searchParams;

    if (key === '' && q.has('lifecycle')) {
      if (!existsSync(join(directory, seen.bucket))) {
        req.resume();
        return sendError(req, res, 404, 'NoSuchBucket', 'The specified bucket does not exist');
      }
      if (req.method === 'GET') {
        const stored = lifecycles.get(seen.bucket);
        if (!stored)
          return sendError(
            req,
            res,
            404,
            'NoSuchLifecycleConfiguration',
            'The lifecycle configuration does not exist',
          );
        res.writeHead(200, {
          'content-type': 'application/xml',
          ...(stored.minimumSize
            ? { 'x-amz-transition-default-minimum-object-size': stored.minimumSize }
            : {}),
        });
        return void res.end(stored.xml);
      }
      if (req.method === 'PUT') {
        const xml = (await readBody(req)).toString('utf8');
        if (!/<LifecycleConfiguration[\s>]/.test(xml) || !/<Rule>/.test(xml))
          return sendError(req, res, 400, 'MalformedXML', 'The XML you provided was not well-formed');
        const minimumSize =
          (req.headers['x-amz-transition-default-minimum-object-size'] as string | undefined) ??
          'all_storage_classes_128K';
        lifecycles.set(seen.bucket, { xml, minimumSize });
        res.writeHead(200, { 'x-amz-transition-default-minimum-object-size': minimumSize });
        return void res.end();
      }
      if (req.method === 'DELETE') {
        lifecycles.delete(seen.bucket);
        res.writeHead(204);
        return void res.end();
      }
    }

    if (key !== '' && req.method === 'POST' && q.has('restore')) {
      const xml = (await readBody(req)).toString('utf8');
      if (!existsSync(objectFile(seen.bucket, key)))
        return sendError(req, res, 404, 'NoSuchKey', 'The specified key does not exist.');
      const state = archived.get(id);
      if (!state)
        return sendError(
          req,
          res,
          403,
          'InvalidObjectState',
          "Restore is not allowed for the object's current storage class",
        );
      const days = Number(/<Days>(\d+)<\/Days>/.exec(xml)?.[1] ?? 'NaN');
      const tier = /<Tier>(\w+)<\/Tier>/.exec(xml)?.[1] ?? 'Standard';
      if (!Number.isInteger(days) || days < 1)
        return sendError(req, res, 400, 'MalformedXML', 'Days is required');
      if (!['Standard', 'Bulk', 'Expedited'].includes(tier))
        return sendError(req, res, 400, 'MalformedXML', 'Invalid Tier');
      if (tier === 'Expedited' && state.storageClass === 'DEEP_ARCHIVE')
        return sendError(
          req,
          res,
          400,
          'InvalidArgument',
          'Expedited retrieval is not supported for DEEP_ARCHIVE',
        );
      if (state.restore?.ongoing)
        return sendError(req, res, 409, 'RestoreAlreadyInProgress', 'Object restore is already in progress');
      if (isRestored(state)) {
        state.restore = { ...state.restore!, days, expiry: new Date(Date.now() + days * 86_400_000) };
        res.writeHead(200);
        return void res.end();
      }
      state.restore = { ongoing: true, days, tier };
      if (api.restoreDelayMs !== undefined) {
        state.restore.timer = setTimeout(() => finishRestore(state), api.restoreDelayMs);
        state.restore.timer.unref();
      }
      res.writeHead(202);
      return void res.end();
    }

    const state = key !== '' ? archived.get(id) : undefined;
    if (state && req.method === 'GET' && !q.has('uploadId') && !isRestored(state))
      return sendError(
        req,
        res,
        403,
        'InvalidObjectState',
        "The operation is not valid for the object's storage class",
      );
    if (state && req.method === 'HEAD')
      return proxy(req, res, undefined, (status) => (status === 200 ? restoreHeaders(state) : undefined));

    if (key !== '' && req.method === 'PUT') {
      const expected = req.headers['x-amz-checksum-sha256'] as string | undefined;
      let body: Buffer | undefined;
      if (expected !== undefined) {
        body = await readBody(req);
        if (corruptNext && body.length > 0) {
          corruptNext = false;
          body = Buffer.from(body);
          body[body.length >> 1]! ^= 0x01;
        }
        if (createHash('sha256').update(body).digest('base64') !== expected)
          return sendError(
            req,
            res,
            400,
            'BadDigest',
            'The SHA256 you specified did not match the calculated checksum.',
          );
      }
      const storageClass = req.headers['x-amz-storage-class'] as string | undefined;
      const simple = !q.has('uploadId');
      const put = () =>
        proxy(req, res, body, (status) => {
          if (status !== 200 || !simple) return;
          if (storageClass === 'GLACIER' || storageClass === 'DEEP_ARCHIVE')
            archived.set(id, { storageClass });
          else archived.delete(id);
        });
      if (!simple) return put();
      // A streamed body is read whole first, so the write to s3rver is short and serialised.
      body ??= await readBody(req);
      return serial(id, put);
    }
    if (key !== '' && req.method === 'POST' && q.has('uploads')) {
      pendingClasses.set(id, (req.headers['x-amz-storage-class'] as string | undefined) ?? 'STANDARD');
      return proxy(req, res);
    }
    if (key !== '' && req.method === 'POST' && q.has('uploadId')) {
      return serial(id, () =>
        proxy(req, res, undefined, (status) => {
          if (status !== 200) return;
          const cls = pendingClasses.get(id);
          pendingClasses.delete(id);
          if (cls === 'GLACIER' || cls === 'DEEP_ARCHIVE') archived.set(id, { storageClass: cls });
          else archived.delete(id);
        }),
      );
    }
    if (key !== '' && req.method === 'DELETE' && q.has('uploadId')) {
      req.resume();
      pendingClasses.delete(id);
      res.writeHead(204);
      return void res.end();
    }
    if (key !== '' && req.method === 'DELETE') {
      return serial(id, () =>
        proxy(req, res, undefined, (status) => {
          if (status < 300) archived.delete(id);
        }),
      );
    }
    return proxy(req, res);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendError(req, res, 500, 'InternalError', (error as Error).message);
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  const api: S3Standin = {
    endpoint: `http://127.0.0.1:${port}`,
    s3rverEndpoint: `http://127.0.0.1:${upstream.port}`,
    directory,
    credentials,
    requests,
    restoreDelayMs: undefined,
    archive(bucket, key, storageClass = 'GLACIER') {
      if (!existsSync(objectFile(bucket, key)))
        throw new Error(`stand-in: no object ${bucket}/${key} to archive`);
      archived.set(`${bucket}/${key}`, { storageClass });
    },
    completeRestore(bucket, key) {
      const state = archived.get(`${bucket}/${key}`);
      if (!state?.restore?.ongoing) throw new Error(`stand-in: no restore under way for ${bucket}/${key}`);
      finishRestore(state);
    },
    archived: (bucket, key) => archived.get(`${bucket}/${key}`),
    lifecycle: (bucket) => lifecycles.get(bucket)?.xml,
    failNext(count, options = {}) {
      faults.push({
        remaining: count,
        status: options.status ?? 503,
        code: options.code ?? 'SlowDown',
        match: options.match ?? (() => true),
      });
    },
    corruptNextUpload() {
      corruptNext = true;
    },
    objectFile,
    async close() {
      for (const state of archived.values()) if (state.restore?.timer) clearTimeout(state.restore.timer);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await s3rver.close();
      if (options.credentials) DUMMY_ACCOUNT.revokeAccessKey(credentials.accessKeyId);
      rmSync(directory, { recursive: true, force: true });
    },
  };
  return api;
}
