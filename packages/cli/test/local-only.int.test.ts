import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FakeDriveServer } from '@sat/backup-gdrive/testing';
import { type MongoTestServer, startMongoTestServer } from '@sat/store-mongo/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, sat, tempDir } from './helpers.js';

/** A TCP relay in front of the Mongo test server that counts the connections it is asked for. */
interface CountingRelay {
  port: number;
  connections: number;
  close(): Promise<void>;
}

async function startRelay(targetPort: number): Promise<CountingRelay> {
  const sockets = new Set<Socket>();
  const relay: CountingRelay = { port: 0, connections: 0, close: async () => {} };
  const server: Server = createServer((client) => {
    relay.connections++;
    const upstream = connect(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => sockets.delete(socket));
    }
    client.pipe(upstream).pipe(client);
  });
  // On every address, so 127.0.0.2 (not one of the hosts local-only mode calls local) reaches it.
  await new Promise<void>((done) => server.listen(0, '0.0.0.0', done));
  relay.port = (server.address() as { port: number }).port;
  relay.close = () =>
    new Promise<void>((done) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => done());
    });
  return relay;
}

let drive: FakeDriveServer;
let s3: { endpoint: string; requests: unknown[]; close(): Promise<void> };
let mongo: MongoTestServer;
let relay: CountingRelay;
const BUCKET = 'sat-local-only';
const KEY_ID = 'AKIASATLOCALONLY0001';
const SECRET = `local-only/${randomUUID()}`;

beforeAll(async () => {
  drive = await FakeDriveServer.start();
  const url = pathToFileURL(join(REPO, 'packages/archive-s3/test/s3-standin.ts')).href;
  const { startS3Standin } = await import(url);
  s3 = await startS3Standin({
    buckets: [BUCKET],
    credentials: { accessKeyId: KEY_ID, secretAccessKey: SECRET },
  });
  mongo = await startMongoTestServer();
  relay = await startRelay(Number(new URL(mongo.url.replace('mongodb://', 'http://')).port));
});
afterAll(async () => {
  await Promise.all([drive?.close(), s3?.close(), relay?.close()]);
  await mongo?.close();
});

function cloudEnv(): Record<string, string> {
  return {
    SAT_GDRIVE_CLIENT_SECRET: drive.clientSecret,
    SAT_GDRIVE_AUTH_URL: drive.authorizationUrl,
    SAT_GDRIVE_TOKEN_URL: drive.tokenUrl,
    SAT_GDRIVE_API_URL: drive.rootUrl,
    SAT_S3_BUCKET: BUCKET,
    SAT_S3_ENDPOINT: s3.endpoint,
    SAT_S3_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: KEY_ID,
    AWS_SECRET_ACCESS_KEY: SECRET,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PROFILE: '',
    SAT_MONGO_URL: `mongodb://127.0.0.2:${relay.port}/?directConnection=true&serverSelectionTimeoutMS=3000`,
    SAT_MONGO_DATABASE: 'local_only',
  };
}

const requestsSeen = () =>
  Object.values(drive.counts).reduce((a, b) => a + (b ?? 0), 0) + s3.requests.length + relay.connections;

/** A data root with one ended session of the bundled samples, its hooks' data and a local backup. */
async function history(): Promise<{ home: string; session: string }> {
  const home = tempDir();
  expect((await sat(['import', '--sample'], { home })).code).toBe(0);
  const session = '55604662-cf2a-4331-851a-ec234028f8ca';
  expect((await sat(['backup', session, '--target', 'local'], { home })).code).toBe(0);
  return { home, session };
}

/** Plays a hook-captured session that ends, ingests it, and checks its automatic backup went to `<home>/backups`. */
async function expectLocalAutoBackup(home: string, env: Record<string, string>): Promise<void> {
  const spool = join(home, 'logs', 'spool');
  mkdirSync(spool, { recursive: true });
  const hook = (n: number, payload: object) =>
    writeFileSync(join(spool, `${Date.now()}00000${n}-4242.json`), JSON.stringify(payload));
  hook(1, { session_id: 'local-auto', hook_event_name: 'SessionStart', source: 'startup', cwd: home });
  hook(2, { session_id: 'local-auto', hook_event_name: 'SessionEnd', reason: 'exit', cwd: home });
  const ingest = await sat(['ingest', '--json'], { home, env });
  expect(ingest.code, ingest.stderr).toBe(0);
  expect(JSON.parse(ingest.stdout).backups).toMatchObject([
    { session: 'local-auto', status: 'uploaded', location: expect.stringContaining(join(home, 'backups')) },
  ]);
}

