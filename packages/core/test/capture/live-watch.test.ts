import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type AnySatEvent, createLiveWatch, ingestHookSpool, spoolDir } from '../../src/index.js';
import { readAll, tempDir } from '../helpers.js';

const SESSION = 'live-watch-session';
const BASE = Date.now();

function spoolPayload(spool: string, n: number, payload: Record<string, unknown>): void {
  const ns = `${BASE + n}000000`;
  writeFileSync(
    join(spool, `${ns}-${1000 + n}.json`),
    JSON.stringify({ session_id: SESSION, cwd: '/p', ...payload }),
  );
}

function toolCall(spool: string, n: number): void {
  const common = { tool_name: 'Bash', tool_input: { command: `echo ${n}` }, tool_use_id: `toolu_${n}` };
  spoolPayload(spool, 2 * n + 1, { hook_event_name: 'PreToolUse', ...common });
  spoolPayload(spool, 2 * n + 2, {
    hook_event_name: 'PostToolUse',
    ...common,
    tool_response: { stdout: `${n}` },
  });
}

function setup(): { logsDir: string; spool: string } {
  const logsDir = join(tempDir(), 'logs');
  const spool = spoolDir(logsDir);
  mkdirSync(spool, { recursive: true });
  spoolPayload(spool, 0, { hook_event_name: 'SessionStart', source: 'startup' });
  return { logsDir, spool };
}

describe('createLiveWatch', () => {
  it('emits every event of the log exactly once while a concurrent ingest takes some of the payloads', async () => {
    const { logsDir, spool } = setup();
    const seen: AnySatEvent[] = [];
    const live = createLiveWatch({ logsDir, onBatch: (b) => seen.push(...b.events) });
    let busy = 0;
    for (let round = 0; round < 20; round++) {
      toolCall(spool, round);
      // The other ingester (a background `sat ingest`) and the watcher race for the same spool.
      const [other, mine] = await Promise.all([ingestHookSpool({ logsDir }), live.tick()]);
      if (other.busy || mine.ingestBusy) busy++;
    }
    await ingestHookSpool({ logsDir, waitMs: 5000 });
    await live.tick();
    live.close();
    const { events } = await readAll(logsDir, SESSION);
    expect(events.length).toBe(21);
    expect(seen.map((e) => e.id)).toEqual(events.map((e) => e.id));
    expect(new Set(seen.map((e) => e.id)).size).toBe(seen.length);
    expect(seen.filter((e) => e.type === 'tool_usage').length).toBe(20);
    expect(busy).toBeGreaterThan(0);
  });

  it('reports a malformed spool file and a malformed log line, and goes on with the rest', async () => {
    const { logsDir, spool } = setup();
    writeFileSync(join(spool, `${BASE + 500}000000-77.json`), '{"session_id": "x", not json');
    const live = createLiveWatch({ logsDir });
    const first = await live.tick();
    expect(first.issues.map((i) => i.kind)).toEqual(['bad-payload']);
    expect(first.events.map((e) => e.type)).toEqual(['session_start']);
    appendFileSync(join(logsDir, `${SESSION}.jsonl`), '{"broken": \n');
    toolCall(spool, 5);
    const second = await live.tick();
    expect(second.issues.map((i) => i.kind)).toEqual(['bad-line']);
    expect(second.events.map((e) => e.type)).toEqual(['tool_usage']);
  });

  it('lists a started tool call as in flight until its result is ingested', async () => {
    const { logsDir, spool } = setup();
    const live = createLiveWatch({ logsDir });
    spoolPayload(spool, 1, {
      hook_event_name: 'PreToolUse',
      tool_name: 'Read',
      tool_input: { file_path: '/p/a.ts' },
      tool_use_id: 'toolu_r',
    });
    const started = await live.tick();
    expect(started.inFlight.map((c) => c.tool)).toEqual(['Read']);
    spoolPayload(spool, 2, {
      hook_event_name: 'PostToolUse',
      tool_name: 'Read',
      tool_input: { file_path: '/p/a.ts' },
      tool_use_id: 'toolu_r',
      tool_response: {},
    });
    const done = await live.tick();
    expect(done.inFlight).toEqual([]);
    expect(done.events.map((e) => e.type)).toContain('tool_usage');
  });

  it('picks up a payload through fs.watch or the polling fallback without being ticked', async () => {
    const { logsDir, spool } = setup();
    const seen: AnySatEvent[] = [];
    const live = createLiveWatch({ logsDir, pollMs: 100, onBatch: (b) => seen.push(...b.events) });
    live.start();
    try {
      toolCall(spool, 9);
      const deadline = Date.now() + 5000;
      while (!seen.some((e) => e.type === 'tool_usage') && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      expect(seen.some((e) => e.type === 'tool_usage')).toBe(true);
    } finally {
      live.close();
    }
  });

  it('runs the ingest it is given (the whole pipeline, in the CLI) instead of the spool ingest alone', async () => {
    const { logsDir, spool } = setup();
    let runs = 0;
    const live = createLiveWatch({
      logsDir,
      ingest: () => {
        runs++;
        return ingestHookSpool({ logsDir });
      },
    });
    toolCall(spool, 1);
    const batch = await live.tick();
    expect(runs).toBe(1);
    expect(batch.events.map((e) => e.type)).toEqual(['session_start', 'tool_usage']);
    await live.tick();
    expect(runs).toBe(1);
  });
});
