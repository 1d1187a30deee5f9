/**
 * A local Google Drive v3 server for tests and benchmarks: a real node:http server on 127.0.0.1
 * (random port) speaking the endpoints the target uses, as Google documents them — files.create
 * (metadata, multipart, media and resumable uploads with 308 Resume Incomplete), files.update,
 * files.list with `q`, `fields`, `pageSize` and `pageToken`, files.get (metadata, `webViewLink`, and `alt=media`
 * with Range), files.delete, permissions.create (see fake-drive-permissions.ts), about.get, and an OAuth server (authorization with PKCE, token
 * endpoint with authorization_code and refresh_token grants, short-lived access tokens checked on
 * every call). Uploaded bytes live in a temporary folder, never in memory. Faults can be injected
 * and every request is counted.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPermission, type FakePermission, isRefusal } from './fake-drive-permissions.js';
import { applyFields, parseDriveQuery, parseFields, type QueryableFile } from './fake-drive-query.js';

const FOLDER_MIME = 'application/vnd.google-apps.folder';
const UNIT = 256 * 1024;

/** Every kind of request the server tells apart (for faults and counters). */
export type DriveOperation =
  | 'token'
  | 'authorize'
  | 'about.get'
  | 'files.list'
  | 'files.get'
  | 'files.media'
  | 'files.create'
  | 'files.update'
  | 'files.delete'
  | 'permissions.create'
  | 'upload.initiate'
  | 'upload.chunk'
  | 'upload.status'
  | 'upload.cancel'
  | 'upload.multipart'
  | 'upload.media';

/** A fault applied to the next `times` requests of one operation. */
export type DriveFault = { op: DriveOperation; times?: number } & (
  | { status: number; reason?: string; retryAfterSeconds?: number }
  | { dropAfterBytes: number }
  | { loseResponse: true }
  | { corruptUpload: true }
);

/** One stored file or folder. */
export interface FakeFile extends QueryableFile {
  id: string;
  createdTime: string;
  modifiedTime: string;
  size?: number;
  md5Checksum?: string;
  sha256Checksum?: string;
  /** Where its bytes are (binary files only). */
  contentPath?: string;
  /** Who may read it besides its owner (permissions.create). */
  permissions: FakePermission[];
}

/** One resumable upload session, with what it received. */
export interface FakeUpload {
  id: string;
  fileId?: string;
  /** Bytes committed so far. */
  committed: number;
  /** Every body byte received by this session's chunk PUTs, resent ones included. */
  bytesReceived: number;
  total?: number;
  completed?: FakeFile;
  cancelled?: boolean;
}

interface Session extends FakeUpload {
  method: 'create' | 'update';
  metadata: Record<string, unknown>;
  contentType: string;
  fields?: string;
  tmpPath: string;
  corrupt?: boolean;
}

interface AccessToken {
  expiresAt: number;
  refreshToken: string;
}

/** Options of {@link FakeDriveServer.start}. */
export interface FakeDriveOptions {
  clientId?: string;
  clientSecret?: string;
  /** Lifetime of issued access tokens. Default 3600 s. */
  accessTokenTtlSeconds?: number;
  /** Account e-mail that about.get reports. */
  email?: string;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly extraHeaders: Record<string, string> = {},
  ) {
    super(message);
  }
}

const STATUS_TEXT: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

function googleError(status: number, reason: string, message: string): string {
  return JSON.stringify({
    error: {
      code: status,
      message,
      errors: [{ message, domain: reason.includes('RateLimit') ? 'usageLimits' : 'global', reason }],
      status: STATUS_TEXT[status] ?? 'UNKNOWN',
    },
  });
}

const b64url = (buf: Buffer): string => buf.toString('base64url');

/** A local Drive v3 + OAuth server (see the file comment). */
export class FakeDriveServer {
  readonly clientId: string;
  readonly clientSecret: string;
  /** Requests per operation. */
  readonly counts: Partial<Record<DriveOperation, number>> = {};
  /** Every resumable upload session, in order. */
  readonly uploads: FakeUpload[] = [];
  private readonly files = new Map<string, FakeFile>();
  private readonly sessions = new Map<string, Session>();
  private readonly faults: Array<DriveFault & { left: number }> = [];
  private readonly codes = new Map<
    string,
    { redirectUri: string; challenge: string; method: string; scope: string }
  >();
  private readonly refreshTokens = new Map<string, { revoked: boolean }>();
  private readonly accessTokens = new Map<string, AccessToken>();
  private readonly dir = mkdtempSync(join(tmpdir(), 'fake-drive-'));
  private readonly ttl: number;
  private readonly email: string;
  private server!: Server;
  private port = 0;
  private clock = 0;

