import { describe, expect, it } from 'vitest';
import { anomalyQuality } from '../../src/fixtures/index.js';
import { collectHistory, detectAnomalies, type MetricHistory } from '../../src/insights/index.js';
import { plantedDigests } from './helpers.js';

const series = (values: number[]) => values.map((value, i) => ({ key: `s${i}`, at: i * 1000, value }));

describe('detectAnomalies', () => {
  it('finds >= 90% of the planted anomalies with a false-positive rate < 5% at default sensitivity', async () => {
    const { history, digests } = await plantedDigests({ seed: 7 });
    expect(new Set(history.truth.anomalies.map((a) => a.kind))).toEqual(
      new Set(['contextFill', 'errorRate', 'longSession', 'slowdown', 'tokens']),
    );
    const metrics = await collectHistory(digests);
    const quality = anomalyQuality(history.truth, metrics, detectAnomalies(metrics).anomalies);
    expect(quality.recall).toBeGreaterThanOrEqual(0.9);
    expect(quality.falsePositiveRate, quality.falsePositives.join('\n')).toBeLessThan(0.05);
  });

  it('flags a spike with its baseline (median, MAD, n) and a modified z-score', () => {
    const values = [100, 104, 98, 101, 97, 103, 99, 102, 100, 400];
    const { anomalies } = detectAnomalies({ sessions: { tokens: series(values) }, days: {} });
    expect(anomalies).toEqual([
      {
        session: 's9',
        metric: 'tokens',
        value: 400,
        baseline: { median: 100, mad: 2, n: 9 },
        score: expect.closeTo((0.6745 * 300) / 2, 6),
        direction: 'up',
      },
    ]);
  });

  it('raises no alert with too little history, and says so', () => {
    const history: MetricHistory = { sessions: { tokens: series([100, 101, 99, 100, 5000]) }, days: {} };
    expect(detectAnomalies(history)).toEqual({
      anomalies: [],
      skipped: [{ metric: 'session:tokens', reason: 'too little history' }],
    });
    expect(detectAnomalies(history, { minHistory: 4 }).anomalies).toHaveLength(1);
  });

  it('judges only the sessions asked for, and drops ones only upward by default', () => {
    const values = [100, 104, 98, 101, 97, 103, 99, 102, 100, 10, 400];
    const history: MetricHistory = { sessions: { tokens: series(values) }, days: {} };
    expect(detectAnomalies(history).anomalies.map((a) => a.session)).toEqual(['s10']);
    expect(
      detectAnomalies(history, { directions: 'both' }).anomalies.map((a) => [a.session, a.direction]),
    ).toEqual([
      ['s10', 'up'],
      ['s9', 'down'],
    ]);
    expect(detectAnomalies(history, { sessions: ['s9'] }).anomalies).toEqual([]);
  });
});
