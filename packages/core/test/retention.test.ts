import { existsSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  applyRetention,
  closeSessionLog,
  EventWriter,
  planRetention,
  sessionLogFiles,
} from '../src/index.js';
import { tempDir } from './helpers.js';

async function session(
  logsDir: string,
  id: string,
  day: number,
  opts: { close?: boolean; backedUp?: boolean } = {},
) {
  const writer = new EventWriter({ logsDir });
  writer.append({
    type: 'session_start',
    session: id,
    data: {},
    ts: `2026-01-${String(day).padStart(2, '0')}T00:00:00.000Z`,
  });
  await writer.close();
  if (opts.close) await closeSessionLog(logsDir, id);
  if (opts.backedUp)
    writeFileSync(sessionLogFiles(logsDir, id).backupMarker, JSON.stringify({ target: 'local', at: 'now' }));
}

describe('retention', () => {
  it('keeps the newest N, removes older ones only when closed and backed up', async () => {
    const logsDir = tempDir();
    await session(logsDir, 'old-backed', 1, { close: true, backedUp: true });
    await session(logsDir, 'old-not-backed', 2, { close: true });
    await session(logsDir, 'old-open', 3);
    await session(logsDir, 'recent', 4, { close: true, backedUp: true });
    await session(logsDir, 'newest', 5);

    const plan = await planRetention(logsDir, 2);
    expect(plan.kept.map((i) => i.session)).toEqual(['newest', 'recent']);
    expect(plan.remove.map((i) => i.session)).toEqual(['old-backed']);
    expect(plan.blocked.map((i) => [i.session, i.reason])).toEqual([
      ['old-open', 'still active: close it first'],
      ['old-not-backed', 'not backed up or archived yet'],
    ]);
    expect(plan.remove[0]!.bytes).toBeGreaterThan(0);

    // Planning removes nothing (dry run).
    expect(existsSync(sessionLogFiles(logsDir, 'old-backed').compressed)).toBe(true);
    const result = applyRetention(plan);
    expect(result.removed).toEqual(['old-backed']);
    expect(result.freedBytes).toBe(plan.remove[0]!.bytes);
    expect(existsSync(sessionLogFiles(logsDir, 'old-backed').compressed)).toBe(false);
    expect(existsSync(sessionLogFiles(logsDir, 'old-not-backed').compressed)).toBe(true);
    // The backup marker stays: it records where the session went.
    expect(existsSync(sessionLogFiles(logsDir, 'old-backed').backupMarker)).toBe(true);
  });

  it('keeps everything with keepSessions larger than the number of sessions', async () => {
    const logsDir = tempDir();
    await session(logsDir, 'a', 1, { close: true, backedUp: true });
    const plan = await planRetention(logsDir, 5);
    expect(plan.remove).toEqual([]);
    expect(plan.kept).toHaveLength(1);
  });
});
