import { chmodSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { writeBundle } from '../../src/backup/bundle-writer.js';
import {
  closeSessionLog,
  conflictsFile,
  createHandoff,
  eventOrigin,
  importBundle,
  isPurged,
  shareSession,
  UNKNOWN_SHARER,
  writeTombstone,
} from '../../src/index.js';
import { realisticSessionEvents } from '../../src/testing/index.js';
import { tempDir } from '../helpers.js';
import { append, eventsOf, person, tree, writeOpenSession } from './share-fixtures.js';

const S = 'shared-1';

describe('shareSession and importBundle', () => {
  it('imports every event once with its origin, and a second import changes nothing', async () => {
    const ana = person('ana');
    const bob = person('bob');
    await writeOpenSession(ana, S);
    const shared = await shareSession(ana, S, { out: join(tempDir(), 'a.sat.tgz') });
    expect(shared.shared).toMatchObject({ user: 'ana', machine: 'ana-laptop', redactPrompts: false });
    expect(statSync(shared.file).mode & 0o777).toBe(0o600);

    const first = await importBundle(bob, shared.file);
    expect(first).toMatchObject({
      status: 'imported',
      session: S,
      appended: 40,
      alreadyPresent: 0,
      conflicts: [],
    });
    expect(first.bundle).toMatchObject({ id: shared.id, format: 'sat-backup/2', events: 40, session: S });
    const theirs = await eventsOf(ana, S);
    const mine = await eventsOf(bob, S);
    expect(mine.map((e) => e.id)).toEqual(theirs.map((e) => e.id));
    for (const [i, event] of mine.entries())
      expect(eventOrigin(event)).toEqual({
        user: 'ana',
        machine: 'ana-laptop',
        bundle: shared.id,
        seq: theirs[i]!.seq,
      });

    const handoff = await createHandoff(bob, S, { writeEvent: false });
    expect(handoff.markdown).toContain('Imported from a bundle shared by ana@ana-laptop');
    expect((await createHandoff(ana, S, { writeEvent: false })).markdown).not.toContain('Imported from');

    const logBefore = tree(bob.paths.logs);
    const again = await importBundle(bob, shared.file);
    expect(again).toMatchObject({ status: 'unchanged', appended: 0, alreadyPresent: 40 });
    expect(tree(bob.paths.logs)).toEqual(logBefore);
  });

  it('merges a session continued on two machines: the union by id, each once, first origins kept', async () => {
    const ana = person('ana');
    const bob = person('bob');
    await writeOpenSession(ana, S, 20);
    await importBundle(bob, (await shareSession(ana, S, { out: join(tempDir(), '1.sat.tgz') })).file);
    const more = (n: number, seed: number) =>
      [...writeOpenSessionEvents(n, seed)].map((e) => ({ ...e, session: S, id: undefined }));
    await append(bob, more(5, 7));
    await append(ana, more(3, 9));
    const back = await shareSession(bob, S, { out: join(tempDir(), '2.sat.tgz') });
    const merged = await importBundle(ana, back.file);
    expect(merged).toMatchObject({ appended: 5, alreadyPresent: 20, conflicts: [] });

    const events = await eventsOf(ana, S);
    expect(events).toHaveLength(28);
    expect(new Set(events.map((e) => e.id)).size).toBe(28);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const owners = events.map((e) => eventOrigin(e)?.user ?? 'local');
    expect(owners.filter((o) => o === 'local')).toHaveLength(23);
    expect(owners.filter((o) => o === 'bob')).toHaveLength(5);
    // A third person gets Ana's events as Ana's, Bob's as Bob's (a re-shared import keeps its first origin).
    const cy = person('cy');
    await importBundle(cy, (await shareSession(bob, S, { out: join(tempDir(), '3.sat.tgz') })).file);
    const users = (await eventsOf(cy, S)).map((e) => eventOrigin(e)?.user);
    expect(users.filter((u) => u === 'ana')).toHaveLength(20);
    expect(users.filter((u) => u === 'bob')).toHaveLength(5);
  });

  it('reports a conflicting event, keeps the local version in the log and the foreign one aside (0600/0700)', async () => {
    const ana = person('ana');
    const bob = person('bob');
    await writeOpenSession(ana, S, 10);
    const bundle = (await shareSession(ana, S, { out: join(tempDir(), 'a.sat.tgz') })).file;
    const theirs = await eventsOf(ana, S);
    const changed = theirs.find((e) => e.type === 'tool_usage')!;
    await append(bob, [
      { ...changed, data: { ...changed.data, success: !(changed.data as { success: boolean }).success } },
    ]);
    const localBefore = readFileSync(join(bob.paths.logs, `${S}.jsonl`), 'utf8');

    const result = await importBundle(bob, bundle);
    expect(result.conflicts).toEqual([
      { id: changed.id, type: 'tool_usage', file: conflictsFile(bob.paths.logs, S) },
    ]);
    expect(result.appended).toBe(9);
    const log = readFileSync(join(bob.paths.logs, `${S}.jsonl`), 'utf8');
    expect(log.startsWith(localBefore)).toBe(true);
    const kept = readFileSync(conflictsFile(bob.paths.logs, S), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatchObject({ id: changed.id, user: 'ana', event: { data: changed.data } });
    expect(statSync(conflictsFile(bob.paths.logs, S)).mode & 0o777).toBe(0o600);
    expect(statSync(join(bob.paths.logs, 'conflicts')).mode & 0o777).toBe(0o700);

    const again = await importBundle(bob, bundle);
    expect(again.conflicts).toHaveLength(1);
    expect(readFileSync(conflictsFile(bob.paths.logs, S), 'utf8').trim().split('\n')).toHaveLength(1);
  });

  it('imports a different session that reuses a local session id under a derived id, never merged', async () => {
    const ana = person('ana');
    const bob = person('bob');
    await writeOpenSession(ana, S, 12, 1);
    await writeOpenSession(bob, S, 8, 2);
    const bundle = (await shareSession(ana, S, { out: join(tempDir(), 'a.sat.tgz') })).file;
    const local = readFileSync(join(bob.paths.logs, `${S}.jsonl`), 'utf8');
    const result = await importBundle(bob, bundle);
    expect(result.reusedSessionId).toBe(S);
    expect(result.session).toMatch(/^shared-1\.import-[0-9a-f]{8}$/);
    expect(result.appended).toBe(12);
    expect(readFileSync(join(bob.paths.logs, `${S}.jsonl`), 'utf8')).toBe(local);
    expect((await eventsOf(bob, result.session)).every((e) => e.session === result.session)).toBe(true);
    const again = await importBundle(bob, bundle);
    expect(again).toMatchObject({ session: result.session, status: 'unchanged', alreadyPresent: 12 });
  });

  it('skips a purged session unless includePurged, which removes its tombstone', async () => {
    const ana = person('ana');
    const bob = person('bob');
    await writeOpenSession(ana, S, 6);
    const bundle = (await shareSession(ana, S, { out: join(tempDir(), 'a.sat.tgz') })).file;
    writeTombstone(bob.paths.logs, S);
    const skipped = await importBundle(bob, bundle);
    expect(skipped).toMatchObject({ status: 'purged', appended: 0 });
    expect(existsSync(join(bob.paths.logs, `${S}.jsonl`))).toBe(false);
    const brought = await importBundle(bob, bundle, { includePurged: true });
    expect(brought).toMatchObject({ status: 'imported', appended: 6 });
    expect(isPurged(bob.paths.logs, S)).toBe(false);
  });

  it('refuses to merge into a closed local log, naming it, and writes nothing', async () => {
    const ana = person('ana');
    const bob = person('bob');
    await writeOpenSession(ana, S, 6);
    const bundle = (await shareSession(ana, S, { out: join(tempDir(), 'a.sat.tgz') })).file;
    await importBundle(bob, bundle);
    await append(ana, [{ type: 'session_end', session: S, data: {} }]);
    await append(bob, [{ type: 'session_end', session: S, data: {} }]);
    await closeSessionLog(bob.paths.logs, S);
    const before = tree(bob.paths.logs);
    const later = (await shareSession(ana, S, { out: join(tempDir(), 'b.sat.tgz') })).file;
    await expect(importBundle(bob, later)).rejects.toMatchObject({ code: 'SESSION_CLOSED' });
    expect(tree(bob.paths.logs)).toEqual(before);
  });

  it('imports a bundle whose log compresses far more than 10x (the limit of a backup bundle)', async () => {
    const ana = person('ana');
    const bob = person('bob');
    const text = 'the same long rationale, over and over '.repeat(40);
    await append(
      ana,
      Array.from({ length: 300 }, (_, i) => ({
        type: 'decision' as const,
        session: S,
        ts: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
        data: { question: 'Which one?', selected: 'A', rationale: text },
      })),
    );
    const shared = await shareSession(ana, S, { out: join(tempDir(), 'a.sat.tgz') });
    const plain = statSync(join(ana.paths.logs, `${S}.jsonl`)).size;
    expect(plain / shared.bytes).toBeGreaterThan(10);
    expect(await importBundle(bob, shared.file)).toMatchObject({ status: 'imported', appended: 300 });
  });

  it('reads a version-1 bundle (a backup) as one with no sharer named', async () => {
    const ana = person('ana');
    const bob = person('bob');
    await writeOpenSession(ana, S, 5);
    const file = join(tempDir(), 'old.tar.gz');
    const log = join(ana.paths.logs, `${S}.jsonl`);
    await writeBundle(
      [{ path: `logs/${S}.jsonl`, kind: 'log', file: log }],
      {
        session: S,
        phase: '0',
        log: { file: `logs/${S}.jsonl`, closed: false, sha256: '', bytes: 0, lastSeq: 5 },
        warnings: [],
      },
      file,
    );
    const result = await importBundle(bob, file);
    expect(result.bundle.format).toBe('sat-backup/1');
    expect(result.bundle.shared).toBeUndefined();
    expect(eventOrigin((await eventsOf(bob, S))[0]!)).toMatchObject({
      user: UNKNOWN_SHARER,
      machine: UNKNOWN_SHARER,
    });
  });

  it('writes bundles private to the user and leaves no work folder behind', async () => {
    const ana = person('ana');
    await writeOpenSession(ana, S, 5);
    const dir = tempDir();
    chmodSync(dir, 0o755);
    await shareSession(ana, S, { out: join(dir, 'a.sat.tgz') });
    expect(readdirSync(dir)).toEqual(['a.sat.tgz']);
    expect(readdirSync(join(ana.paths.state, '.backup-work'))).toEqual([]);
    const text = gunzipSync(readFileSync(join(dir, 'a.sat.tgz'))).toString('utf8');
    expect(text).toContain('"format": "sat-backup/2"');
  });
});

function* writeOpenSessionEvents(n: number, seed: number) {
  let i = 0;
  for (const event of realisticSessionEvents({ session: S, seed, start: Date.UTC(2026, 0, 2) }, n + 2)) {
    if (event.type === 'session_start' || event.type === 'session_end') continue;
    if (i++ >= n) return;
    yield event;
  }
}
