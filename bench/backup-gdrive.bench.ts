/**
 * Backups to Google Drive, against the local Drive v3 server of `@sat/backup-gdrive`'s tests run
 * in a child process of its own (so its memory and CPU for storing bytes are not the client's):
 * a 50 MB session backed up through core's `backupSession` (bundle, resumable upload, md5 check,
 * full read-back); then the peak memory of a fresh client process that puts a 1 GiB bundle
 * through the target (8 MiB chunks) and reads it back verified.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  backupSession,
  closeSessionLog,
  EventWriter,
  loadConfig,
  restoreSession,
  sessionLogFiles,
} from '@sat/core';
import { realisticEvents } from '@sat/core/fixtures';
import { createGoogleDriveTarget, GDRIVE_TOKEN_FILE } from '../packages/backup-gdrive/src/index.ts';
import { writeTokenFile } from '../packages/backup-gdrive/src/token-file.ts';
import type { FakeDriveReady } from '../packages/backup-gdrive/test/fixtures/fake-drive-process.ts';
import type { PutChildReport } from '../packages/backup-gdrive/test/fixtures/put-child.ts';
import {
  bundleForNode,
  formatBytes,
  heading,
  makeTempDir,
  note,
  removeTempDir,
  report,
  runFixture,
  startFixture,
  toMiB,
  waitForQuietDisk,
} from './lib.ts';

const SESSION_MIB = 50;
const BIG_BYTES = 1024 * 1024 * 1024;
const SERVER = fileURLToPath(
  new URL('../packages/backup-gdrive/test/fixtures/fake-drive-process.ts', import.meta.url),
);
const PUT_CHILD = fileURLToPath(
  new URL('../packages/backup-gdrive/test/fixtures/put-child.ts', import.meta.url),
);

type ServerMessage = FakeDriveReady | { type: 'stats'; uploads: number[]; requests: Record<string, number> };

async function withServer<T>(
  fn: (ready: FakeDriveReady, credentialsDir: string, stats: () => Promise<ServerMessage>) => Promise<T>,
): Promise<T> {
  const server = startFixture<ServerMessage>(SERVER, []);
  const credentials = makeTempDir('sat-bench-gdrive-cred-');
  try {
    const ready = (await server.waitFor((m) => m.type === 'ready')) as FakeDriveReady;
    writeTokenFile(join(credentials, GDRIVE_TOKEN_FILE), {
      format: 'sat-gdrive/1',
      client_id: ready.clientId,
      client_secret: ready.clientSecret,
      ...ready.tokens,
      created: new Date().toISOString(),
    });
    const stats = async () => {
      const seen = server.messages.length;
      server.send('stats');
      return server.waitFor((m) => m.type === 'stats' && server.messages.indexOf(m) >= seen);
    };
    return await fn(ready, credentials, stats);
  } finally {
    server.send('stop');
    await server.exited.catch(() => undefined);
    removeTempDir(credentials);
  }
}

/** Writes a realistic, ended session of about `mib` MiB of plain log. */
async function writeSession(logsDir: string, session: string, mib: number): Promise<number> {
  const writer = new EventWriter({ logsDir, highWaterBytes: 8 * 1024 * 1024 });
  const plain = sessionLogFiles(logsDir, session).plain;
  let count = 0;
  for (const event of realisticEvents({ session, seed: 3 }, Number.MAX_SAFE_INTEGER)) {
    writer.append(event);
    if (++count % 10_000 === 0) {
      await writer.flush();
      if (statSync(plain).size >= mib * 1024 * 1024) break;
    }
  }
  writer.append({ type: 'session_end', session, data: {} });
  await writer.close();
  return count;
}

async function fiftyMegabytes(): Promise<void> {
  heading(
    `backup of a ${SESSION_MIB} MB session to Google Drive (local Drive v3 server), verification included`,
  );
  const root = makeTempDir('sat-bench-gdrive-');
  try {
    await withServer(async (ready, credentialsDir, stats) => {
      const config = loadConfig({ root, cwd: root, env: {} });
      const events = await writeSession(config.paths.logs, 'bench', SESSION_MIB);
      const plainBytes = statSync(sessionLogFiles(config.paths.logs, 'bench').plain).size;
      await closeSessionLog(config.paths.logs, 'bench');
      await waitForQuietDisk(2, 30_000);
      const target = await createGoogleDriveTarget({
        credentialsDir,
        rootUrl: ready.rootUrl,
        tokenUrl: ready.tokenUrl,
      });
      const started = performance.now();
      const result = await backupSession(config, target, 'bench');
      const seconds = (performance.now() - started) / 1e3;
      const server = (await stats()) as { uploads: number[]; requests: Record<string, number> };
      note(
        `${events.toLocaleString('en-US')} events, ${formatBytes(plainBytes)} of plain log; bundle ${formatBytes(result.bytes)}; status ${result.status}; ${server.uploads.length} uploads, ${Object.values(server.requests).reduce((a, b) => a + b, 0)} requests to Drive`,
      );
      report(`backup 50 MB session to gdrive (s)`, seconds, 's', { op: '<=', value: 5 });
      const files = sessionLogFiles(config.paths.logs, 'bench');
      const { rmSync } = await import('node:fs');
      rmSync(files.compressed);
      rmSync(files.meta);
      const restoreStart = performance.now();
      await restoreSession(config, target, 'bench');
      report('restore 50 MB session from gdrive (s)', (performance.now() - restoreStart) / 1e3, 's');
    });
  } finally {
    removeTempDir(root);
  }
}

async function writeBigFile(file: string, bytes: number): Promise<void> {
  const block = randomBytes(4 * 1024 * 1024);
  const out = createWriteStream(file);
  for (let written = 0; written < bytes; written += block.length) {
    const piece = block.subarray(0, Math.min(block.length, bytes - written));
    // Vary each block so the file is not one block repeated.
    piece.writeUInt32LE(written / block.length, 0);
    if (!out.write(Buffer.from(piece)))
      await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
}

async function oneGigabyte(): Promise<void> {
  heading('peak memory: a 1 GiB bundle put through the gdrive target and read back (fresh client process)');
  const dir = makeTempDir('sat-bench-gdrive-1g-');
  try {
    const file = join(dir, 'bundle.tar.gz');
    await writeBigFile(file, BIG_BYTES);
    await waitForQuietDisk(2, 60_000);
    await withServer(async (ready, credentialsDir, stats) => {
      // Plain node on a bundle of the child: the tsx loader's own memory is not the target's.
      const bundle = await bundleForNode(PUT_CHILD, dir);
      const [r] = await runFixture<PutChildReport>(
        bundle,
        [credentialsDir, ready.rootUrl, ready.tokenUrl, file],
        {
          execArgv: [],
        },
      );
      if (!r) throw new Error('the put child sent no report');
      const server = (await stats()) as { uploads: number[] };
      note(
        `${formatBytes(r.bytes)} put in ${(r.putMs / 1e3).toFixed(1)} s, read back in ${(r.readBackMs / 1e3).toFixed(1)} s (verified: ${r.verified}); server received ${formatBytes(server.uploads[0] ?? 0)}; client baseline ${formatBytes(r.baselineRss)} (plain node, googleapis loaded)`,
      );
      if (!r.verified) throw new Error('the 1 GiB read-back did not match');
      report('gdrive put+get 1 GiB peak RSS (VmHWM)', toMiB(r.maxRss), 'MiB', { op: '<=', value: 150 });
      report('gdrive put 1 GiB (s)', r.putMs / 1e3, 's');
    });
  } finally {
    removeTempDir(dir);
  }
}

await fiftyMegabytes();
await oneGigabyte();
