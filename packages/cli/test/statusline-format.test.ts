import { STATUSLINE_SEGMENTS } from '@sat/core';
import type { SessionSummaryFile } from '@sat/core/summary-file';
import { describe, expect, it } from 'vitest';
import { formatStatusline, formatSubagentRows } from '../src/statusline/format-statusline.js';
import { SEGMENTS } from '../src/statusline/segments.js';
import { parseStatuslineInput } from '../src/statusline/statusline-input.js';

const NOW = new Date('2026-12-07T12:00:00Z');

const INPUT = parseStatuslineInput(
  JSON.stringify({
    session_id: 's1',
    cwd: '/p',
    model: { id: 'claude-opus-4-7', display_name: 'Opus 4.7' },
    cost: {
      total_cost_usd: 1.234,
      total_duration_ms: 754_000,
      total_lines_added: 120,
      total_lines_removed: 30,
    },
    context_window: { used_percentage: 42.4, context_window_size: 200_000 },
    rate_limits: {
      five_hour: { used_percentage: 34, resets_at: 1765000000 },
      seven_day: { used_percentage: 12 },
    },
    effort: { level: 'high' },
    unknown_field: { kept: 'out' },
  }),
);

function summary(extra: Partial<SessionSummaryFile> = {}): SessionSummaryFile {
  return {
    v: 1,
    session: 's1',
    writtenAt: NOW.toISOString(),
    lastSeq: 40,
    ended: false,
    cost: 1.23,
    unpricedTokens: 0,
    totalTokens: 500_000,
    agents: { running: 2, completed: 3, failed: 0 },
    running: [
      {
        agent: 'Explore',
        agentId: 'a1b2c3d4e5',
        startedAt: '2026-12-07T11:57:55Z',
        tools: 3,
        agentTokens: 45_200,
        agentRuns: 1,
      },
      { agent: 'Plan', startedAt: '2026-12-07T11:59:30Z', tools: 0, agentTokens: 0, agentRuns: 2 },
    ],
    errors: { open: 3, failedValidations: 0 },
    lastBackup: { at: '2026-12-07T11:55:00Z', target: 'local' },
    lastHandoff: { at: '2026-12-07T11:50:00Z', path: '/p/.claude/handoffs/latest-s1.md' },
    handoffAtPercent: 80,
    alerts: [],
    ...extra,
  };
}

const line = (columns: number, extra: Partial<Parameters<typeof formatStatusline>[0]> = {}) =>
  formatStatusline({
    input: INPUT,
    summary: summary(),
    segments: STATUSLINE_SEGMENTS,
    columns,
    color: false,
    now: NOW,
    ...extra,
  });

describe('sat statusline formatting', () => {
  it('names the same segments as the config key statusline.segments, in its default order', () => {
    expect(Object.keys(SEGMENTS)).toEqual([...STATUSLINE_SEGMENTS]);
  });

  it('shows everything at 200 columns, in the configured order', () => {
    expect(line(200)).toEqual([
      'Opus 4.7 | ctx 42% | $1.23 | 2 sub-agents | 3 errors | handoff ready | 5h 34% 7d 12% | backup 5m00s ago | +120 -30 | effort high | 12m34s',
    ]);
  });

  it.each([120, 80, 40])('fits %i columns by dropping the lowest-priority segments first', (columns) => {
    const [first] = line(columns);
    expect([...first!].length).toBeLessThanOrEqual(columns);
    expect(first!.startsWith('Opus 4.7 | ctx 42% | $1.23')).toBe(true);
  });

  it('keeps model, context and cost at 40 columns and drops the rest (41: one more)', () => {
    expect(line(41)).toEqual(['Opus 4.7 | ctx 42% | $1.23 | 2 sub-agents']);
    expect(line(40)).toEqual(['Opus 4.7 | ctx 42% | $1.23']);
    expect(line(30)).toEqual(['Opus 4.7 | ctx 42% | $1.23']);
  });

  it('truncates the last segment left when even it does not fit', () => {
    expect(line(6, { segments: ['model', 'cost'] })).toEqual(['Opus …']);
  });

  it("shows Claude Code's cost, and sat's beside it (named) only when they differ by more than a cent", () => {
    expect(line(200, { segments: ['cost'], summary: summary({ cost: 1.24 }) })).toEqual(['$1.23']);
    expect(line(200, { segments: ['cost'], summary: summary({ cost: 1.1 }) })).toEqual([
      '$1.23 claude, $1.10 sat',
    ]);
    expect(line(200, { segments: ['cost'], input: { ...INPUT, costUsd: undefined } })).toEqual(['$1.23 sat']);
    expect(line(200, { segments: ['cost'], summary: undefined })).toEqual(['$1.23']);
  });

  it('colours by state unless colour is off (NO_COLOR)', () => {
    const [coloured] = line(200, { color: true, segments: ['context', 'errors'] });
    expect(coloured).toBe('\x1b[32mctx 42%\x1b[0m | \x1b[31m3 errors\x1b[0m');
    expect(line(200, { color: false, segments: ['context', 'errors'] })).toEqual(['ctx 42% | 3 errors']);
  });

  it('adds a second line with the newest current alert', () => {
    const alerts: SessionSummaryFile['alerts'] = [
      { at: NOW.toISOString(), level: 'warning', kind: 'error-spike', message: '5 errors in 2 minutes' },
      { at: NOW.toISOString(), level: 'critical', kind: 'context', message: 'context 95% full: sat handoff' },
    ];
    expect(line(60, { segments: ['model', 'alerts'], summary: summary({ alerts }) })).toEqual([
      'Opus 4.7 | 2 alerts',
      'critical: context 95% full: sat handoff',
    ]);
    expect(line(60, { segments: ['model'], summary: summary({ alerts }) })).toEqual(['Opus 4.7']);
  });

  it('works from the stdin data alone when there is no summary', () => {
    expect(line(200, { summary: undefined })).toEqual([
      'Opus 4.7 | ctx 42% | $1.23 | 5h 34% 7d 12% | +120 -30 | effort high | 12m34s',
    ]);
    expect(
      formatStatusline({ input: {}, segments: STATUSLINE_SEGMENTS, columns: 80, color: false, now: NOW }),
    ).toEqual(['Claude']);
  });

  it('gives one row per running sub-agent (elapsed, tools, tokens of that agent), or says none runs', () => {
    const frame = { input: INPUT, summary: summary(), segments: [], columns: 80, color: false, now: NOW };
    expect(formatSubagentRows(frame)).toEqual([
      'Explore a1b2c3d4  2m05s  3 tools  45.2k tokens',
      'Plan  30s  0 tools',
    ]);
    expect(
      formatSubagentRows({
        ...frame,
        summary: summary({ running: [], agents: { running: 0, completed: 1, failed: 0 } }),
      }),
    ).toEqual(['no sub-agent running']);
    expect(formatSubagentRows({ ...frame, columns: 12 })[0]).toBe('Explore a1b…');
    const oneAgent = parseStatuslineInput('{"session_id":"s1","agent_id":"a1b2c3d4e5"}');
    expect(formatSubagentRows({ ...frame, input: oneAgent })).toEqual([
      'Explore a1b2c3d4  2m05s  3 tools  45.2k tokens',
    ]);
  });

  it('reads the input defensively: wrong types are left out, not fatal', () => {
    expect(
      parseStatuslineInput('{"model":{"display_name":7},"cost":{"total_cost_usd":"1"},"effort":"low"}'),
    ).toEqual({
      effort: 'low',
    });
    expect(() => parseStatuslineInput('[1]')).toThrow(/not a JSON object/);
  });
});
