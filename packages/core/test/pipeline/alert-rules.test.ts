import { describe, expect, it } from 'vitest';
import {
  type AnySatEvent,
  currentAlerts,
  DEFAULT_ALERTS,
  dueAlerts,
  type ErrorBaseline,
  emptySessionState,
  reduceSession,
  type SessionState,
  spikeThreshold,
  summarizeSessionState,
} from '../../src/index.js';
import { contextFill, event } from '../snapshots/snapshot-helpers.js';

const S = 'alerts';

/** Builds a session from steps: `ctx:<tokens>`, `alert:<kind>:<level>:<value>:<threshold>`, `compact`, `call`, `fail`, `end`. */
function session(steps: readonly string[]): SessionState {
  let state = emptySessionState(S);
  let seq = 0;
  const fold = (e: AnySatEvent) => {
    state = reduceSession(state, e);
  };
  for (const step of steps) {
    const [what, ...rest] = step.split(':');
    seq++;
    if (what === 'ctx') fold(contextFill(S, seq, Number(rest[0])));
    else if (what === 'compact') fold(event(S, seq, 'context_snapshot', { trigger: 'pre-compact:auto' }));
    else if (what === 'call') fold(event(S, seq, 'tool_usage', { tool: 'Bash', success: true }));
    else if (what === 'fail') {
      fold(event(S, seq, 'tool_usage', { tool: 'Bash', success: false, error: 'Exit code 1' }));
      seq++;
      fold(event(S, seq, 'error', { error_type: 'tool_failure', message: 'Exit code 1' }));
    } else if (what === 'end') fold(event(S, seq, 'session_end', {}));
    else if (what === 'alert') {
      const [kind, level, value, threshold] = rest;
      fold(
        event(S, seq, 'alert', {
          kind: kind!,
          level: level as 'warning',
          message: `${kind} ${level}`,
          value: Number(value),
          threshold: Number(threshold),
        }),
      );
    }
  }
  return state;
}

const calls = (n: number, what = 'call') => Array.from({ length: n }, () => what);
const baseline: ErrorBaseline = { median: 0.05, mad: 0.02, meanAbsDev: 0.03, n: 10 };

function due(state: SessionState, extra: { baseline?: ErrorBaseline; settings?: object } = {}) {
  const context = summarizeSessionState(state).context;
  return dueAlerts({
    state,
    ...(context ? { context } : {}),
    ...(extra.baseline ? { baseline: extra.baseline } : {}),
    settings: { ...DEFAULT_ALERTS, ...extra.settings },
  }).map(
    (a) =>
      `${a.kind}:${a.level}:${a.value}:${a.threshold}${a.baseline === undefined ? '' : `:${a.baseline}`}`,
  );
}

describe('dueAlerts: context', () => {
  const cases: Array<[string, string[], string[]]> = [
    ['below 90%: nothing', ['ctx:179000'], []],
    ['at 90%: a warning', ['ctx:180000'], ['context:warning:0.9:0.9']],
    ['at 97.5%: critical', ['ctx:195000'], ['context:critical:0.975:0.97']],
    [
      'a current warning is not raised again',
      ['ctx:180000', 'alert:context:warning:0.9:0.9', 'ctx:185000'],
      [],
    ],
    [
      'a current warning escalates to critical',
      ['ctx:180000', 'alert:context:warning:0.9:0.9', 'ctx:195000'],
      ['context:critical:0.975:0.97'],
    ],
    ['a current critical stays quiet', ['ctx:195000', 'alert:context:critical:0.975:0.97', 'ctx:199000'], []],
    [
      'after a compaction, with no reading since: nothing',
      ['ctx:185000', 'alert:context:warning:0.925:0.9', 'compact'],
      [],
    ],
    [
      'after a compaction and a new crossing: again',
      ['ctx:185000', 'alert:context:warning:0.925:0.9', 'compact', 'ctx:40000', 'ctx:182000'],
      ['context:warning:0.91:0.9'],
    ],
    [
      'after a lower reading and a new crossing: again',
      ['ctx:185000', 'alert:context:warning:0.925:0.9', 'ctx:150000', 'ctx:181000'],
      ['context:warning:0.905:0.9'],
    ],
    ['an ended session: nothing', ['ctx:195000', 'end'], []],
  ];
  it.each(cases)('%s', (_name, steps, expected) => {
    expect(due(session(steps))).toEqual(expected);
  });

  it('follows alerts.contextShare and alerts.enabled', () => {
    expect(due(session(['ctx:170000']), { settings: { contextShare: 0.8 } })).toEqual([
      'context:warning:0.85:0.8',
    ]);
    expect(due(session(['ctx:195000']), { settings: { enabled: false } })).toEqual([]);
  });

  it('keeps a context alert current until a compaction or a reading below its threshold', () => {
    const raised = session(['ctx:185000', 'alert:context:warning:0.925:0.9', 'ctx:186000']);
    expect(currentAlerts(raised).map((a) => a.kind)).toEqual(['context']);
    expect(currentAlerts(session(['ctx:185000', 'alert:context:warning:0.925:0.9', 'compact']))).toEqual([]);
    expect(currentAlerts(session(['ctx:185000', 'alert:context:warning:0.925:0.9', 'ctx:170000']))).toEqual(
      [],
    );
  });
});

describe('dueAlerts: error spike', () => {
  const threshold = Math.round(spikeThreshold(baseline, 3.5) * 10_000) / 10_000;
  const spike = [...calls(15), ...calls(5, 'fail')];
  const cases: Array<[string, string[], ErrorBaseline | undefined, string[]]> = [
    [
      '5 errors in 20 calls against a 0.05 usual: a spike',
      spike,
      baseline,
      [`error_spike:warning:0.25:${threshold}:0.05`],
    ],
    ['too little history (5 sessions): nothing', spike, { ...baseline, n: 5 }, []],
    ['no baseline: nothing', spike, undefined, []],
    ['fewer than 20 calls: nothing', [...calls(14), ...calls(5, 'fail')], baseline, []],
    ['2 errors (fewer than errorMinCount 3): nothing', [...calls(18), ...calls(2, 'fail')], baseline, []],
    ['errors before the window do not count', [...calls(5, 'fail'), ...calls(20)], baseline, []],
    [
      'a rate below the threshold: nothing',
      [...calls(17), ...calls(3, 'fail')],
      { ...baseline, median: 0.12 },
      [],
    ],
    [
      'a current spike is not raised again',
      [...spike, 'alert:error_spike:warning:0.25:0.15', 'fail'],
      baseline,
      [],
    ],
    [
      'after the window fell below, a new crossing raises it again',
      [...spike, 'alert:error_spike:warning:0.25:0.15', ...calls(20), ...calls(15), ...calls(5, 'fail')],
      baseline,
      [`error_spike:warning:0.25:${threshold}:0.05`],
    ],
  ];
  it.each(cases)('%s', (_name, steps, base, expected) => {
    expect(due(session(steps), base ? { baseline: base } : {})).toEqual(expected);
  });

  it('computes the threshold as median + score x MAD / 0.6745, with the mean deviation when the MAD is 0', () => {
    expect(spikeThreshold(baseline, 3.5)).toBeCloseTo(0.05 + (3.5 * 0.02) / 0.6745, 10);
    expect(spikeThreshold({ median: 0.1, mad: 0, meanAbsDev: 0.04, n: 9 }, 3.5)).toBeCloseTo(
      0.1 + (3.5 * 0.04) / 0.7979,
      10,
    );
    expect(spikeThreshold({ median: 0, mad: 0, meanAbsDev: 0, n: 9 }, 3.5)).toBeGreaterThan(0);
  });
});
