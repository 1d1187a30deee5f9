import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EventWriter, loadConfig, type NewEvent, raiseAlerts } from '@sat/core';
import { describe, expect, it } from 'vitest';
import { sessionStartContext } from '../src/commands/hook.js';
import { sat, tempDir } from './helpers.js';

const fill = (used: number, n: number): Omit<NewEvent, 'session'> => ({
  type: 'api_response',
  data: {
    model: 'claude-opus-4-6',
    message_id: `m${n}`,
    tokens: { input: used, output: 0, cacheCreation: 0, cacheRead: 0 },
    source: 'transcript',
  },
});

async function append(
  home: string,
  session: string,
  events: Array<Omit<NewEvent, 'session'>>,
): Promise<void> {
  const writer = new EventWriter({ logsDir: join(home, 'logs') });
  for (const event of events) writer.append({ ...event, session } as NewEvent);
  await writer.close();
}

/** A session whose context reached 92.5% and whose alert the pipeline raised. */
async function alerted(home: string, session: string) {
  await append(home, session, [
    { type: 'session_start', data: { cwd: home } },
    { type: 'user_prompt', data: { text: 'Refactor the parser', chars: 19 } },
    fill(185_000, 1),
  ]);
  const config = loadConfig({ root: home, cwd: home, env: {} });
  const result = await raiseAlerts(config, session);
  expect(result.raised).toHaveLength(1);
  return config;
}

describe('sat alerts', () => {
  it('lists the alert events newest first with value and threshold, and says when history is too short', async () => {
    const home = tempDir();
    await alerted(home, 'full-one');
    const human = await sat(['alerts'], { home });
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('Alerts raised by the capture pipeline in the last 7 day(s)');
    expect(human.stdout).toMatch(/context\s+warning \(current\)\s+0\.925\s+0\.9/);
    expect(human.stdout).toContain('Too little history to judge');
    const listing = JSON.parse((await sat(['alerts', '--json', '--days', 'all'], { home })).stdout);
    expect(listing.alerts).toEqual([
      expect.objectContaining({
        session: 'full-one',
        kind: 'context',
        level: 'warning',
        value: 0.925,
        current: true,
      }),
    ]);
    expect(listing.anomalies).toEqual([]);
    expect(listing.skipped.length).toBeGreaterThan(0);
    expect((await sat(['alerts', '--days', 'x'], { home })).code).not.toBe(0);
  });

  it('reports a hand-edited alert line and lists the rest', async () => {
    const home = tempDir();
    await alerted(home, 'edited');
    const file = join(home, 'logs', 'edited.jsonl');
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    const last = JSON.parse(lines.at(-1)!);
    const broken = {
      ...last,
      id: `${last.id.slice(0, -1)}x`,
      seq: last.seq + 1,
      data: { kind: 'context', level: 'loud' },
    };
    appendFileSync(file, `${JSON.stringify(broken)}\n`);
    const run = await sat(['alerts', '--json'], { home });
    expect(run.code).toBe(0);
    const listing = JSON.parse(run.stdout);
    expect(listing.alerts).toHaveLength(1);
    expect(listing.issues).toEqual([expect.objectContaining({ session: 'edited' })]);
    expect(readFileSync(file, 'utf8')).toContain('"level":"loud"');
  });
});

describe('alerts in sat status, handoffs and the SessionStart context', () => {
  it('shows a current alert in status until a compaction passes it', async () => {
    const home = tempDir();
    await alerted(home, 'busy');
    const human = await sat(['status', 'busy'], { home });
    expect(human.stdout).toMatch(/alert\s+warning: context 92\.5% full/);
    const report = JSON.parse((await sat(['status', 'busy', '--json'], { home })).stdout);
    expect(report.alerts).toEqual([
      expect.objectContaining({ kind: 'context', level: 'warning', current: true }),
    ]);
    await append(home, 'busy', [{ type: 'context_snapshot', data: { trigger: 'pre-compact:auto' } }]);
    const after = JSON.parse((await sat(['status', 'busy', '--json'], { home })).stdout);
    expect(after.alerts).toEqual([]);
    expect((await sat(['status', 'busy'], { home })).stdout).not.toMatch(/^alert/m);
  });

  it('puts an Alerts section in the handoff and a labelled line in the resume context', async () => {
    const home = tempDir();
    await alerted(home, 'handing');
    const run = await sat(['handoff', 'handing', '--print'], { home });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('## Alerts (raised by sat, still current)');
    expect(run.stdout).toMatch(/- warning: context 92\.5% full .*To do: compact now/);

    const payload = join(home, 'payload.json');
    writeFileSync(payload, JSON.stringify({ session_id: 'handing', source: 'resume' }));
    const out = await sat(['hook', 'context', payload], { home });
    const context = JSON.parse(out.stdout).hookSpecificOutput.additionalContext as string;
    expect(context.split('\n')[0]).toMatch(
      /^\[sat\] alerts of session handing still current: warning: context 92\.5% full/,
    );
    expect(context).toContain('[sat] handoff');
    writeFileSync(payload, JSON.stringify({ session_id: 'handing', source: 'compact' }));
    const compacted = JSON.parse((await sat(['hook', 'context', payload], { home })).stdout);
    expect(compacted.hookSpecificOutput.additionalContext).not.toContain('[sat] alerts');
  });

  it('keeps the alerts line short and within the context limit', () => {
    const dir = tempDir();
    const alert = {
      kind: 'context',
      level: 'warning' as const,
      message: 'm'.repeat(5000),
      seq: 3,
      ts: '2026-01-01T00:00:00Z',
      current: true,
    };
    const context = sessionStartContext({ source: 'resume', session_id: 's1' }, dir, [alert])!;
    expect(context.startsWith('[sat] alerts of session s1 still current: warning: mmm')).toBe(true);
    expect(context.length).toBeLessThanOrEqual(600);
  });
});