describe('local-only mode (privacy.localOnly) with a fake Drive, an S3 stand-in and a Mongo relay watched', () => {
  it('the relay is reachable: without the mode, a remote MongoDB store is contacted', async () => {
    const { home } = await history();
    const before = relay.connections;
    const run = await sat(['stats', 'agents', '--json'], {
      home,
      env: { ...cloudEnv(), SAT_STORE: 'mongo' },
    });
    expect(run.code, run.stderr).toBe(0);
    expect(relay.connections).toBeGreaterThan(before);
  });

  it('every command that would contact a cloud target is refused naming the setting; no request reaches any server', async () => {
    const { home, session } = await history();
    writeFileSync(join(home, 'sat.config.json'), JSON.stringify({ privacy: { localOnly: true } }));
    const before = requestsSeen();
    const refused: string[][] = [
      ['backup', session, '--target', 'gdrive'],
      ['backup', session, '--target', 's3'],
      ['backup', session, '--target', 'mongo'],
      ['backup', '--test', '--target', 'gdrive'],
      ['restore', session, '--target', 'gdrive', '--force'],
      ['restore', session, '--target', 's3', '--force'],
      ['backups', '--target', 's3'],
      ['backups', '--target', 'mongo'],
      ['archive', 'list'],
      ['archive', 'phase', '1', '--yes'],
      ['archive', 'restore', '1'],
      ['archive', 'auto', '--yes'],
      ['setup', 'gdrive', '--client-id', drive.clientId, '--no-browser'],
      ['setup', 's3', '--bucket', BUCKET, '--endpoint', s3.endpoint],
      ['stats', 'agents'],
      ['migrate', '--to', 'mongo', '--yes'],
      ['share', session, '--target', 'gdrive', '--anyone', '--out', join(home, 'shared.sat.tgz')],
      ['import', 'https://drive.google.com/file/d/1AbCdEfGhIjKlMnOpQrStUvWxYz012345/view'],
    ];
    for (const args of refused) {
      const env = { ...cloudEnv(), ...(args[0] === 'stats' ? { SAT_STORE: 'mongo' } : {}) };
      const run = await sat(args, { home, env });
      expect(run.code, `sat ${args.join(' ')}: ${run.stdout}`).toBe(1);
      expect(run.stderr, `sat ${args.join(' ')}`).toContain('local-only mode is on');
      expect(run.stderr, `sat ${args.join(' ')}`).toContain('"localOnly": false');
    }
    expect(requestsSeen()).toBe(before);
    expect(existsSync(join(home, 'shared.sat.tgz'))).toBe(false);
  });

  it('automatic backups go to the local folder even when backup.target is gdrive; the environment variable names itself', async () => {
    const home = tempDir();
    const env = { ...cloudEnv(), SAT_LOCAL_ONLY: '1', SAT_BACKUP_TARGET: 'gdrive' };
    const before = requestsSeen();
    await expectLocalAutoBackup(home, env);
    const backup = await sat(['backup', '--all'], { home, env });
    expect(backup.code).toBe(1);
    expect(backup.stderr).toContain('SAT_LOCAL_ONLY=1 in the environment');
    expect(backup.stderr).toContain('unset SAT_LOCAL_ONLY');
    const doctor = JSON.parse((await sat(['doctor', '--json'], { home, env })).stdout) as {
      findings: Array<{ check: string; status: string; detail: string }>;
    };
    expect(doctor.findings.find((f) => f.check === 'privacy')).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('local-only mode on'),
    });
    expect(requestsSeen()).toBe(before);
  });

  it('sat init --local-only writes the setting; a MongoDB on this machine stays allowed', async () => {
    const home = tempDir();
    const init = await sat(['init', '--local-only', '--no-hooks'], { home });
    expect(init.code, init.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(home, 'sat.config.json'), 'utf8'))).toMatchObject({
      privacy: { localOnly: true },
    });
    expect(init.stdout).toContain('local-only mode on');
    expect((await sat(['import', '--sample'], { home })).code).toBe(0);
    const env = { SAT_STORE: 'mongo', SAT_MONGO_URL: mongo.url, SAT_MONGO_DATABASE: 'local_only_ok' };
    const stats = await sat(['stats', 'agents', '--json'], { home, env });
    expect(stats.code, stats.stderr).toBe(0);
    expect(readdirSync(join(home, 'logs')).length).toBeGreaterThan(0);
  });

  it("backup.auto 'local' keeps automatic backups local while an explicit --target gdrive still goes to Drive", async () => {
    const home = tempDir();
    const env = { ...cloudEnv(), SAT_BACKUP_AUTO: 'local', SAT_BACKUP_TARGET: 'gdrive' };
    const before = requestsSeen();
    await expectLocalAutoBackup(home, env);
    expect(requestsSeen()).toBe(before);
    const explicit = await sat(['backup', 'local-auto', '--target', 'gdrive'], { home, env });
    expect(explicit.stderr).not.toContain('local-only');
    expect(explicit.stderr).toContain('sat setup gdrive');
  });

  it('sat purge deletes the backups on a reachable S3 target; in local-only mode it names the target and queues them, sending nothing', async () => {
    const { home, session } = await history();
    const env = { ...cloudEnv(), SAT_BACKUP_TARGET: 's3', SAT_S3_PREFIX: `purge-${randomUUID()}` };
    const other = 'd6e0bada-1959-4eec-a9d2-0bfade768d8f';
    for (const id of [session, other]) expect((await sat(['backup', id], { home, env })).code).toBe(0);
    const purged = await sat(['purge', session, '--yes', '--json'], { home, env });
    expect(purged.code, purged.stderr).toBe(0);
    const remote = JSON.parse(purged.stdout).targets.find((t: { name: string }) => t.name === 's3');
    expect(remote).toMatchObject({ status: 'deleted' });
    expect(remote.keys.length).toBeGreaterThan(0);
    expect(remote.keys.every((key: string) => key.includes(session))).toBe(true);

    const before = requestsSeen();
    const offline = await sat(['purge', other, '--yes', '--json'], {
      home,
      env: { ...env, SAT_LOCAL_ONLY: '1' },
    });
    expect(offline.code, offline.stderr).toBe(0);
    expect(JSON.parse(offline.stdout).targets.find((t: { name: string }) => t.name === 's3')).toMatchObject({
      status: 'queued',
      error: expect.stringContaining('local-only mode is on'),
    });
    expect(JSON.parse(readFileSync(join(home, 'state', 'purge-queue.json'), 'utf8')).jobs).toMatchObject([
      { session: other, target: { name: 's3' } },
    ]);
    expect(requestsSeen()).toBe(before);
    const retried = await sat(['purge', session, '--yes', '--json'], { home, env });
    expect(JSON.parse(retried.stdout).targets.find((t: { name: string }) => t.name === 's3')).toMatchObject({
      status: 'deleted',
      retried: [other],
    });
  });
});
