import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { REPO, type Run, sat, tempDir } from './helpers.js';

/** The part of the S3 stand-in (packages/archive-s3/test/s3-standin.ts) these tests use. */
interface Standin {
  endpoint: string;
  requests: Array<{ method: string; key: string }>;
  archive(bucket: string, key: string): void;
  completeRestore(bucket: string, key: string): void;
  archived(
    bucket: string,
    key: string,
  ): { storageClass: string; restore?: { ongoing: boolean; tier: string } } | undefined;
  objectFile(bucket: string, key: string): string;
  close(): Promise<void>;
}

const BUCKET = 'sat-cli-archive';
const KEY_ID = 'AKIASATCLITEST000001';
const SECRET = `cli/${randomUUID()}/SecretKeyValue`;
const ARCHIVE_KEY = 'SubAgentTracking/Archive/Phase_1/phase.tar.gz';

let s3: Standin;
beforeAll(async () => {
  const url = pathToFileURL(join(REPO, 'packages/archive-s3/test/s3-standin.ts')).href;
  const { startS3Standin } = (await import(url)) as {
    startS3Standin(options: {
      buckets: string[];
      credentials: { accessKeyId: string; secretAccessKey: string };
    }): Promise<Standin>;
  };
  s3 = await startS3Standin({
    buckets: [BUCKET],
    credentials: { accessKeyId: KEY_ID, secretAccessKey: SECRET },
  });
});
afterAll(async () => {
  await s3?.close();
});