  private constructor(options: FakeDriveOptions) {
    this.clientId = options.clientId ?? 'fake-client-id.apps.googleusercontent.com';
    this.clientSecret = options.clientSecret ?? `GOCSPX-${randomBytes(12).toString('hex')}`;
    this.ttl = options.accessTokenTtlSeconds ?? 3600;
    this.email = options.email ?? 'tester@example.com';
    this.files.set(
      'root',
      this.newFile({ id: 'root', name: 'My Drive', mimeType: FOLDER_MIME, parents: [] }),
    );
  }

  /** Starts a server on 127.0.0.1 with a port the OS picks. */
  static async start(options: FakeDriveOptions = {}): Promise<FakeDriveServer> {
    const fake = new FakeDriveServer(options);
    fake.server = createServer((req, res) => {
      fake.handle(req, res).catch(async (error: unknown) => {
        if (res.headersSent || res.destroyed) return void res.destroy();
        await drain(req).catch(() => undefined);
        fake.sendError(res, error);
      });
    });
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    fake.port = (fake.server.address() as AddressInfo).port;
    return fake;
  }

  /** `http://127.0.0.1:<port>/`: the Drive API root URL. */
  get rootUrl(): string {
    return `http://127.0.0.1:${this.port}/`;
  }
  /** The OAuth token endpoint of this server (`<url>/token`). */
  get tokenUrl(): string {
    return `${this.rootUrl}token`;
  }
  /** The OAuth consent endpoint of this server, which answers with a code at once. */
  get authorizationUrl(): string {
    return `${this.rootUrl}o/oauth2/v2/auth`;
  }

  /** Stops the server and closes its open connections. */
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Applies `fault` to the next `fault.times` (default 1) requests of `fault.op`. */
  inject(fault: DriveFault): void {
    this.faults.push({ ...fault, left: fault.times ?? 1 });
  }

  /** Drops every fault not yet used. */
  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Issues a refresh token and an access token directly (as if the consent flow had run). */
  issueTokens(): { refresh_token: string; access_token: string; expiry_date: number } {
    const refresh = `1//fake-refresh-${randomBytes(24).toString('hex')}`;
    this.refreshTokens.set(refresh, { revoked: false });
    const access = this.newAccessToken(refresh);
    return {
      refresh_token: refresh,
      access_token: access,
      expiry_date: this.accessTokens.get(access)!.expiresAt,
    };
  }

  /** Makes every access token issued so far invalid (Drive answers 401 until the client refreshes). */
  expireAccessTokens(): void {
    for (const token of this.accessTokens.values()) token.expiresAt = 0;
  }

  /** Revokes every refresh token (the token endpoint answers invalid_grant). */
  revokeRefreshTokens(): void {
    for (const token of this.refreshTokens.values()) token.revoked = true;
  }

  /** Every access and refresh token issued (tests scan output for them). */
  secrets(): string[] {
    return [...this.accessTokens.keys(), ...this.refreshTokens.keys(), this.clientSecret];
  }

  /** Every untrashed binary file (not folders). */
  storedFiles(): FakeFile[] {
    return [...this.files.values()].filter((f) => f.mimeType !== FOLDER_MIME && !f.trashed);
  }

  /** Every untrashed folder, the root excepted. */
  storedFolders(): FakeFile[] {
    return [...this.files.values()].filter(
      (f) => f.mimeType === FOLDER_MIME && f.id !== 'root' && !f.trashed,
    );
  }

  /** The file whose appProperties hold `key` (the target's `satKey0...` parts). */
  fileByKey(key: string): FakeFile | undefined {
    return this.storedFiles().find((f) => {
      let k = '';
      for (let i = 0; f.appProperties[`satKey${i}`] !== undefined; i++) k += f.appProperties[`satKey${i}`];
      return k === key;
    });
  }

  /** The bytes of a stored file. */
  content(fileId: string): Buffer {
    const file = this.files.get(fileId);
    if (!file?.contentPath) throw new Error(`no content for ${fileId}`);
    return readFileSync(file.contentPath);
  }

  /** The permissions a file was given with permissions.create (copies). */
  permissionsOf(fileId: string): FakePermission[] {
    return (this.files.get(fileId)?.permissions ?? []).map((p) => ({ ...p }));
  }

  /** Flips one byte of a stored file without touching its recorded checksums (bit rot). */
  corrupt(fileId: string): void {
    const file = this.files.get(fileId);
    if (!file?.contentPath || !file.size) throw new Error(`cannot corrupt ${fileId}`);
    const bytes = readFileSync(file.contentPath);
    const at = Math.floor(bytes.length / 2);
    bytes[at] = bytes[at]! ^ 0xff;
    writeFileSync(file.contentPath, bytes);
  }

