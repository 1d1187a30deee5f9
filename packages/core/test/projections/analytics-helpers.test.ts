import { describe, expect, it } from 'vitest';
import { realisticSessionEvents } from '../../src/fixtures/realistic-sessions.js';
import { resolveFilters } from '../../src/projections/analytics-filters.js';
import {
  bucketValue,
  durationBucket,
  HISTOGRAM_RELATIVE_ERROR,
  histogramPercentile,
} from '../../src/projections/duration-histogram.js';
import { errorFingerprint, normalizeErrorMessage } from '../../src/projections/error-fingerprint.js';
import { summarizeParameters } from '../../src/projections/parameter-summary.js';
import { chooseSource, emptyMeasures, mergeMeasures } from '../../src/projections/rollups.js';

describe('error fingerprints', () => {
  it.each([
    [
      "ENOENT: no such file or directory, open '/tmp/abc/x.ts'",
      "ENOENT: no such file or directory, open '<path>'",
    ],
    ['Command failed with exit code 1', 'Command failed with exit code <n>'],
    ['Test timed out after 5000ms', 'Test timed out after <n>'],
    ['session 0192f3a4-1c2d-7e5f-8a9b-0123456789ab not found', 'session <uuid> not found'],
    ['object 3f2a9c81d0e4 at 0xdeadbeef', 'object <hex> at <hex>'],
    ['see https://example.com/a/b?c=1 for details', 'see <url> for details'],
    ['error TS2345: bad argument at 12:7', 'error TS2345: bad argument at <n>'],
    ['C:\\Users\\dev\\app\\main.ts:  failed\n twice', '<path>: failed twice'],
    [
      '<tool_use_error>Sibling tool call errored</tool_use_error>',
      '<tool_use_error>Sibling tool call errored</tool_use_error>',
    ],
    ['<error>cannot read /etc/x/y.conf</error>', '<error>cannot read <path></error>'],
  ])('normalises %j', (message, pattern) => {
    expect(normalizeErrorMessage(message)).toBe(pattern);
  });

  it('groups the same error with different numbers, paths and ids, and keeps types apart', () => {
    const a = errorFingerprint('ENOENT', "no such file '/a/b/c.ts' (after 3 tries)");
    const b = errorFingerprint('ENOENT', "no such file '/x/y.ts' (after 12 tries)");
    const c = errorFingerprint('EACCES', "no such file '/a/b/c.ts' (after 3 tries)");
    expect(a.fingerprint).toBe(b.fingerprint);
    expect(a.fingerprint).not.toBe(c.fingerprint);
    expect(a.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(errorFingerprint('X', undefined).pattern).toBe('');
  });
});

describe('duration histograms', () => {
  it('puts durations in 8 buckets per doubling and reads percentiles within half a bucket', () => {
    expect(durationBucket(0)).toBe(0);
    expect(durationBucket(0.5)).toBe(0);
    expect(durationBucket(1)).toBe(1);
    expect(durationBucket(2)).toBe(9);
    expect(durationBucket(1024)).toBe(81);
    for (const ms of [1, 3, 17, 250, 1234, 99_999, 3_600_000]) {
      const value = bucketValue(durationBucket(ms));
      expect(Math.abs(value - ms) / ms).toBeLessThanOrEqual(HISTOGRAM_RELATIVE_ERROR * 2 + 1e-9);
    }
    const values = Array.from({ length: 1000 }, (_, i) => i + 1);
    const h = new Map<number, number>();
    for (const v of values) h.set(durationBucket(v), (h.get(durationBucket(v)) ?? 0) + 1);
    expect(Math.abs(histogramPercentile(h, 50, 1, 1000)! - 500) / 500).toBeLessThan(0.05);
    expect(Math.abs(histogramPercentile(h, 95, 1, 1000)! - 950) / 950).toBeLessThan(0.05);
  });

  it('is exact for a single value or equal values, thanks to min and max', () => {
    const h = new Map([[durationBucket(1234), 3]]);
    expect(histogramPercentile(h, 50, 1234, 1234)).toBe(1234);
    expect(histogramPercentile(new Map(), 50)).toBeNull();
  });
});

describe('rollups', () => {
  it('picks the smallest source with every dimension needed', () => {
    expect(chooseSource('tools', ['day', 'agent', 'tool']).name).toBe('tool_day');
    expect(chooseSource('tools', ['session']).name).toBe('tool_uses');
    expect(chooseSource('usage', ['phase', 'agent', 'model']).name).toBe('usage_phase');
    expect(chooseSource('usage', ['day', 'phase']).name).toBe('usage_day');
    expect(chooseSource('usage', ['session', 'model']).name).toBe('usage_session');
    expect(chooseSource('errors', ['fingerprint', 'day']).name).toBe('error_day');
    expect(() => chooseSource('usage', ['tool'])).toThrow(/no usage source/);
  });

  it('merges measures by kind: sums, min / max, histograms and sets', () => {
    const a = emptyMeasures('errors');
    const b = {
      ...emptyMeasures('errors'),
      errors: 2,
      first_at: 5,
      last_at: 9,
      sessions: new Set(['s1', 's2']),
    };
    const c = { ...emptyMeasures('errors'), errors: 1, first_at: 3, last_at: 4, sessions: new Set(['s2']) };
    mergeMeasures('errors', a, b);
    mergeMeasures('errors', a, c);
    expect(a).toMatchObject({ errors: 3, first_at: 3, last_at: 9 });
    expect([...a.sessions].sort()).toEqual(['s1', 's2']);
  });
});

describe('filters', () => {
  const now = '2026-03-10T12:00:00Z';
  it('defaults to the last 30 days, or all time for one session', () => {
    expect(resolveFilters({ now })).toMatchObject({ days: 30, from: '2026-02-09', session: null });
    expect(resolveFilters({ now, days: 1 }).from).toBe('2026-03-10');
    expect(resolveFilters({ now, session: 's' })).toMatchObject({ days: 'all', fromDay: null, session: 's' });
    expect(resolveFilters({ now, session: 's', days: 7 }).from).toBe('2026-03-04');
    expect(resolveFilters({ phase: 2 }).phase).toBe('2');
  });

  it('refuses bad filters with USAGE naming the filter', () => {
    expect(() => resolveFilters({ days: 0 })).toThrow(/days=0/);
    expect(() => resolveFilters({ days: -3 as number })).toThrow(/whole number >= 1/);
    expect(() => resolveFilters({ now: 'yesterday' })).toThrow(/now=/);
    expect(() => resolveFilters({ agent: '' })).toThrow(/agent=/);
    expect(() => resolveFilters({ days: 2.5 })).toThrow(expect.objectContaining({ code: 'USAGE' }));
  });
});

describe('tool parameter summaries', () => {
  it('keeps the most telling parameter, on one line, shortened', () => {
    expect(summarizeParameters({ command: 'pnpm   test\n--run', description: 'Run' })).toBe(
      'pnpm test --run',
    );
    expect(summarizeParameters({ file_path: 'src/a.ts', content: 'x' })).toBe('src/a.ts');
    expect(summarizeParameters({ a: 1, b: true })).toBe('a=1 b=true');
    expect(summarizeParameters({ command: 'x'.repeat(500) })).toHaveLength(200);
    expect(summarizeParameters(undefined)).toBeNull();
    expect(summarizeParameters({})).toBeNull();
  });
});

describe('realistic sessions', () => {
  it('are deterministic, start and end the session, and carry phases and API responses', () => {
    const a = [
      ...realisticSessionEvents(
        { session: 's', seed: 3, phase: 1, phaseChanges: [{ at: 50, phase: 2 }] },
        300,
      ),
    ];
    const b = [
      ...realisticSessionEvents(
        { session: 's', seed: 3, phase: 1, phaseChanges: [{ at: 50, phase: 2 }] },
        300,
      ),
    ];
    expect(a).toEqual(b);
    expect(a).toHaveLength(300);
    expect(a[0]).toMatchObject({ type: 'session_start', data: { phase: 1 } });
    expect(a[299]?.type).toBe('session_end');
    const types = new Set(a.map((e) => e.type));
    for (const type of ['phase', 'api_response', 'tool_usage', 'error', 'agent_invocation'] as const)
      expect(types).toContain(type);
    const sources = new Set(
      a.filter((e) => e.type === 'api_response').map((e) => (e.data as { source: string }).source),
    );
    expect(sources).toContain('transcript');
  });
});
