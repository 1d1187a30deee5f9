import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { NewEvent } from '../../src/events/envelope.js';
import {
  DIGEST_VERSION,
  digestSession,
  readSessionDigests,
  refreshDigestCache,
} from '../../src/insights/index.js';
import { failingTogether } from '../../src/insights/review-sections.js';
import { EventWriter } from '../../src/log/event-writer.js';
import { asLogged } from './helpers.js';

const T0 = Date.UTC(2026, 1, 1);
const at = (s: number) => new Date(T0 + s * 1000).toISOString();
type Event = Omit<NewEvent, 'session'>;

function digest(session: string, events: Event[]) {
  return digestSession(asLogged(events.map((e) => ({ ...e, session }) as NewEvent)));
}

const fail = (tool: string, s: number): Event => ({
  type: 'tool_usage',
  ts: at(s),
  data: { tool, success: false },
});
const ok = (tool: string, s: number): Event => ({
  type: 'tool_usage',
  ts: at(s),
  data: { tool, success: true },
});

describe('the session digest of the review', () => {
  it('counts active time with idle gaps capped at 5 minutes', async () => {
    const d = await digest('a', [ok('Read', 0), ok('Read', 60), ok('Read', 3600), ok('Read', 3630)]);
    expect(d!.activeMs).toBe(60_000 + 300_000 + 30_000);
  });

  it('counts the completed todos of each agent last TodoWrite and the sub-agent runs that succeeded', async () => {
    const todos = (statuses: string[]) => ({
      tool: 'TodoWrite',
      success: true,
      parameters: { todos: statuses.map((status, i) => ({ content: `t${i}`, status })) },
    });
    const d = await digest('a', [
      { type: 'tool_usage', ts: at(0), data: todos(['completed', 'pending']) },
      { type: 'tool_usage', ts: at(1), data: todos(['completed', 'completed', 'in_progress']) },
      {
        type: 'tool_usage',
        ts: at(2),
        agent: 'planner',
        data: { ...todos(['completed']), agent: 'planner' },
      },
      {
        type: 'agent_invocation',
        ts: at(3),
        data: { agent: 'explorer', status: 'started', tool_use_id: 'u1', reason: 'Find the config' },
      },
      {
        type: 'agent_invocation',
        ts: at(9),
        data: { agent: 'explorer', status: 'completed', success: true, tool_use_id: 'u1', agent_id: 'x1' },
      },
      {
        type: 'agent_invocation',
        ts: at(10),
        data: { agent: 'explorer', status: 'started', tool_use_id: 'u2' },
      },
      {
        type: 'agent_invocation',
        ts: at(12),
        data: { agent: 'explorer', status: 'failed', success: false, tool_use_id: 'u2' },
      },
    ]);
    expect(d!.tasks).toEqual({ todos: 3, subAgentRuns: 1 });
    expect(d!.taskRuns.map((r) => [r.task, r.agentId, r.success])).toEqual([
      ['Find the config', 'x1', true],
      [null, null, false],
    ]);
  });

  it('pairs tools failing in one turn or within 10 events, and not across turns far apart', async () => {
    const filler = (from: number, n: number) => Array.from({ length: n }, (_, i) => ok('Read', from + i));
    const d = await digest('a', [
      fail('Bash', 0),
      fail('Edit', 1),
      ...filler(2, 12),
      fail('Grep', 20),
      ...filler(21, 12),
      { type: 'user_prompt', ts: at(33.5), data: { text: 'go on', chars: 5 } },
      fail('Write', 31),
      ...filler(32, 15),
      fail('Glob', 50),
      { type: 'turn_end', ts: at(60), data: {} },
      ...filler(61, 15),
      fail('Bash', 80),
    ]);
    expect(d!.failurePairs.map((p) => [p.tools, p.together])).toEqual([
      [['Bash', 'Edit'], 1],
      [['Glob', 'Write'], 1],
    ]);
    const e = await digest('b', [fail('Edit', 0), fail('Bash', 3)]);
    expect(failingTogether([d!, e!])).toEqual([{ tools: ['Bash', 'Edit'], sessions: 2, together: 2 }]);
  });

  it('names what filled the context since the previous limit hit', async () => {
    const full = (s: number): Event => ({
      type: 'context_snapshot',
      ts: at(s),
      data: { tokens_before: 185_000, context_window: 200_000 },
    });
    const d = await digest('a', [
      ok('Read', 0),
      ok('Read', 1),
      ok('Grep', 2),
      full(3),
      ok('Bash', 4),
      full(5),
    ]);
    expect(d!.contextLimitHits.map((h) => h.filledBy)).toEqual([
      [
        { tool: 'Read', calls: 2 },
        { tool: 'Grep', calls: 1 },
      ],
      [{ tool: 'Bash', calls: 1 }],
    ]);
  });

  it('counts file changes per path, reads excluded', async () => {
    const op = (path: string, operation: string, s: number): Event =>
      ({ type: 'file_operation', ts: at(s), data: { path, operation } }) as Event;
    const d = await digest('a', [
      op('a.ts', 'modify', 0),
      op('a.ts', 'modify', 1),
      op('b.ts', 'read', 2),
      op('c.ts', 'create', 3),
    ]);
    expect(d!.fileChanges).toEqual([
      { path: 'a.ts', changes: 2 },
      { path: 'c.ts', changes: 1 },
    ]);
    expect(d!.filesChanged).toBe(2);
  });
});