  /** Moves a file to the trash. */
  trash(fileId: string): void {
    const file = this.files.get(fileId);
    if (file) file.trashed = true;
  }

  /** Adds a file directly (as another app or the user would), for listing tests. */
  addFile(input: {
    name: string;
    parents: string[];
    appProperties?: Record<string, string>;
    data?: Buffer;
  }): FakeFile {
    const file = this.newFile({
      name: input.name,
      parents: input.parents,
      mimeType: 'application/octet-stream',
    });
    file.appProperties = { ...(input.appProperties ?? {}) };
    const data = input.data ?? Buffer.alloc(0);
    file.contentPath = join(this.dir, `${file.id}-${randomUUID()}`);
    writeFileSync(file.contentPath, data);
    file.size = data.length;
    file.md5Checksum = createHash('md5').update(data).digest('hex');
    file.sha256Checksum = createHash('sha256').update(data).digest('hex');
    this.files.set(file.id, file);
    return file;
  }

  // ---------------------------------------------------------------------------------------------

  private newFile(input: { id?: string; name: string; mimeType: string; parents: string[] }): FakeFile {
    const now = this.now();
    return {
      id: input.id ?? randomBytes(16).toString('base64url'),
      name: input.name,
      mimeType: input.mimeType,
      parents: input.parents,
      trashed: false,
      appProperties: {},
      permissions: [],
      createdTime: now,
      modifiedTime: now,
    };
  }

  /** A strictly increasing ISO time (two writes in one millisecond still order). */
  private now(): string {
    this.clock = Math.max(this.clock + 1, Date.now());
    return new Date(this.clock).toISOString();
  }

  private newAccessToken(refreshToken: string): string {
    const token = `ya29.fake-${randomBytes(24).toString('hex')}`;
    this.accessTokens.set(token, { expiresAt: Date.now() + this.ttl * 1000, refreshToken });
    return token;
  }

  private takeFault(op: DriveOperation): (DriveFault & { left: number }) | undefined {
    const fault = this.faults.find((f) => f.op === op && f.left > 0);
    if (fault) fault.left--;
    return fault;
  }

