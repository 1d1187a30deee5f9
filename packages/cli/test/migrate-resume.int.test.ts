/**
 * `sat migrate --to mongo` killed (SIGKILL) half way through its copy, in a real child process
 * (the built `sat`), then run again: it resumes the marked partial copy, finishes, verifies and
 * switches, with every event applied once.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { plantedHistory, writeHistory } from '@sat/core/fixtures';
import { type MongoTestServer, startMongoTestServer } from '@sat/store-mongo/testing';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BUILT_BIN, tempDir } from './helpers.js';

let server: MongoTestServer;
let client: MongoClient;
beforeAll(async () => {
  server = await startMongoTestServer();
  client = await new MongoClient(server.url).connect();
});
afterAll(async () => {
  await client?.close();
  await server?.close();
});

function migrate(home: string, onStart?: (kill: () => void) => void) {
  const scratch = mkdtempSync(join(tmpdir(), 'sat-migrate-'));
  const child = spawn(
    process.execPath,
    [BUILT_BIN, 'migrate', '--to', 'mongo', '--url', server.url, '--database', 'resume', '--yes', '--json'],
    { env: { ...process.env, SAT_HOME: home, HOME: scratch, CLAUDE_PROJECT_DIR: scratch }, stdio: 'pipe' },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
  child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
  onStart?.(() => child.kill('SIGKILL'));
  return new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((done) =>
    child.on('close', (code, signal) => done({ code, signal, stdout, stderr })),
  );
}

it('resumes after a SIGKILL half way and finishes with every event once', { timeout: 120_000 }, async () => {
  const home = tempDir();
  const events = await writeHistory(
    join(home, 'logs'),
    plantedHistory({ seed: 3, sessions: 30, eventsPerSession: 500 }),
  );
  const claimed = () => client.db('resume').collection('events').countDocuments();
  let seenAtKill = 0;
  const killed = await migrate(home, (kill) => {
    const poll = setInterval(async () => {
      seenAtKill = await claimed().catch(() => 0);
      if (seenAtKill >= 5000) {
        clearInterval(poll);
        kill();
      }
    }, 20);
  });
  expect(killed.signal, killed.stderr).toBe('SIGKILL');
  expect(seenAtKill).toBeGreaterThan(0);
  expect(seenAtKill).toBeLessThan(events);
  const marker = await client
    .db('resume')
    .collection('meta')
    .findOne({ _id: 'migration' as never });
  expect(JSON.parse(marker!.value).state).toBe('copying');
  expect(existsSync(join(home, 'sat.config.json'))).toBe(false);

  const resumed = await migrate(home);
  expect(resumed.code, resumed.stderr).toBe(0);
  const result = JSON.parse(resumed.stdout);
  expect(result).toMatchObject({ ok: true, resume: true, events, differences: [] });
  expect(result.copied.applied).toBeLessThan(events);
  expect(await claimed()).toBe(events);
  expect(JSON.parse(readFileSync(join(home, 'sat.config.json'), 'utf8')).store.kind).toBe('mongo');
});