const runs: Run[] = [];
/** Each test archives under its own key prefix of the bucket. */
let prefix = '';
const objectKey = (key: string) => `${prefix}/${key}`;
function env(secret = SECRET): Record<string, string> {
  return {
    SAT_S3_BUCKET: BUCKET,
    SAT_S3_PREFIX: prefix,
    SAT_S3_ENDPOINT: s3.endpoint,
    SAT_S3_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: KEY_ID,
    AWS_SECRET_ACCESS_KEY: secret,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PROFILE: '',
    // The SDK warns on stderr that it will drop Node 20; these tests read stderr.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}
async function run(home: string, args: string[], secret?: string): Promise<Run> {
  const result = await sat(args, { home, env: env(secret) });
  runs.push(result);
  return result;
}
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** A closed session in phase `phase`; returns its id. */
async function sessionInPhase(home: string, phase: string): Promise<string> {
  expect((await run(home, ['log', 'session_start'])).code).toBe(0);
  expect((await run(home, ['phase', 'set', phase])).code).toBe(0);
  const logged = await run(home, ['log', 'decision', '--question', `Phase ${phase}?`, '--selected', 'yes']);
  expect(logged.code, logged.stderr).toBe(0);
  expect((await run(home, ['log', 'session_end'])).code).toBe(0);
  const sessions = JSON.parse((await run(home, ['sessions', '--json'])).stdout) as Array<{ session: string }>;
  return sessions[sessions.length - 1]!.session;
}

function localFiles(home: string, session: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of [`${session}.jsonl.gz`, `${session}.meta.json`]) {
    const file = join(home, 'logs', name);
    if (existsSync(file)) out[name] = sha256(file);
  }
  return out;
}

/** Waits (by polling the stand-in's request log, not the clock) until `count` more HEADs of the archive arrived. */
async function headsSeen(from: number, count: number): Promise<void> {
  for (;;) {
    const heads = s3.requests
      .slice(from)
      .filter((r) => r.method === 'HEAD' && r.key === objectKey(ARCHIVE_KEY)).length;
    if (heads >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('sat archive (S3 through s3rver and the stand-in)', () => {
  beforeEach(() => {
    prefix = `t-${randomUUID()}`;
  });

  it('archives a phase, lists it, prunes after --yes, restores it from GLACIER with --wait byte-identical', async () => {
    const home = tempDir();
    const a = await sessionInPhase(home, '1');
    const b = await sessionInPhase(home, '1');
    const c = await sessionInPhase(home, '2');
    const before = { a: localFiles(home, a), b: localFiles(home, b) };
    expect(Object.keys(before.a)).toHaveLength(2);

    // Without a terminal and without --yes: archived and verified, nothing removed.
    const first = await run(home, ['archive', 'phase', '1', '--json']);
    expect(first.code, first.stderr).toBe(0);
    const archived = JSON.parse(first.stdout);
    expect(archived.archive).toMatchObject({
      phase: '1',
      status: 'uploaded',
      archiveKey: ARCHIVE_KEY,
      verified: { checksums: true, readBack: true },
    });
    expect(archived.archive.sessions.map((s: { session: string }) => s.session).sort()).toEqual(
      [a, b].sort(),
    );
    expect(archived.pruned).toBeUndefined();
    expect(localFiles(home, a)).toEqual(before.a);
    const marker = JSON.parse(readFileSync(join(home, 'logs', `${a}.backup.json`), 'utf8'));
    expect(marker.archive).toMatchObject({ key: ARCHIVE_KEY, phase: '1', sha256: archived.archive.sha256 });
    expect(marker.log.closed).toBe(true);

    const listed = JSON.parse((await run(home, ['archive', 'list', '--json'])).stdout);
    expect(listed.archives).toEqual([
      expect.objectContaining({
        phase: '1',
        complete: true,
        bytes: archived.archive.bytes,
        state: { state: 'available', storageClass: 'STANDARD' },
      }),
    ]);

    // The policy: phase 1 is older than the newest... only with keepPhases 1 here.
    const due = await sat(['archive', 'auto'], { home, env: { ...env(), SAT_KEEP_PHASES: '0' } });
    runs.push(due);
    expect(due.code).toBe(1);
    expect(due.stderr).toMatch(/due for archiving: 2 \(1 session/);

    // Again with --yes: the same archive (unchanged), then the local files go.
    const second = await run(home, ['archive', 'phase', '1', '--yes', '--json']);
    expect(second.code, second.stderr).toBe(0);
    const pruned = JSON.parse(second.stdout);
    expect(pruned.archive.status).toBe('unchanged');
    expect(pruned.pruned.removedLocal.map((r: { session: string }) => r.session).sort()).toEqual(
      [a, b].sort(),
    );
    expect(localFiles(home, a)).toEqual({});
    expect(localFiles(home, b)).toEqual({});
    expect(Object.keys(localFiles(home, c))).toHaveLength(2);
    expect(existsSync(join(home, 'logs', `${a}.backup.json`))).toBe(true);

    // A lifecycle rule moved it to Glacier: restore requested, not yet readable.
    s3.archive(BUCKET, objectKey(ARCHIVE_KEY));
    const list2 = JSON.parse((await run(home, ['archive', 'list', '--json'])).stdout);
    expect(list2.archives[0].state).toEqual({ state: 'archived', storageClass: 'GLACIER' });
    const requested = await run(home, ['archive', 'restore', '1', '--tier', 'Bulk', '--days', '3', '--json']);
    expect(requested.code, requested.stderr).toBe(0);
    expect(JSON.parse(requested.stdout)).toMatchObject({
      status: 'restoring',
      request: 'started',
      sessions: [],
    });
    expect(s3.archived(BUCKET, objectKey(ARCHIVE_KEY))?.restore).toMatchObject({
      ongoing: true,
      tier: 'Bulk',
    });
    expect(localFiles(home, a)).toEqual({});

    // --wait polls; the restore completes while it waits.
    const from = s3.requests.length;
    const waiting = run(home, ['archive', 'restore', '1', '--wait', '--poll-seconds', '0.05', '--json']);
    await headsSeen(from, 3);
    s3.completeRestore(BUCKET, objectKey(ARCHIVE_KEY));
    const restored = await waiting;
    expect(restored.code, restored.stderr).toBe(0);
    const result = JSON.parse(restored.stdout);
    expect(result.status).toBe('restored');
    expect(result.sessions.map((s: { session: string }) => s.session).sort()).toEqual([a, b].sort());
    expect(localFiles(home, a)).toEqual(before.a);
    expect(localFiles(home, b)).toEqual(before.b);
    const events = await run(home, ['events', a, '--json']);
    expect(events.stdout.trim().split('\n').length).toBeGreaterThanOrEqual(3);
    expect(JSON.parse(readFileSync(join(home, 'logs', `${a}.backup.json`), 'utf8')).archive.key).toBe(
      ARCHIVE_KEY,
    );
  });

  it('sat review reads an archived phase (verified, not restored), and names it when it is in Glacier', async () => {
    const home = tempDir();
    const a = await sessionInPhase(home, '1');
    const b = await sessionInPhase(home, '1');
    await sessionInPhase(home, '2');
    const local = JSON.parse((await run(home, ['review', 'phase', '1', '--local-only', '--json'])).stdout);
    const archived = await run(home, ['archive', 'phase', '1', '--yes', '--json']);
    expect(archived.code, archived.stderr).toBe(0);
    expect(localFiles(home, a)).toEqual({});

    const review = await run(home, ['review', 'phase', '1', '--json']);
    expect(review.code, review.stderr).toBe(0);
    const fromArchive = JSON.parse(review.stdout);
    expect(fromArchive.sources).toMatchObject({ local: 0, archive: 2, unreadable: [] });
    expect([...fromArchive.sessions].sort()).toEqual([a, b].sort());
    expect(fromArchive.headlines).toEqual(local.headlines);
    expect(localFiles(home, a)).toEqual({});

    s3.archive(BUCKET, objectKey(ARCHIVE_KEY));
    const cold = JSON.parse((await run(home, ['review', 'phase', '1', '--json'])).stdout);
    expect(cold.sessions).toEqual([]);
    expect(cold.sources.unreadable).toEqual([
      expect.objectContaining({
        source: 'archive',
        code: 'ARCHIVED',
        reason: expect.stringContaining('sat archive restore 1 --wait'),
      }),
    ]);
    expect(s3.archived(BUCKET, objectKey(ARCHIVE_KEY))?.restore).toBeUndefined();
  });

  it('a flipped byte in the stored archive is detected: CHECKSUM_MISMATCH, nothing restored', async () => {
    const home = tempDir();
    const a = await sessionInPhase(home, '1');
    await sessionInPhase(home, '2');
    const archived = await run(home, ['archive', 'phase', '1', '--yes']);
    expect(archived.code, archived.stderr).toBe(0);
    expect(archived.stdout).toContain(`s3://${BUCKET}/${objectKey(ARCHIVE_KEY)}`);
    expect(localFiles(home, a)).toEqual({});
    const file = s3.objectFile(BUCKET, objectKey(ARCHIVE_KEY));
    const bytes = readFileSync(file);
    bytes[bytes.length >> 1]! ^= 0x01;
    writeFileSync(file, bytes);
    const restore = await run(home, ['archive', 'restore', '1']);
    expect(restore.code).toBe(1);
    expect(restore.stderr).toMatch(/damaged.*nothing was restored/);
    expect(localFiles(home, a)).toEqual({});
    expect(
      readdirSync(join(home, 'logs')).filter((n) => n.startsWith(a) && !n.endsWith('.backup.json')),
    ).toEqual([]);
  });

  it('moving to a new phase names the older phases due for archiving; sat setup s3 checks the bucket and saves it', async () => {
    const home = tempDir();
    for (const phase of ['1', '2', '3']) await sessionInPhase(home, phase);
    expect((await run(home, ['log', 'session_start'])).code).toBe(0);
    const set = await run(home, ['phase', 'set', '4', '--json']);
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout).archiveDue).toEqual(['1', '2']);
    const plain = await run(home, ['phase', 'set', '4']);
    expect(plain.stderr).toContain('phase(s) 1 (1 session(s)), 2 (1 session(s)) are older than the newest 2');
    expect(plain.stderr).toContain("'sat archive auto --yes'");

    const setup = await run(home, [
      'setup',
      's3',
      '--storage-class',
      'DEEP_ARCHIVE',
      '--transition-days',
      '3',
    ]);
    expect(setup.code, setup.stderr).toBe(0);
    expect(setup.stdout).toContain("lifecycle rule 'sat-archive-to-glacier'");
    expect(setup.stdout).toContain('DEEP_ARCHIVE after 3 day(s)');
    expect(setup.stdout).toContain('128 KB');
    expect(setup.stdout).toContain('180 days');
    const config = JSON.parse(readFileSync(join(home, 'sat.config.json'), 'utf8'));
    expect(config.archive.s3).toMatchObject({
      bucket: BUCKET,
      storageClass: 'DEEP_ARCHIVE',
      transitionDays: 3,
    });
    const again = await run(home, ['setup', 's3', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ lifecycle: 'unchanged', storageClass: 'DEEP_ARCHIVE' });
  });

  it('wrong credentials: a clear error naming the fix; the AWS secret is never printed by any run', async () => {
    const home = tempDir();
    const wrongSecret = `${SECRET}-but-wrong`;
    const failed = await run(home, ['archive', 'list'], wrongSecret);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(
      /^sat: \[archive-s3\] cannot list .*SignatureDoesNotMatch.*AWS_SECRET_ACCESS_KEY/,
    );
    const debug = await sat(['archive', 'list'], { home, env: { ...env(wrongSecret), SAT_DEBUG: '1' } });
    runs.push(debug);
    const { SAT_S3_BUCKET: _bucket, ...withoutBucket } = env();
    const missing = await sat(['archive', 'list'], { home, env: withoutBucket });
    expect(missing.stderr).toContain('SAT_S3_BUCKET');
    runs.push(missing);
    expect(runs.length).toBeGreaterThan(3);
    for (const r of runs) {
      for (const secret of [SECRET, wrongSecret]) {
        expect(r.stdout).not.toContain(secret);
        expect(r.stderr).not.toContain(secret);
      }
    }
  });
});