  private operationOf(req: IncomingMessage, url: URL): DriveOperation | undefined {
    const path = url.pathname;
    const method = req.method ?? 'GET';
    if (path === '/token' && method === 'POST') return 'token';
    if (path === '/o/oauth2/v2/auth') return 'authorize';
    if (path === '/drive/v3/about') return 'about.get';
    if (path === '/drive/v3/files') return method === 'POST' ? 'files.create' : 'files.list';
    if (/^\/drive\/v3\/files\/[^/]+\/permissions$/.test(path) && method === 'POST')
      return 'permissions.create';
    if (/^\/drive\/v3\/files\/[^/]+$/.test(path)) {
      if (method === 'GET') return url.searchParams.get('alt') === 'media' ? 'files.media' : 'files.get';
      if (method === 'PATCH') return 'files.update';
      if (method === 'DELETE') return 'files.delete';
    }
    if (path.startsWith('/upload/drive/v3/files')) {
      if (url.searchParams.has('upload_id')) {
        if (method === 'DELETE') return 'upload.cancel';
        if (method === 'PUT')
          return /^bytes \*\//.test(req.headers['content-range'] ?? '') ? 'upload.status' : 'upload.chunk';
      }
      const type = url.searchParams.get('uploadType');
      if (type === 'resumable') return 'upload.initiate';
      if (type === 'multipart') return 'upload.multipart';
      if (type === 'media') return 'upload.media';
    }
    return undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.rootUrl);
    const op = this.operationOf(req, url);
    if (!op) throw new HttpError(404, 'notFound', `Not Found: ${req.method} ${url.pathname}`);
    this.counts[op] = (this.counts[op] ?? 0) + 1;
    const fault = this.takeFault(op);
    if (fault && 'status' in fault) {
      await drain(req);
      throw new HttpError(
        fault.status,
        fault.reason ?? (fault.status === 429 ? 'rateLimitExceeded' : 'backendError'),
        'Injected failure',
        fault.retryAfterSeconds !== undefined ? { 'Retry-After': String(fault.retryAfterSeconds) } : {},
      );
    }
    if (op === 'token') return this.token(req, res, fault);
    if (op === 'authorize') return this.authorize(url, res);
    this.checkBearer(req);
    const lose = fault !== undefined && 'loseResponse' in fault;
    const respond = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      if (lose) {
        res.destroy();
        return;
      }
      const text = body === undefined ? '' : JSON.stringify(body);
      res.writeHead(status, {
        ...(text ? { 'Content-Type': 'application/json; charset=UTF-8' } : {}),
        'Content-Length': String(Buffer.byteLength(text)),
        ...headers,
      });
      res.end(text);
    };
    const fields = url.searchParams.get('fields') ?? undefined;
    const id = decodeURIComponent(url.pathname.split('/').pop() ?? '');
    switch (op) {
      case 'about.get':
        return respond(
          200,
          this.select(
            { kind: 'drive#about', user: { emailAddress: this.email, displayName: 'Tester' } },
            fields,
          ),
        );
      case 'files.list':
        return respond(200, this.list(url));
      case 'files.get':
        return respond(200, this.select(this.resource(this.mustGet(id)), fields ?? 'kind,id,name,mimeType'));
      case 'files.media':
        return this.media(this.mustGet(id), req, res, lose);
      case 'files.create': {
        const body = JSON.parse((await readBody(req)).toString() || '{}') as Record<string, unknown>;
        const file = this.createFromMetadata(body, 'application/octet-stream');
        if (file.mimeType !== FOLDER_MIME) this.setContent(file, Buffer.alloc(0));
        return respond(200, this.select(this.resource(file), fields ?? 'kind,id,name,mimeType'));
      }
      case 'files.update': {
        const file = this.mustGet(id);
        const body = JSON.parse((await readBody(req)).toString() || '{}') as Record<string, unknown>;
        this.applyMetadata(file, body);
        file.modifiedTime = this.now();
        return respond(200, this.select(this.resource(file), fields ?? 'kind,id,name,mimeType'));
      }
      case 'files.delete':
        this.remove(this.mustGet(id));
        return respond(204, undefined);
      case 'permissions.create': {
        const file = this.mustGet(decodeURIComponent(url.pathname.split('/').at(-2) ?? ''));
        const body = JSON.parse((await readBody(req)).toString() || '{}') as Record<string, unknown>;
        const answer = createPermission(file.permissions, body);
        if (isRefusal(answer)) throw new HttpError(answer.status, answer.reason, answer.message);
        return respond(200, this.select(answer, fields ?? 'kind,id,type,role'));
      }
      case 'upload.initiate':
        return this.initiate(req, url, respond);
      case 'upload.chunk':
      case 'upload.status':
        return this.chunk(req, url, fault, respond);
      case 'upload.cancel': {
        const session = this.sessions.get(url.searchParams.get('upload_id') ?? '');
        if (session) {
          session.cancelled = true;
          this.sessions.delete(session.id);
          rmSync(session.tmpPath, { force: true });
        }
        return respond(499, JSON.parse(googleError(499, 'clientClosedRequest', 'Client Closed Request')));
      }
      case 'upload.multipart':
        return this.multipart(req, url, respond);
      case 'upload.media': {
        const data = await readBody(req);
        const file = this.createFromMetadata(
          { name: 'Untitled' },
          req.headers['content-type'] ?? 'application/octet-stream',
        );
        this.setContent(file, data);
        return respond(200, this.select(this.resource(file), fields ?? 'kind,id,name,mimeType'));
      }
    }
  }

  private sendError(res: ServerResponse, error: unknown): void {
    const e =
      error instanceof HttpError
        ? error
        : new HttpError(500, 'internalError', (error as Error)?.message ?? 'Internal');
    const text = e.reason.startsWith('oauth:')
      ? JSON.stringify({ error: e.reason.slice(6), error_description: e.message })
      : googleError(e.status, e.reason, e.message);
    res.writeHead(e.status, { 'Content-Type': 'application/json; charset=UTF-8', ...e.extraHeaders });
    res.end(text);
  }

  private checkBearer(req: IncomingMessage): void {
    const match = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    const token = match ? this.accessTokens.get(match[1]!) : undefined;
    if (!token || token.expiresAt <= Date.now() || this.refreshTokens.get(token.refreshToken)?.revoked) {
      throw new HttpError(
        401,
        'authError',
        'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
        { 'WWW-Authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
      );
    }
  }

  private authorize(url: URL, res: ServerResponse): void {
    const p = url.searchParams;
    if (p.get('client_id') !== this.clientId)
      throw new HttpError(401, 'oauth:invalid_client', 'The OAuth client was not found.');
    const redirectUri = p.get('redirect_uri') ?? '';
    if (!/^http:\/\/(127\.0\.0\.1|localhost|\[::1\]):\d+/.test(redirectUri))
      throw new HttpError(400, 'oauth:invalid_request', 'redirect_uri must be a loopback address');
    if (p.get('response_type') !== 'code')
      throw new HttpError(400, 'oauth:unsupported_response_type', 'response_type');
    const challenge = p.get('code_challenge');
    if (!challenge || p.get('code_challenge_method') !== 'S256')
      throw new HttpError(400, 'oauth:invalid_request', 'PKCE with S256 is required');
    const code = `4/fake-code-${randomBytes(16).toString('hex')}`;
    this.codes.set(code, { redirectUri, challenge, method: 'S256', scope: p.get('scope') ?? '' });
    const target = new URL(redirectUri);
    target.searchParams.set('code', code);
    target.searchParams.set('scope', p.get('scope') ?? '');
    if (p.has('state')) target.searchParams.set('state', p.get('state')!);
    res.writeHead(302, { Location: target.toString() });
    res.end();
  }

  private async token(
    req: IncomingMessage,
    res: ServerResponse,
    fault: DriveFault | undefined,
  ): Promise<void> {
    const form = new URLSearchParams((await readBody(req)).toString());
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
    const [basicId, basicSecret] = basic ? Buffer.from(basic[1]!, 'base64').toString().split(':') : [];
    const clientId = form.get('client_id') ?? basicId;
    const clientSecret = form.get('client_secret') ?? basicSecret;
    if (clientId !== this.clientId || clientSecret !== this.clientSecret)
      throw new HttpError(401, 'oauth:invalid_client', 'Unauthorized');
    let refresh: string;
    let issueRefresh = false;
    let scope = 'https://www.googleapis.com/auth/drive.file';
    if (form.get('grant_type') === 'authorization_code') {
      const entry = this.codes.get(form.get('code') ?? '');
      this.codes.delete(form.get('code') ?? '');
      if (!entry) throw new HttpError(400, 'oauth:invalid_grant', 'Malformed auth code.');
      if (entry.redirectUri !== form.get('redirect_uri'))
        throw new HttpError(400, 'oauth:redirect_uri_mismatch', 'Bad Request');
      const verifier = form.get('code_verifier') ?? '';
      if (b64url(createHash('sha256').update(verifier).digest()) !== entry.challenge)
        throw new HttpError(400, 'oauth:invalid_grant', 'Invalid code verifier.');
      refresh = `1//fake-refresh-${randomBytes(24).toString('hex')}`;
      this.refreshTokens.set(refresh, { revoked: false });
      issueRefresh = true;
      scope = entry.scope;
    } else if (form.get('grant_type') === 'refresh_token') {
      refresh = form.get('refresh_token') ?? '';
      const known = this.refreshTokens.get(refresh);
      if (!known || known.revoked)
        throw new HttpError(400, 'oauth:invalid_grant', 'Token has been expired or revoked.');
    } else throw new HttpError(400, 'oauth:unsupported_grant_type', 'Invalid grant_type');
    const access = this.newAccessToken(refresh);
    const text = JSON.stringify({
      access_token: access,
      expires_in: this.ttl,
      scope,
      token_type: 'Bearer',
      ...(issueRefresh ? { refresh_token: refresh } : {}),
    });
    if (fault && 'loseResponse' in fault) return void res.destroy();
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' });
    res.end(text);
  }

  private select(value: unknown, fields: string | undefined): unknown {
    if (!fields) return value;
    try {
      return applyFields(value, parseFields(fields));
    } catch (error) {
      throw new HttpError(
        400,
        'invalidParameter',
        `Invalid field selection ${fields}: ${(error as Error).message}`,
      );
    }
  }

  private resource(file: FakeFile): Record<string, unknown> {
    return {
      kind: 'drive#file',
      id: file.id,
      name: file.name,
      mimeType: file.mimeType,
      parents: file.parents,
      trashed: file.trashed,
      createdTime: file.createdTime,
      modifiedTime: file.modifiedTime,
      webViewLink:
        file.mimeType === FOLDER_MIME
          ? `https://drive.google.com/drive/folders/${file.id}`
          : `https://drive.google.com/file/d/${file.id}/view?usp=drivesdk`,
      permissions: file.permissions.map((p) => ({ ...p })),
      ...(Object.keys(file.appProperties).length > 0 ? { appProperties: { ...file.appProperties } } : {}),
      ...(file.mimeType !== FOLDER_MIME
        ? { size: String(file.size ?? 0), md5Checksum: file.md5Checksum, sha256Checksum: file.sha256Checksum }
        : {}),
    };
  }

  private mustGet(id: string): FakeFile {
    const file = this.files.get(id);
    if (!file || id === 'root') throw new HttpError(404, 'notFound', `File not found: ${id}.`);
    return file;
  }

  private list(url: URL): unknown {
    const q = url.searchParams.get('q');
    let predicate: (f: QueryableFile) => boolean = () => true;
    if (q) {
      try {
        predicate = parseDriveQuery(q);
      } catch (error) {
        throw new HttpError(400, 'invalid', `Invalid Value: q (${(error as Error).message})`);
      }
    }
    const pageSize = Number(url.searchParams.get('pageSize') ?? 100);
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000)
      throw new HttpError(400, 'invalid', 'Invalid Value: pageSize');
    const token = url.searchParams.get('pageToken');
    const offset = token ? Number(Buffer.from(token, 'base64url').toString()) : 0;
    if (!Number.isInteger(offset)) throw new HttpError(400, 'invalid', 'Invalid Value: pageToken');
    const matching = [...this.files.values()].filter((f) => f.id !== 'root' && predicate(f));
    const page = matching.slice(offset, offset + pageSize);
    const next =
      offset + pageSize < matching.length
        ? Buffer.from(String(offset + pageSize)).toString('base64url')
        : undefined;
    const body = {
      kind: 'drive#fileList',
      incompleteSearch: false,
      ...(next ? { nextPageToken: next } : {}),
      files: page.map((f) => this.resource(f)),
    };
    return this.select(
      body,
      url.searchParams.get('fields') ?? 'kind,incompleteSearch,nextPageToken,files(kind,id,name,mimeType)',
    );
  }

  private async media(
    file: FakeFile,
    req: IncomingMessage,
    res: ServerResponse,
    lose: boolean,
  ): Promise<void> {
    if (file.mimeType === FOLDER_MIME || !file.contentPath)
      throw new HttpError(403, 'fileNotDownloadable', 'Only files with binary content can be downloaded.');
    if (lose) return void res.destroy();
    const size = file.size ?? 0;
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (range) {
      const start = Number(range[1]);
      const end = range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
      if (start >= size) {
        res.writeHead(416, { 'Content-Range': `bytes */${size}` });
        return void res.end();
      }
      res.writeHead(206, {
        'Content-Type': file.mimeType,
        'Content-Length': String(end - start + 1),
        'Content-Range': `bytes ${start}-${end}/${size}`,
      });
      createReadStream(file.contentPath, { start, end }).pipe(res);
      return;
    }
    res.writeHead(200, { 'Content-Type': file.mimeType, 'Content-Length': String(size) });
    if (size === 0) return void res.end();
    createReadStream(file.contentPath).pipe(res);
  }

  private createFromMetadata(body: Record<string, unknown>, defaultMime: string): FakeFile {
    const parents = (body.parents as string[] | undefined) ?? ['root'];
    if (parents.length !== 1) throw new HttpError(400, 'invalid', 'A file must have exactly one parent.');
    const parent = this.files.get(parents[0]!);
    if (!parent || parent.mimeType !== FOLDER_MIME)
      throw new HttpError(404, 'notFound', `File not found: ${parents[0]}.`);
    const file = this.newFile({
      name: typeof body.name === 'string' ? body.name : 'Untitled',
      mimeType: typeof body.mimeType === 'string' ? body.mimeType : defaultMime,
      parents: [parent.id],
    });
    this.applyMetadata(file, { appProperties: body.appProperties });
    this.files.set(file.id, file);
    return file;
  }

  private applyMetadata(file: FakeFile, body: Record<string, unknown>): void {
    if (typeof body.name === 'string') file.name = body.name;
    if (typeof body.mimeType === 'string') file.mimeType = body.mimeType;
    if (typeof body.trashed === 'boolean') file.trashed = body.trashed;
    const props = body.appProperties as Record<string, string | null> | undefined;
    if (props) {
      for (const [key, value] of Object.entries(props)) {
        if (value === null) delete file.appProperties[key];
        else {
          if (Buffer.byteLength(key) + Buffer.byteLength(value) > 124)
            throw new HttpError(
              400,
              'invalidProperty',
              `The property ${key} is too long (key + value over 124 bytes).`,
            );
          file.appProperties[key] = value;
        }
      }
      if (Object.keys(file.appProperties).length > 30)
        throw new HttpError(400, 'invalidProperty', 'Too many properties on the file.');
    }
  }

  private setContent(file: FakeFile, data: Buffer): void {
    const path = join(this.dir, `${file.id}-${randomUUID()}`);
    writeFileSync(path, data);
    this.replaceContent(file, path, data.length, {
      md5: createHash('md5').update(data).digest('hex'),
      sha256: createHash('sha256').update(data).digest('hex'),
    });
  }

  private replaceContent(
    file: FakeFile,
    path: string,
    size: number,
    sums: { md5: string; sha256: string },
  ): void {
    const old = file.contentPath;
    file.contentPath = path;
    file.size = size;
    file.md5Checksum = sums.md5;
    file.sha256Checksum = sums.sha256;
    file.modifiedTime = this.now();
    if (old) rmSync(old, { force: true });
  }

  private remove(file: FakeFile): void {
    this.files.delete(file.id);
    if (file.contentPath) rmSync(file.contentPath, { force: true });
    for (const child of [...this.files.values()]) if (child.parents.includes(file.id)) this.remove(child);
  }

  private async initiate(
    req: IncomingMessage,
    url: URL,
    respond: (status: number, body: unknown, headers?: Record<string, string>) => void,
  ): Promise<void> {
    const text = (await readBody(req)).toString();
    const metadata = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
    const match = /^\/upload\/drive\/v3\/files\/([^/]+)$/.exec(url.pathname);
    const method = req.method === 'PATCH' && match ? 'update' : 'create';
    if (method === 'update') this.mustGet(decodeURIComponent(match![1]!));
    else if (req.method !== 'POST') throw new HttpError(400, 'invalid', 'A new file is created with POST');
    else {
      const parent = this.files.get(((metadata.parents as string[] | undefined) ?? ['root'])[0]!);
      if (!parent) throw new HttpError(404, 'notFound', 'File not found: parent.');
    }
    const id = randomBytes(24).toString('base64url');
    const tmpPath = join(this.dir, `upload-${id}`);
    writeFileSync(tmpPath, Buffer.alloc(0));
    const session: Session = {
      id,
      method,
      ...(method === 'update' ? { fileId: decodeURIComponent(match![1]!) } : {}),
      metadata,
      contentType: String(
        req.headers['x-upload-content-type'] ?? metadata.mimeType ?? 'application/octet-stream',
      ),
      fields: url.searchParams.get('fields') ?? undefined,
      tmpPath,
      committed: 0,
      bytesReceived: 0,
    };
    this.sessions.set(id, session);
    this.uploads.push(session);
    const location = `${this.rootUrl}upload/drive/v3/files${method === 'update' ? `/${match![1]}` : ''}?uploadType=resumable&upload_id=${id}`;
    respond(200, undefined, { Location: location });
  }

  private async chunk(
    req: IncomingMessage,
    url: URL,
    fault: DriveFault | undefined,
    respond: (status: number, body: unknown, headers?: Record<string, string>) => void,
  ): Promise<void> {
    const session = this.sessions.get(url.searchParams.get('upload_id') ?? '');
    if (!session) {
      await drain(req);
      throw new HttpError(404, 'notFound', 'No such upload session.');
    }
    const header = req.headers['content-range'] ?? '';
    const status = /^bytes \*\/(\d+|\*)$/.exec(header);
    const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(header);
    if (fault && 'corruptUpload' in fault) session.corrupt = true;
    const finishedAnswer = (): void => {
      respond(200, this.select(this.resource(session.completed!), session.fields ?? 'kind,id,name,mimeType'));
    };
    if (session.completed) {
      await drain(req);
      return finishedAnswer();
    }
    const incomplete = (): void =>
      respond(308, undefined, session.committed > 0 ? { Range: `bytes=0-${session.committed - 1}` } : {});
    if (status) {
      await drain(req);
      if (status[1] !== '*') {
        const total = Number(status[1]);
        if (total === session.committed) {
          session.total = total;
          await this.complete(session);
          return finishedAnswer();
        }
        if (total < session.committed)
          throw new HttpError(400, 'invalid', 'Total smaller than the bytes received.');
      }
      return incomplete();
    }
    if (!range) {
      await drain(req);
      throw new HttpError(400, 'invalid', `Invalid Content-Range ${header}`);
    }
    const start = Number(range[1]);
    const end = Number(range[2]);
    const total = range[3] === '*' ? undefined : Number(range[3]);
    const length = end - start + 1;
    if (end < start || (total !== undefined && end >= total))
      throw new HttpError(400, 'invalid', `Invalid Content-Range ${header}`);
    if (Number(req.headers['content-length'] ?? -1) !== length) {
      await drain(req);
      throw new HttpError(400, 'invalid', 'Content-Length does not match Content-Range.');
    }
    const last = total !== undefined && end === total - 1;
    if (!last && length % UNIT !== 0) {
      await drain(req);
      throw new HttpError(
        400,
        'invalid',
        'Chunk sizes must be a multiple of 256 KiB except for the last chunk.',
      );
    }
    if (start > session.committed) {
      await drain(req);
      throw new HttpError(
        400,
        'invalid',
        `Chunk starts at ${start} but only ${session.committed} bytes were received.`,
      );
    }
    const drop = fault && 'dropAfterBytes' in fault ? fault.dropAfterBytes : undefined;
    const fd = openSync(session.tmpPath, 'r+');
    let offset = start;
    let received = 0;
    try {
      await new Promise<void>((resolve, reject) => {
        req.on('data', (piece: Buffer) => {
          if (drop !== undefined && received >= drop) return;
          let bytes = piece;
          if (drop !== undefined && received + bytes.length > drop)
            bytes = bytes.subarray(0, drop - received);
          received += bytes.length;
          session.bytesReceived += bytes.length;
          // Bytes before what is committed were sent again: Drive keeps the first copy.
          const skip = Math.max(0, session.committed - offset);
          if (skip < bytes.length) writeSync(fd, bytes, skip, bytes.length - skip, offset + skip);
          offset += bytes.length;
          if (drop !== undefined && received >= drop) {
            // Drive persists whole 256 KiB units of what reached it, then the connection is gone.
            session.committed = Math.max(
              session.committed,
              start + Math.floor((offset - start) / UNIT) * UNIT,
            );
            req.socket.destroy();
            resolve();
          }
        });
        req.on('end', resolve);
        req.on('error', reject);
        req.on('aborted', () => resolve());
      });
    } finally {
      closeSync(fd);
    }
    if (drop !== undefined) return;
    if (received !== length) return; // the client went away mid-chunk: nothing of it is committed
    session.committed = Math.max(session.committed, end + 1);
    if (last) {
      session.total = total;
      await this.complete(session);
      return finishedAnswer();
    }
    incomplete();
  }

  private async complete(session: Session): Promise<void> {
    if (session.corrupt && session.committed > 0) {
      const fd = openSync(session.tmpPath, 'r+');
      const one = Buffer.alloc(1);
      const at = Math.floor(session.committed / 2);
      readSync(fd, one, 0, 1, at);
      one[0] = one[0]! ^ 0xff;
      writeSync(fd, one, 0, 1, at);
      closeSync(fd);
    }
    const sums = await hashFile(session.tmpPath);
    const path = join(this.dir, `content-${session.id}`);
    renameSync(session.tmpPath, path);
    let file: FakeFile;
    if (session.method === 'update') {
      file = this.mustGet(session.fileId!);
      this.applyMetadata(file, session.metadata);
    } else {
      file = this.createFromMetadata(session.metadata, session.contentType);
      session.fileId = file.id;
    }
    this.replaceContent(file, path, statSync(path).size, sums);
    session.completed = file;
    this.sessions.set(session.id, session);
  }

  private async multipart(
    req: IncomingMessage,
    url: URL,
    respond: (status: number, body: unknown, headers?: Record<string, string>) => void,
  ): Promise<void> {
    const boundary = /boundary=("?)([^";]+)\1/.exec(req.headers['content-type'] ?? '')?.[2];
    if (!boundary) throw new HttpError(400, 'invalid', 'multipart upload without a boundary');
    const body = await readBody(req);
    const delimiter = Buffer.from(`--${boundary}`);
    const parts: Buffer[] = [];
    let at = body.indexOf(delimiter);
    while (at !== -1) {
      const next = body.indexOf(delimiter, at + delimiter.length);
      if (next === -1) break;
      parts.push(body.subarray(at + delimiter.length, next));
      at = next;
    }
    const parsed = parts.map((part) => {
      const split = part.indexOf('\r\n\r\n');
      const headers = part.subarray(0, split).toString();
      let content = part.subarray(split + 4);
      if (content.subarray(-2).toString() === '\r\n') content = content.subarray(0, -2);
      return { headers, content };
    });
    if (parsed.length !== 2) throw new HttpError(400, 'invalid', 'multipart upload needs metadata and media');
    const metadata = JSON.parse(parsed[0]!.content.toString()) as Record<string, unknown>;
    const mime = /content-type:\s*([^\r\n]+)/i.exec(parsed[1]!.headers)?.[1] ?? 'application/octet-stream';
    const file = this.createFromMetadata(metadata, mime);
    this.setContent(file, parsed[1]!.content);
    respond(200, this.select(this.resource(file), url.searchParams.get('fields') ?? 'kind,id,name,mimeType'));
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function drain(req: IncomingMessage): Promise<void> {
  if (req.readableEnded) return;
  for await (const _ of req) {
    // discard
  }
}

async function hashFile(path: string): Promise<{ md5: string; sha256: string }> {
  const md5 = createHash('md5');
  const sha256 = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) {
    md5.update(chunk as Buffer);
    sha256.update(chunk as Buffer);
  }
  return { md5: md5.digest('hex'), sha256: sha256.digest('hex') };
}
