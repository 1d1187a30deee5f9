import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  createSnapshot,
  emptySessionState,
  getLatestSnapshot,
  loadConfig,
  readSessionEvents,
  reduceSession,
  type SnapshotIssue,
  snapshotDir,
} from '../../src/index.js';
import { checksumOf, readSnapshotFile } from '../../src/snapshots/snapshot-store.js';
import { fixture, spawnTs, tempDir } from '../helpers.js';

const CHILD = fixture('snapshot-child.ts');
const TRIALS = 30;

async function foldUpTo(logsDir: string, session: string, seq: number) {
  let state = emptySessionState(session);
  for await (const e of readSessionEvents(logsDir, session, { quarantine: false }))
    if (e.seq <= seq) state = reduceSession(state, e);
  return state;
}

describe('a snapshot writer killed with SIGKILL at a random moment', () => {
  it(`always leaves the complete previous or the complete new snapshot, never an empty or partial file (${TRIALS} trials)`, async () => {
    const root = tempDir('sat-snap-crash-');
    const session = 'crash-session';
    const config = loadConfig({ root, cwd: root, env: {} });
    const dir = snapshotDir(config.paths.state, session);
    let leftTemp = 0;
    let lastPrinted = 0;
    for (let trial = 0; trial < TRIALS; trial++) {
      const child = spawnTs(CHILD, [root, session]);
      let out = '';
      let errors = '';
      child.stderr!.on('data', (d) => (errors += d));
      await new Promise<void>((resolve) => {
        let scheduled = false;
        child.stdout!.on('data', (chunk) => {
          out += chunk;
          const printed = out.split('\n').filter((line) => line.startsWith('snapshot '));
          if (printed.length > 0) lastPrinted = Number(printed.at(-1)!.split(' ')[2]);
          if (printed.length > 0 && !scheduled) {
            scheduled = true;
            // Snapshots take a few ms each, back to back: a kill lands before, inside or after one.
            setTimeout(() => child.kill('SIGKILL'), Math.random() * 40);
          }
        });
        child.on('close', () => resolve());
      });
      expect(errors).toBe('');

      const names = readdirSync(dir);
      leftTemp += names.filter((n) => n.includes('.tmp-')).length;
      // Every file under a final name is a whole snapshot.
      for (const name of names.filter((n) => n.endsWith('.json.gz'))) {
        expect(statSync(join(dir, name)).size).toBeGreaterThan(0);
        expect(() => readSnapshotFile(dir, session, name)).not.toThrow();
      }
      // Every complete index line names a file that matches its checksum.
      for (const line of readFileSync(join(dir, 'index.jsonl'), 'utf8').split('\n')) {
        let meta: { file: string; checksum: string } | undefined;
        try {
          meta = JSON.parse(line);
        } catch {
          continue; // a torn last line
        }
        expect(checksumOf(readFileSync(join(dir, meta!.file)))).toBe(meta!.checksum);
      }
      const issues: SnapshotIssue[] = [];
      const latest = getLatestSnapshot(config, session, { onIssue: (i) => issues.push(i) });
      expect(issues.filter((i) => i.kind === 'corrupt-snapshot')).toEqual([]);
      expect(latest).toBeDefined();
      // The last snapshot the child reported is there (or a newer one it finished before dying).
      expect(latest!.meta.seq).toBeGreaterThanOrEqual(lastPrinted);
      expect(latest!.state).toEqual(await foldUpTo(config.paths.logs, session, latest!.meta.seq));
    }
    // Afterwards a snapshot is taken as usual: the dead writer's lock is taken over and its temporary files removed.
    const after = await createSnapshot(config, session);
    expect(readdirSync(dir).filter((n) => n.includes('.tmp-'))).toEqual([]);
    expect(after.state).toEqual(await foldUpTo(config.paths.logs, session, after.snapshot.seq));
    console.log(
      `${TRIALS} kills; ${leftTemp} left a temporary file behind (killed mid-write), never a partial snapshot`,
    );
  }, 180_000);
});
