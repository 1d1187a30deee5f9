import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IDLE_AFTER_MS, sessionActivity, sessionInfo } from '../src/index.js';
import { tempDir } from './helpers.js';

const NOW = Date.parse('2026-12-01T12:00:00.000Z');

/** Writes a log of `events` (type and ts), numbered from seq 1, padded with `filler` lines after the first. */
function writeLog(
  dir: string,
  session: string,
  events: Array<{ type: string; ts: string; meta?: Record<string, unknown> }>,
  filler = 0,
): void {
  const lines: string[] = [];
  let seq = 0;
  const line = (e: { type: string; ts: string; meta?: Record<string, unknown> }) =>
    lines.push(JSON.stringify({ seq: ++seq, session, agent: 'main', ...e, data: {} }));
  line(events[0]!);
  for (let i = 0; i < filler; i++) line({ type: 'tool_usage', ts: '2025-02-01T10:30:00.000Z' });
  for (const e of events.slice(1)) line(e);
  writeFileSync(join(dir, `${session}.jsonl`), `${lines.join('\n')}\n`);
}

describe('sessionActivity: the one meaning of "active"', () => {
  it('an old imported session stays ended (imported) although sat wrote a handoff today', () => {
    const logs = tempDir();
    writeLog(logs, 'imp', [
      { type: 'session_start', ts: '2025-02-01T10:00:00.000Z', meta: { transcript: '/t/imp.jsonl' } },
      { type: 'tool_usage', ts: '2025-02-03T09:00:00.000Z' },
      // a sub-agent's lines, appended after the main transcript's, carry earlier times
      { type: 'tool_usage', ts: '2025-01-31T23:00:00.000Z' },
      { type: 'handoff', ts: new Date(NOW - 60_000).toISOString() },
    ]);
    const info = sessionInfo(logs, 'imp')!;
    expect(info).toMatchObject({
      status: 'active',
      imported: true,
      start: '2025-01-31T23:00:00.000Z',
      lastActivityAt: '2025-02-03T09:00:00.000Z',
    });
    expect(sessionActivity(info, NOW)).toBe('ended (imported)');
  });

  it('takes first and last by time over the head and tail of a log larger than one read', () => {
    const logs = tempDir();
    writeLog(
      logs,
      'big',
      [
        { type: 'session_start', ts: '2025-02-01T10:00:00.000Z' },
        { type: 'tool_usage', ts: '2025-02-05T08:00:00.000Z' },
        { type: 'tool_usage', ts: '2025-02-01T11:00:00.000Z' },
      ],
      2000,
    );
    const info = sessionInfo(logs, 'big')!;
    expect(info.bytes).toBeGreaterThan(128 * 1024);
    expect(info.start).toBe('2025-02-01T10:00:00.000Z');
    expect(info.lastActivityAt).toBe('2025-02-05T08:00:00.000Z');
    expect(Date.parse(info.lastActivityAt!)).toBeGreaterThanOrEqual(Date.parse(info.start!));
    expect(sessionActivity(info, NOW)).toBe('idle');
  });

  it('is active within the idle threshold, idle after, and ended or closed by status', () => {
    const recent = new Date(NOW - IDLE_AFTER_MS + 60_000).toISOString();
    const old = new Date(NOW - IDLE_AFTER_MS - 60_000).toISOString();
    expect(sessionActivity({ status: 'active', lastActivityAt: recent }, NOW)).toBe('active');
    expect(sessionActivity({ status: 'active', lastActivityAt: recent, imported: true }, NOW)).toBe('active');
    expect(sessionActivity({ status: 'active', lastActivityAt: old }, NOW)).toBe('idle');
    expect(sessionActivity({ status: 'active' }, NOW)).toBe('idle');
    expect(sessionActivity({ status: 'ended', lastActivityAt: recent }, NOW)).toBe('ended');
    expect(sessionActivity({ status: 'closed' }, NOW)).toBe('closed');
  });
});
