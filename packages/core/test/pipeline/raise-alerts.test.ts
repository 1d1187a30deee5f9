import { describe, expect, it } from 'vitest';
import { type AnySatEvent, errorBaseline, listAlerts, raiseAlerts, type SatConfig } from '../../src/index.js';
import { readAll } from '../helpers.js';
import { appendDrafts, type Draft, testConfig } from '../snapshots/snapshot-helpers.js';

const fill = (used: number, n: number): Draft => ({
  type: 'api_response',
  data: {
    model: 'claude-opus-4-6',
    message_id: `m${n}`,
    tokens: { input: used, output: 0, cacheCreation: 0, cacheRead: 0 },
    source: 'transcript',
  },
});
const call: Draft = { type: 'tool_usage', data: { tool: 'Bash', success: true } };
const failure: Draft[] = [
  { type: 'tool_usage', data: { tool: 'Bash', success: false, error: 'Exit code 1' } },
  { type: 'error', data: { error_type: 'tool_failure', message: 'Exit code 1' } },
];

async function alertsIn(config: SatConfig, session: string): Promise<AnySatEvent[]> {
  return (await readAll(config.paths.logs, session)).events.filter((e) => e.type === 'alert');
}

/** Past sessions with `errors` error events in 20 tool calls each. */
async function history(config: SatConfig, errors: readonly number[]): Promise<void> {
  for (const [i, n] of errors.entries()) {
    const drafts: Draft[] = [{ type: 'session_start', data: {} }];
    for (let c = 0; c < 20 - n; c++) drafts.push(call);
    for (let c = 0; c < n; c++) drafts.push(...failure);
    await appendDrafts(config, `past-${i}`, drafts);
  }
}

describe('raiseAlerts on real logs', () => {
  it('raises a context alert once, not again on re-ingest, and again after a compaction and a new crossing', async () => {
    const config = testConfig();
    const S = 'ctx-session';
    await appendDrafts(config, S, [{ type: 'session_start', data: {} }, fill(100_000, 1), fill(185_000, 2)]);
    const first = await raiseAlerts(config, S);
    expect(first.raised.map((a) => [a.kind, a.level, a.value, a.threshold])).toEqual([
      ['context', 'warning', 0.925, 0.9],
    ]);
    expect((await raiseAlerts(config, S)).raised).toEqual([]);
    await appendDrafts(config, S, [fill(186_000, 3)]);
    expect((await raiseAlerts(config, S)).raised).toEqual([]);
    await appendDrafts(config, S, [
      { type: 'context_snapshot', data: { trigger: 'pre-compact:auto' } },
      fill(30_000, 4),
    ]);
    expect((await raiseAlerts(config, S)).raised).toEqual([]);
    await appendDrafts(config, S, [fill(196_000, 5)]);
    expect((await raiseAlerts(config, S)).raised.map((a) => a.level)).toEqual(['critical']);
    const logged = await alertsIn(config, S);
    expect(logged.map((e) => (e.data as { level: string }).level)).toEqual(['warning', 'critical']);
    const listing = await listAlerts(config, { session: S, noAnomalies: true });
    expect(listing.alerts.map((a) => [a.level, a.current])).toEqual([
      ['critical', true],
      ['warning', false],
    ]);
  });

  it('raises an error spike against the user history, with value, threshold and baseline', async () => {
    const config = testConfig();
    await history(config, [1, 0, 1, 2, 1, 0, 1, 1, 2, 1]);
    const S = 'spiky';
    await appendDrafts(config, S, [
      { type: 'session_start', data: {} },
      ...Array.from({ length: 14 }, () => call),
      ...Array.from({ length: 6 }, () => failure).flat(),
    ]);
    const baseline = await errorBaseline(config, S);
    expect(baseline).toMatchObject({ median: 0.05, n: 10 });
    const { raised } = await raiseAlerts(config, S);
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatchObject({ kind: 'error_spike', level: 'warning', value: 0.3, baseline: 0.05 });
    expect(raised[0]!.threshold).toBeGreaterThan(0.05);
    expect(raised[0]!.threshold).toBeLessThan(0.3);
    expect((await raiseAlerts(config, S)).raised).toEqual([]);
  });

  it('raises no error spike with too little history, and says so', async () => {
    const config = testConfig();
    await history(config, [1, 0, 1]);
    const S = 'young';
    await appendDrafts(config, S, [
      { type: 'session_start', data: {} },
      ...Array.from({ length: 14 }, () => call),
      ...Array.from({ length: 6 }, () => failure).flat(),
    ]);
    const result = await raiseAlerts(config, S);
    expect(result.raised).toEqual([]);
    expect(result.baselineNote).toMatch(/too little history.*3 past session\(s\).*8 needed/);
  });

  it('writes nothing after the session ended', async () => {
    const config = testConfig();
    const S = 'over';
    await appendDrafts(config, S, [fill(195_000, 1), { type: 'session_end', data: {} }]);
    expect((await raiseAlerts(config, S)).raised).toEqual([]);
    expect(await alertsIn(config, S)).toEqual([]);
  });
});
