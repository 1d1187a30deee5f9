import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type AnySatEvent,
  autoBackupSessions,
  BACKUP_QUEUE_FILE,
  backupTrigger,
  EventWriter,
  emptySessionState,
  LocalDirectoryTarget,
  listBackupQueue,
  loadConfig,
  readBackupMarker,
  readSessionEvents,
  reduceSession,
  type SatConfig,
  type SessionState,
  sessionLogFiles,
} from '../../src/index.js';
import { FlakyTarget, freshConfig, writeSession } from '../backup/backup-fixtures.js';
import { tempDir } from '../helpers.js';
import { contextFill, event } from '../snapshots/snapshot-helpers.js';

const S = 'auto';
const pricesOnly = loadConfig({ root: '/nonexistent-sat-root', cwd: '/', env: {} });

function fold(events: AnySatEvent[], from: SessionState = emptySessionState(S)): SessionState {
  return events.reduce(reduceSession, from);
}

const fill = (seq: number, used: number) => contextFill(S, seq, used);

describe('backupTrigger', () => {
  it('is due after each new handoff, once the context passes 90% (once per context), never for an ended session', () => {
    let state = fold([fill(1, 100_000)]);
    expect(backupTrigger(state, pricesOnly)).toBeUndefined();
    state = fold([event(S, 2, 'handoff', { path: '/h.md', trigger: 'context-fill' })], state);
    expect(backupTrigger(state, pricesOnly)).toBe('handoff');
    state = fold([event(S, 3, 'backup', { target: 'local', trigger: 'handoff' })], state);
    expect(state.lastBackup).toMatchObject({ target: 'local', trigger: 'handoff', seq: 3 });
    expect(backupTrigger(state, pricesOnly)).toBeUndefined();

    state = fold([fill(4, 179_000)], state);
    expect(backupTrigger(state, pricesOnly)).toBeUndefined();
    state = fold([fill(5, 180_000)], state);
    expect(backupTrigger(state, pricesOnly)).toBe('context-warning');
    state = fold(
      [event(S, 6, 'backup', { target: 'local', trigger: 'context-warning' }), fill(7, 190_000)],
      state,
    );
    expect(backupTrigger(state, pricesOnly)).toBeUndefined();

    // A compaction starts a new context: the warning can fire again once it fills up.
    state = fold([event(S, 8, 'context_snapshot', { trigger: 'pre-compact:auto' }), fill(9, 185_000)], state);
    expect(backupTrigger(state, pricesOnly)).toBe('context-warning');

    state = fold([event(S, 10, 'session_end', {})], state);
    expect(backupTrigger(state, pricesOnly)).toBeUndefined();
  });
});

async function appendHandoff(config: SatConfig, session: string): Promise<void> {
  const writer = new EventWriter({ logsDir: config.paths.logs });
  writer.append({
    session,
    type: 'handoff',
    data: { path: `/handoffs/${session}.md`, trigger: 'context-fill' },
  });
  await writer.close();
}

async function eventsOf(config: SatConfig, session: string): Promise<AnySatEvent[]> {
  const out: AnySatEvent[] = [];
  for await (const e of readSessionEvents(config.paths.logs, session)) out.push(e as AnySatEvent);
  return out;
}

describe('autoBackupSessions', () => {
  it('backs up an open session after a handoff and an ended one once, and nothing more on the next run', async () => {
    const config = freshConfig();
    await writeSession(config, 'open1', { events: 60 });
    await appendHandoff(config, 'open1');
    await writeSession(config, 'done1', { events: 60, close: true });
    await writeSession(config, 'quiet', { events: 60 });
    const target = new FlakyTarget(new LocalDirectoryTarget({ dir: join(tempDir(), 'nas') }));
    let opened = 0;
    const options = {
      openTarget: async () => {
        opened += 1;
        return target;
      },
    };

    const first = await autoBackupSessions(config, ['open1', 'done1', 'quiet'], options);
    expect(first.warnings).toEqual([]);
    expect(first.backups.map((b) => [b.session, b.trigger, b.status])).toEqual([
      ['open1', 'handoff', 'uploaded'],
      ['done1', 'session-end', 'uploaded'],
    ]);
    expect(opened).toBe(1);
    const backupEvents = (await eventsOf(config, 'open1')).filter((e) => e.type === 'backup');
    expect(backupEvents.map((e) => e.data)).toEqual([
      expect.objectContaining({ target: 'local', trigger: 'handoff' }),
    ]);
    expect(readBackupMarker(sessionLogFiles(config.paths.logs, 'done1'))?.log?.closed).toBe(true);

    // Nothing new: nothing is due, and the target is not even opened.
    const second = await autoBackupSessions(config, ['open1', 'done1', 'quiet'], options);
    expect(second.backups).toEqual([]);
    expect(opened).toBe(1);
    expect(target.puts.size).toBe(4); // two bundles, two manifests
  });

  it('does nothing when backup.auto is off', async () => {
    const config = freshConfig({ SAT_BACKUP_AUTO: 'false' });
    await writeSession(config, 'done2', { events: 30, close: true });
    const result = await autoBackupSessions(config, ['done2'], {
      openTarget: async () => {
        throw new Error('must not be opened');
      },
    });
    expect(result).toEqual({ backups: [], warnings: [] });
  });

  it('queues while the target is down and delivers from the queue once the retry is due', async () => {
    const config = freshConfig();
    await writeSession(config, 'done3', { events: 40, close: true });
    const target = new FlakyTarget(new LocalDirectoryTarget({ dir: join(tempDir(), 'nas') }));
    target.down = true;
    let opened = 0;
    const options = {
      openTarget: async () => {
        opened += 1;
        return target;
      },
    };
    const down = await autoBackupSessions(config, ['done3'], options);
    expect(down.backups.map((b) => b.status)).toEqual(['queued']);
    expect(listBackupQueue(config)).toHaveLength(1);
    expect(listBackupQueue(config)[0]!.trigger).toBe('session-end');

    // The marker is not written while queued, so the session still looks due; the queue keeps one job.
    target.down = false;
    const file = join(config.paths.state, BACKUP_QUEUE_FILE);
    const queue = JSON.parse(readFileSync(file, 'utf8'));
    queue.jobs[0].nextAttemptAt = new Date(Date.now() - 1000).toISOString();
    writeFileSync(file, JSON.stringify(queue));
    const up = await autoBackupSessions(config, [], options);
    expect(up.queue?.jobs.map((j) => j.status)).toEqual(['uploaded']);
    expect(listBackupQueue(config)).toEqual([]);
    expect(readBackupMarker(sessionLogFiles(config.paths.logs, 'done3'))).toBeDefined();
    expect(opened).toBe(2);

    // Delivered: nothing is due any more.
    expect((await autoBackupSessions(config, ['done3'], options)).backups).toEqual([]);
    expect(opened).toBe(2);
  });

  it('reports a target that cannot be opened as a warning, never a throw', async () => {
    const config = freshConfig();
    await writeSession(config, 'done4', { events: 20, close: true });
    const result = await autoBackupSessions(config, ['done4'], {
      openTarget: async () => {
        throw new Error("[cli] no Google Drive credentials: run 'sat setup gdrive'");
      },
    });
    expect(result.backups).toEqual([]);
    expect(result.warnings).toEqual([
      "automatic backup: [cli] no Google Drive credentials: run 'sat setup gdrive'",
    ]);
  });
});
