/**
 * Sharing and importing one session: a realistic session of 50,000 events shared to a file,
 * imported into a fresh root (every event appended with its origin), imported again (nothing to
 * do), and merged back into the sharer's root after a continuation elsewhere. The peer figure
 * from the same run: a plain verified backup of the same session to a local folder.
 */
import { join } from 'node:path';
import {
  backupSession,
  EventWriter,
  importBundle,
  LocalDirectoryTarget,
  loadConfig,
  type SatConfig,
  shareSession,
} from '@sat/core';
import { realisticEvents } from '@sat/core/fixtures';
import { formatBytes, heading, makeTempDir, note, peakRss, removeTempDir, report, toMiB } from './lib.ts';

const EVENTS = 50_000;
const SESSION = 'bench-share';

function root(dir: string, user: string): SatConfig {
  return loadConfig({ root: dir, cwd: dir, env: { SAT_USER: user, SAT_MACHINE: `${user}-bench` } });
}

async function writeSession(config: SatConfig, count: number, seed: number): Promise<void> {
  const writer = new EventWriter({ logsDir: config.paths.logs, highWaterBytes: 8 * 1024 * 1024 });
  let n = 0;
  for (const event of realisticEvents({ session: SESSION, seed }, count)) {
    writer.append(event);
    if (++n % 10_000 === 0) await writer.flush();
  }
  await writer.close();
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const started = performance.now();
  const value = await fn();
  return { value, seconds: (performance.now() - started) / 1e3 };
}

const dir = makeTempDir('sat-bench-share-');
try {
  heading(`sat share and sat import of a ${EVENTS.toLocaleString('en')}-event session`);
  const ana = root(join(dir, 'ana'), 'ana');
  const bob = root(join(dir, 'bob'), 'bob');
  await writeSession(ana, EVENTS, 3);

  const shared = await timed(() => shareSession(ana, SESSION, { out: join(dir, 'a.sat.tgz') }));
  note(`bundle ${formatBytes(shared.value.bytes)}`);
  report('share, events per second', EVENTS / shared.seconds, 'events/s');

  const first = await timed(() => importBundle(bob, shared.value.file));
  report('import into a fresh root, events per second', first.value.appended / first.seconds, 'events/s');
  const again = await timed(() => importBundle(bob, shared.value.file));
  report('import again (nothing new), seconds', again.seconds, 's');

  await writeSession(bob, 2_000, 9);
  const back = await timed(async () =>
    importBundle(ana, (await shareSession(bob, SESSION, { out: join(dir, 'b.sat.tgz') })).file),
  );
  note(`merged back: ${back.value.appended} appended, ${back.value.alreadyPresent} already there`);
  report('share back and merge 52,000 events, seconds', back.seconds, 's');

  const backup = await timed(() =>
    backupSession(ana, new LocalDirectoryTarget({ dir: join(dir, 'backups') }), SESSION),
  );
  report('peer: verified local backup of the same session, seconds', backup.seconds, 's');
  report('peak RSS', toMiB(peakRss()), 'MiB');
} finally {
  removeTempDir(dir);
}
