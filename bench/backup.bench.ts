/**
 * Backups to the local target: a 50 MB session (realistic events) backed up with verification
 * (bundle, upload, checksums, full read-back), ended-but-open and already closed; then the peak
 * memory of backing up a session whose bundle holds ~1 GB of raw data, streamed.
 */
import { createWriteStream, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  backupSession,
  closeSessionLog,
  EventWriter,
  LocalDirectoryTarget,
  loadConfig,
  restoreSession,
  sessionLogFiles,
} from '@sat/core';
import { realisticEvents } from '@sat/core/fixtures';
import type { BackupChildReport } from './fixtures/backup-child.ts';
import {
  bundleForNode,
  formatBytes,
  heading,
  makeTempDir,
  note,
  removeTempDir,
  report,
  runFixture,
  toMiB,
  waitForQuietDisk,
} from './lib.ts';

const SESSION_MIB = 50;
const RAW_GIB = 1;
const CHILD = fileURLToPath(new URL('./fixtures/backup-child.ts', import.meta.url));

/** Writes a realistic session of about `mib` MiB of plain log; `end` adds session_end. */
async function writeSession(logsDir: string, session: string, mib: number, end: boolean): Promise<number> {
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
  if (end) writer.append({ type: 'session_end', session, data: {} });
  await writer.close();
  return count;
}

/** Writes ~`bytes` of random-ish, compressible JSONL (hook payloads) to `file`, streamed. */
async function writeRaw(file: string, bytes: number): Promise<void> {
  const words = [
    'Read',
    'Edit',
    'Bash',
    'Grep',
    'src/',
    'test',
    'pnpm',
    'error',
    'ok',
    'tool_use',
    'agent',
    'diff',
  ];
  let seed = 12345;
  const random = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const pool: string[] = [];
  for (let i = 0; i < 50_000; i++) {
    const text = Array.from({ length: 8 + Math.floor(random() * 24) }, () =>
      random() < 0.3 ? Math.floor(random() * 1e9).toString(36) : words[Math.floor(random() * words.length)],
    ).join(' ');
    pool.push(`{"hook":"PostToolUse","n":${i},"payload":"${text}"}\n`);
  }
  const out = createWriteStream(file);
  let written = 0;
  let line = 0;
  while (written < bytes) {
    const chunk = Buffer.from(
      Array.from({ length: 2000 }, () =>
        pool[Math.floor(random() * pool.length)]!.replace('"n":', `"n":${line++},"i":`),
      ).join(''),
    );
    written += chunk.length;
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
}

async function fiftyMegabytes(): Promise<void> {
  for (const closed of [false, true]) {
    const root = makeTempDir('sat-bench-backup-');
    try {
      const config = loadConfig({ root, cwd: root, env: {} });
      const label = closed ? 'closed' : 'ended, closed by the backup';
      heading(`backup of a ${SESSION_MIB} MB session (${label}) to the local target, verification included`);
      const events = await writeSession(config.paths.logs, 'bench', SESSION_MIB, true);
      const plainBytes = statSync(sessionLogFiles(config.paths.logs, 'bench').plain).size;
      if (closed) await closeSessionLog(config.paths.logs, 'bench');
      await waitForQuietDisk(2, 30_000);
      const target = new LocalDirectoryTarget({ dir: join(root, 'backups') });
      const started = performance.now();
      const result = await backupSession(config, target, 'bench');
      const seconds = (performance.now() - started) / 1e3;
      const input = result.files.reduce((sum, f) => sum + f.bytes, 0);
      note(
        `${events.toLocaleString('en-US')} events, ${formatBytes(plainBytes)} of plain log; bundle ${formatBytes(result.bytes)} (${result.files.length} files, ${formatBytes(input)} in); status ${result.status}`,
      );
      report(`backup 50 MB session, ${closed ? 'closed' : 'ended'} (s)`, seconds, 's', {
        op: '<=',
        value: 5,
      });
      if (closed) {
        const again = performance.now();
        const unchanged = await backupSession(config, target, 'bench');
        note(
          `re-run: ${unchanged.status} in ${((performance.now() - again) / 1e3).toFixed(2)} s (nothing sent)`,
        );
        rmSync(join(config.paths.logs, 'bench.jsonl.gz'));
        rmSync(join(config.paths.logs, 'bench.meta.json'));
        const restoreStart = performance.now();
        await restoreSession(config, target, 'bench');
        report('restore 50 MB session (s)', (performance.now() - restoreStart) / 1e3, 's');
      }
    } finally {
      removeTempDir(root);
    }
  }
}

async function oneGigabyte(): Promise<void> {
  heading(
    `peak memory: backup of a session whose bundle holds ~${RAW_GIB} GiB of raw payloads (fresh child, plain node)`,
  );
  const root = makeTempDir('sat-bench-backup-1g-');
  const outDir = makeTempDir('sat-bench-backup-bundle-');
  try {
    const config = loadConfig({ root, cwd: root, env: {} });
    await writeSession(config.paths.logs, 'big', 1, true);
    mkdirSync(join(config.paths.logs, 'raw'), { recursive: true });
    const generated = performance.now();
    await writeRaw(join(config.paths.logs, 'raw', 'big.jsonl'), RAW_GIB * 1024 * 1024 * 1024);
    note(
      `generated ${RAW_GIB} GiB of raw payloads in ${((performance.now() - generated) / 1e3).toFixed(1)} s`,
    );
    await waitForQuietDisk(2, 60_000);
    const bundle = await bundleForNode(CHILD, outDir);
    const [r] = await runFixture<BackupChildReport>(bundle, [root, 'big', join(root, 'backups')], {
      execArgv: [],
    });
    if (!r) throw new Error('the backup child sent no report');
    note(
      `${formatBytes(r.inputBytes)} in ${r.files} files -> bundle ${formatBytes(r.bundleBytes)} in ${(r.ms / 1e3).toFixed(1)} s (${r.status}); baseline ${formatBytes(r.baselineRss)}, sampled peak ${formatBytes(r.peakSampled)} (V8 heap ${formatBytes(r.heapTotalAtPeak)})`,
    );
    report('backup ~1 GiB bundle peak RSS (VmHWM)', toMiB(r.maxRss), 'MiB', { op: '<=', value: 150 });
    report('backup ~1 GiB bundle time (s)', r.ms / 1e3, 's');
  } finally {
    removeTempDir(outDir);
    removeTempDir(root);
  }
}

await fiftyMegabytes();
await oneGigabyte();