describe('the digest cache', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function logs(): Promise<{ logsDir: string; cacheDir: string; writer: EventWriter }> {
    dir = mkdtempSync(join(tmpdir(), 'sat-digest-cache-'));
    const logsDir = join(dir, 'logs');
    const writer = new EventWriter({ logsDir });
    for (const session of ['s1', 's2'])
      for (let i = 0; i < 5; i++)
        writer.append({ type: 'tool_usage', session, ts: at(i), data: { tool: 'Bash', success: i > 0 } });
    await writer.flush();
    return { logsDir, cacheDir: join(dir, 'cache', 'digests'), writer };
  }

  it('reuses a digest while the log is unchanged, reads a grown log again, and writes private files', async () => {
    const { logsDir, cacheDir, writer } = await logs();
    expect(await refreshDigestCache(logsDir, cacheDir)).toEqual({ refreshed: 2, reused: 0, failed: [] });
    expect(await refreshDigestCache(logsDir, cacheDir)).toEqual({ refreshed: 0, reused: 2, failed: [] });
    expect(statSync(cacheDir).mode & 0o777).toBe(0o700);
    for (const name of readdirSync(cacheDir)) expect(statSync(join(cacheDir, name)).mode & 0o777).toBe(0o600);
    const cached = JSON.parse(readFileSync(join(cacheDir, 's1.json'), 'utf8'));
    expect(cached.version).toBe(DIGEST_VERSION);
    writer.append({ type: 'tool_usage', session: 's1', ts: at(9), data: { tool: 'Bash', success: true } });
    await writer.close();
    expect(await refreshDigestCache(logsDir, cacheDir)).toEqual({ refreshed: 1, reused: 1, failed: [] });
    const fromCache = await readSessionDigests(logsDir, { cacheDir });
    expect(fromCache).toEqual(await readSessionDigests(logsDir));
    expect(fromCache.find((d) => d.session === 's1')!.events).toBe(6);
  });

  it('ignores and rewrites a corrupt or stale cache file, and never fails a read it cannot cache', async () => {
    const { logsDir, cacheDir, writer } = await logs();
    await writer.close();
    await refreshDigestCache(logsDir, cacheDir);
    writeFileSync(join(cacheDir, 's1.json'), '{"version": 2, "dig');
    const stale = JSON.parse(readFileSync(join(cacheDir, 's2.json'), 'utf8'));
    writeFileSync(
      join(cacheDir, 's2.json'),
      JSON.stringify({ ...stale, version: DIGEST_VERSION - 1, digest: { session: 'x' } }),
    );
    const digests = await readSessionDigests(logsDir, { cacheDir });
    expect(digests.map((d) => [d.session, d.events])).toEqual([
      ['s1', 5],
      ['s2', 5],
    ]);
    expect(await refreshDigestCache(logsDir, cacheDir)).toEqual({ refreshed: 0, reused: 2, failed: [] });
  });

  it.skipIf(process.getuid?.() === 0)('lists a digest it cannot cache and still reads it', async () => {
    const { logsDir, cacheDir, writer } = await logs();
    await writer.close();
    await refreshDigestCache(logsDir, cacheDir);
    rmSync(join(cacheDir, 's1.json'));
    chmodSync(cacheDir, 0o500);
    try {
      const result = await refreshDigestCache(logsDir, cacheDir);
      expect(result.failed).toEqual([
        { session: 's1', message: expect.stringContaining('[core] cannot cache the digest of s1') },
      ]);
      expect(result.reused).toBe(1);
      expect((await readSessionDigests(logsDir, { cacheDir })).length).toBe(2);
    } finally {
      chmodSync(cacheDir, 0o700);
    }
  });
});
