import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  closeSessionLog,
  createSnapshot,
  diffSnapshots,
  emptySessionState,
  getLatestSnapshot,
  gitBlobHash,
  isSatError,
  listSnapshots,
  loadSessionState,
  loadSnapshot,
  readSessionEvents,
  reduceSession,
  replaySession,
  restoreSnapshot,
  SESSION_STATE_VERSION,
  type SnapshotIssue,
  sessionLogFiles,
  snapshotContentReader,
  snapshotDir,
} from '../../src/index.js';
import { unifiedDiff } from '../../src/snapshots/snapshot-files.js';
import { appendDrafts, type Draft, testConfig } from './snapshot-helpers.js';

const S = 'snap-session';

function decisions(n: number, from = 0): Draft[] {
  return Array.from({ length: n }, (_, i) => ({
    type: 'decision' as const,
    data: { question: `q${from + i}`, selected: 'yes', rationale: 'because' },
  }));
}

describe('createSnapshot', () => {
  it('writes a gzip JSON file with a SHA-256 in the index, and a snapshot event into the log', async () => {
    const config = testConfig();
    await appendDrafts(config, S, decisions(5));
    const result = await createSnapshot(config, S, { trigger: 'manual' });
    const dir = snapshotDir(config.paths.state, S);
    expect(result.path).toBe(join(dir, `${result.snapshot.id}.json.gz`));
    expect(result.snapshot).toMatchObject({
      session: S,
      seq: 5,
      trigger: 'manual',
      stateVersion: SESSION_STATE_VERSION,
    });
    expect(result.snapshot.checksum).toMatch(/^sha256:[0-9a-f]{64}$/);
    const body = JSON.parse(gunzipSync(readFileSync(result.path)).toString('utf8'));
    expect(body).toMatchObject({ format: 'sat-snapshot', v: 1, meta: { id: result.snapshot.id, seq: 5 } });
    expect(body.state.decisions.count).toBe(5);
    const index = readFileSync(join(dir, 'index.jsonl'), 'utf8').trim().split('\n');
    expect(index.map((line) => JSON.parse(line).id)).toEqual([result.snapshot.id]);
    const events = [];
    for await (const e of readSessionEvents(config.paths.logs, S)) events.push(e);
    expect(events.at(-1)).toMatchObject({
      seq: 6,
      type: 'snapshot',
      data: {
        snapshot_id: result.snapshot.id,
        trigger: 'manual',
        at_seq: 5,
        checksum: result.snapshot.checksum,
      },
    });
    expect(result.event.id).toBe(events.at(-1)!.id);
    expect(readdirSync(dir).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });

  it('is incremental: starts from the latest snapshot and replays only the new events, from the stored offset', async () => {
    const config = testConfig();
    await appendDrafts(config, S, decisions(200));
    const first = await createSnapshot(config, S);
    expect(first.replayed).toBe(200);
    expect(first.baseId).toBeUndefined();
    await appendDrafts(config, S, decisions(3, 200));
    const second = await createSnapshot(config, S);
    expect(second.baseId).toBe(first.snapshot.id);
    expect(second.replayed).toBe(4); // the first snapshot's event + 3 decisions
    expect(second.snapshot.logOffset).toBeGreaterThan(first.snapshot.logOffset!);
    expect(second.state).toEqual(await foldUpTo(config.paths.logs, second.snapshot.seq));
    expect(listSnapshots(config, S).map((m) => m.id)).toEqual([first.snapshot.id, second.snapshot.id]);
  });

  it('reads a closed (compressed) log from the stored offset too', async () => {
    const config = testConfig();
    await appendDrafts(config, S, decisions(50));
    const first = await createSnapshot(config, S);
    await appendDrafts(config, S, [...decisions(5, 50), { type: 'session_end', data: {} }]);
    await closeSessionLog(config.paths.logs, S);
    expect(existsSync(sessionLogFiles(config.paths.logs, S).plain)).toBe(false);
    const second = await createSnapshot(config, S, { trigger: 'session-end' });
    expect(second).toMatchObject({
      baseId: first.snapshot.id,
      replayed: 7,
      event: { skipped: expect.stringMatching(/ended/) },
    });
    expect(second.state).toEqual((await replaySession(config.paths.logs, S)).state);
    expect(second.state.ended).toBe(true);
  });

  it('throws SESSION_NOT_FOUND for a session with no log', async () => {
    const config = testConfig();
    await expect(createSnapshot(config, 'nothing-here')).rejects.toSatisfy((e) =>
      isSatError(e, 'SESSION_NOT_FOUND'),
    );
  });

  it('does not write a snapshot event after the session ended', async () => {
    const config = testConfig();
    await appendDrafts(config, S, [...decisions(2), { type: 'session_end', data: { reason: 'done' } }]);
    const result = await createSnapshot(config, S, { trigger: 'session-end' });
    expect(result.event.id).toBeUndefined();
    expect(result.event.skipped).toMatch(/ended/);
    const info = (await loadSessionState(config, S)).state;
    expect(info.lastSeq).toBe(3);
  });

  it('hashes the changed files on disk (relative to the session cwd), keeps small text contents and diffs them', async () => {
    const config = testConfig();
    const cwd = join(config.project, 'work');
    mkdirSync(join(cwd, 'src'), { recursive: true });
    writeFileSync(join(cwd, 'src/a.ts'), 'export const a = 1;\n');
    writeFileSync(join(cwd, 'big.bin'), Buffer.concat([Buffer.from([0, 1, 2]), Buffer.alloc(100)]));
    await appendDrafts(config, S, [
      { type: 'session_start', data: { cwd } },
      { type: 'file_operation', data: { operation: 'modify', path: 'src/a.ts' } },
      { type: 'file_operation', data: { operation: 'create', path: join(cwd, 'big.bin') } },
      { type: 'file_operation', data: { operation: 'create', path: 'gone.txt' } },
      { type: 'file_operation', data: { operation: 'read', path: 'README.md' } },
    ]);
    const first = await createSnapshot(config, S);
    const byPath = (r: typeof first) =>
      new Map((r.state && loadSnapshot(config, r.snapshot.id).files).map((f) => [f.path, f]));
    let files = byPath(first);
    expect([...files.keys()].sort()).toEqual([join(cwd, 'big.bin'), 'gone.txt', 'src/a.ts'].sort());
    expect(files.get('src/a.ts')).toMatchObject({
      exists: true,
      gitHash: gitBlobHash('export const a = 1;\n'),
      changed: true,
      contentStored: true,
      diffNote: 'no earlier snapshot of this file',
    });
    expect(files.get(join(cwd, 'big.bin'))).toMatchObject({
      exists: true,
      contentStored: false,
      diffNote: 'binary file',
    });
    expect(files.get('gone.txt')).toMatchObject({ exists: false, changed: true });
    expect(first.snapshot.files).toContainEqual({
      path: 'src/a.ts',
      exists: true,
      gitHash: gitBlobHash('export const a = 1;\n'),
    });

    writeFileSync(join(cwd, 'src/a.ts'), 'export const a = 2;\nexport const b = 3;\n');
    await appendDrafts(config, S, [
      { type: 'file_operation', data: { operation: 'modify', path: 'src/a.ts' } },
    ]);
    const second = await createSnapshot(config, S);
    files = byPath(second);
    const a = files.get('src/a.ts')!;
    expect(a.changed).toBe(true);
    expect(a.diff).toContain('-export const a = 1;');
    expect(a.diff).toContain('+export const a = 2;');
    expect(a.diff).toContain('+export const b = 3;');
    expect(files.get('gone.txt')?.changed).toBe(false);
    expect(files.get(join(cwd, 'big.bin'))?.changed).toBe(false);
    expect(second.changedFiles).toEqual(['src/a.ts']);

    const delta = diffSnapshots(
      loadSnapshot(config, second.snapshot.id),
      loadSnapshot(config, first.snapshot.id),
      {
        readContent: snapshotContentReader(config, S),
      },
    );
    expect(delta.swapped).toBe(true);
    expect(delta.from.id).toBe(first.snapshot.id);
    expect(delta.files).toEqual([
      expect.objectContaining({
        path: 'src/a.ts',
        change: 'modified',
        diff: expect.stringContaining('+export const b = 3;'),
      }),
    ]);
    expect(delta.events).toBe(second.state.events - first.state.events);
  });
});

describe('unifiedDiff', () => {
  it('diffs small edits, and gives up (cheaply) on a file rewritten beyond 200 lines added or removed', () => {
    const before = 'line\n'.repeat(300);
    const edited = before.replace('line\n', 'first\n');
    expect(unifiedDiff('a.txt', before, edited).diff).toContain('+first');
    const started = performance.now();
    const rewritten = unifiedDiff('a.txt', before, 'other\n'.repeat(300));
    expect(performance.now() - started).toBeLessThan(200);
    expect(rewritten).toEqual({ note: 'more than 200 lines added or removed: no diff kept' });
  });
});

describe('corrupt snapshots', () => {
  async function twoSnapshots() {
    const config = testConfig();
    await appendDrafts(config, S, decisions(10));
    const a = await createSnapshot(config, S);
    await appendDrafts(config, S, decisions(10, 10));
    const b = await createSnapshot(config, S);
    await appendDrafts(config, S, decisions(5, 20));
    return { config, a, b, dir: snapshotDir(config.paths.state, S) };
  }

  const damages: Array<[string, (file: string) => void]> = [
    [
      'a flipped byte',
      (file) => {
        const bytes = readFileSync(file);
        bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
        writeFileSync(file, bytes);
      },
    ],
    ['a truncated file', (file) => truncateSync(file, Math.floor(readFileSync(file).length / 2))],
    ['an empty file', (file) => truncateSync(file, 0)],
    ['a missing file', (file) => rmSync(file)],
  ];

  for (const [what, damage] of damages) {
    it(`detects ${what} by its checksum, reports it and falls back to the previous snapshot`, async () => {
      const { config, a, b, dir } = await twoSnapshots();
      damage(join(dir, b.snapshot.file));
      const issues: SnapshotIssue[] = [];
      const latest = getLatestSnapshot(config, S, { onIssue: (i) => issues.push(i) });
      expect(latest?.meta.id).toBe(a.snapshot.id);
      expect(issues).toEqual([expect.objectContaining({ kind: 'corrupt-snapshot', id: b.snapshot.id })]);
      expect(issues[0]!.message).toMatch(/unusable/);
      expect(listSnapshots(config, S).map((m) => m.id)).toEqual([a.snapshot.id]);
      // The current state is still exact: from the older snapshot plus the events after it.
      const loaded = await loadSessionState(config, S);
      expect(loaded.snapshot?.meta.id).toBe(a.snapshot.id);
      expect(loaded.warnings.join('\n')).toContain(b.snapshot.id);
      expect(loaded.state).toEqual((await replaySession(config.paths.logs, S)).state);
      // A new snapshot builds on the good one and says what it skipped.
      const c = await createSnapshot(config, S);
      expect(c.baseId).toBe(a.snapshot.id);
      expect(c.warnings.join('\n')).toContain(b.snapshot.id);
      expect(() => restoreSnapshot(config, b.snapshot.id)).toThrow(/unusable/);
      try {
        restoreSnapshot(config, b.snapshot.id);
      } catch (error) {
        expect(isSatError(error, 'VERIFY_FAILED')).toBe(true);
      }
    });
  }

  it('replays the whole log when every snapshot is corrupt', async () => {
    const { config, a, b, dir } = await twoSnapshots();
    for (const s of [a, b]) writeFileSync(join(dir, s.snapshot.file), 'garbage');
    const loaded = await loadSessionState(config, S);
    expect(loaded.snapshot).toBeUndefined();
    expect(loaded.warnings).toHaveLength(2);
    expect(loaded.state).toEqual((await replaySession(config.paths.logs, S)).state);
  });

  it('adopts a whole snapshot file whose index line was lost, and skips a torn index line', async () => {
    const { config, a, b, dir } = await twoSnapshots();
    const index = join(dir, 'index.jsonl');
    const lines = readFileSync(index, 'utf8').trim().split('\n');
    writeFileSync(index, `${lines[0]}\n${lines[1]!.slice(0, 40)}`);
    const issues: SnapshotIssue[] = [];
    expect(getLatestSnapshot(config, S, { onIssue: (i) => issues.push(i) })?.meta.id).toBe(b.snapshot.id);
    expect(issues.map((i) => i.kind).sort()).toEqual(['corrupt-index-line', 'orphan-adopted']);
    // The next snapshot repairs the index on a new line.
    const c = await createSnapshot(config, S);
    expect(c.baseId).toBe(b.snapshot.id);
    const ids = readFileSync(index, 'utf8')
      .split('\n')
      .flatMap((line) => {
        try {
          return [JSON.parse(line).id as string];
        } catch {
          return [];
        }
      });
    expect(ids).toEqual([a.snapshot.id, b.snapshot.id, c.snapshot.id]);
    appendFileSync(index, '\n');
    expect(listSnapshots(config, S).map((m) => m.id)).toEqual([a.snapshot.id, b.snapshot.id, c.snapshot.id]);
  });

  it('finds a snapshot by a unique id prefix, and says when none or several match', async () => {
    const { config, b } = await twoSnapshots();
    expect(restoreSnapshot(config, b.snapshot.id).decisions.count).toBe(20);
    expect(loadSnapshot(config, b.snapshot.id.slice(0, 34)).meta.id).toBe(b.snapshot.id);
    expect(() => loadSnapshot(config, 'ffffffff')).toThrow(/no snapshot ffffffff/);
    expect(existsSync(join(config.paths.state, 'snapshots', S))).toBe(true);
  });
});

/** The pure fold of a session's events up to `seq`. */
async function foldUpTo(logsDir: string, seq: number) {
  let state = emptySessionState(S);
  for await (const e of readSessionEvents(logsDir, S, { quarantine: false }))
    if (e.seq <= seq) state = reduceSession(state, e);
  return state;
}
