import { describe, expect, it } from 'vitest';
import type { NewEvent } from '../../src/events/envelope.js';
import { recurringQuality } from '../../src/fixtures/index.js';
import { findRecurringErrors } from '../../src/insights/index.js';
import { digestSession, type SessionDigest } from '../../src/insights/session-digest.js';
import { asLogged, plantedDigests } from './helpers.js';

const T0 = Date.UTC(2026, 1, 1);
const at = (s: number) => new Date(T0 + s * 1000).toISOString();

async function session(id: string, events: Array<Omit<NewEvent, 'session'>>): Promise<SessionDigest> {
  const digest = await digestSession(asLogged(events.map((e) => ({ ...e, session: id }) as NewEvent)));
  if (!digest) throw new Error('no digest');
  return digest;
}

function failedBash(id: string, message: string, s: number): Array<Omit<NewEvent, 'session'>> {
  return [
    { type: 'tool_usage', ts: at(s), data: { tool: 'Bash', success: false, tool_use_id: id } },
    { type: 'error', ts: at(s + 1), data: { error_type: 'ENOENT', message, tool_use_id: id } },
  ];
}

describe('findRecurringErrors', () => {
  it('finds >= 90% of the planted recurring patterns, with < 5% reported that were not planted', async () => {
    const { history, digests } = await plantedDigests({ seed: 7 });
    const { recurring } = findRecurringErrors(digests);
    const quality = recurringQuality(history.truth, recurring);
    expect(quality.recall).toBeGreaterThanOrEqual(0.9);
    expect(quality.notPlanted, quality.unmatched.join('\n')).toBeLessThan(0.05);
    expect(history.truth.noiseErrors).toBeGreaterThan(20);
  });

  it('names what resolved each planted pattern, and the edit it follows', async () => {
    const { digests } = await plantedDigests({ seed: 7 });
    const byType = new Map(findRecurringErrors(digests).recurring.map((r) => [r.errorType, r]));
    expect(byType.get('TypeScript')?.resolvingStep).toEqual({
      kind: 'file_edit',
      text: 'modify fix-typescript.ts',
    });
    expect(byType.get('TypeScript')?.afterEdit?.kind).toBe('modify *.json');
    expect(byType.get('Timeout')?.resolvingStep?.kind).toBe('attempted_fix');
    expect(byType.get('GitError')?.resolvingStep).toEqual({ kind: 'tool_call', text: 'Bash pnpm test' });
    expect(byType.get('GitError')?.medianTimeToResolutionMs).toBeGreaterThan(10_000);
  });

  it('groups one error whose path, temp folder and numbers vary, and keeps different errors apart', async () => {
    const a = await session('a', [
      ...failedBash(
        't1',
        "ENOENT: no such file or directory, open '/tmp/tmp.x1/cache/3f9a2c1d.json' (attempt 1)",
        0,
      ),
      { type: 'file_operation', ts: at(30), data: { path: 'src/cache.ts', operation: 'modify' } },
      { type: 'tool_usage', ts: at(40), data: { tool: 'Bash', success: true } },
    ]);
    const b = await session('b', [
      ...failedBash(
        't2',
        "ENOENT: no such file or directory, open '/var/tmp/q/9e8d7c6b5a.json' (attempt 12)",
        100,
      ),
      ...failedBash('t3', "ENOENT: no such file or directory, scandir '/tmp/z'", 200),
    ]);
    const c = await session(
      'c',
      failedBash('t4', "ENOENT: no such file or directory, scandir '/home/x'", 300),
    );
    const { recurring } = findRecurringErrors([a, b, c]);
    const rows = recurring
      .map((r) => [r.sessions, r.occurrences])
      .sort((x, y) => String(x[0]).localeCompare(String(y[0])));
    expect(rows).toEqual([
      [['a', 'b'], 2],
      [['b', 'c'], 2],
    ]);
    const open = recurring.find((r) => r.pattern.includes('open'))!;
    expect(open).toMatchObject({
      example: "ENOENT: no such file or directory, open '/tmp/tmp.x1/cache/3f9a2c1d.json' (attempt 1)",
      resolved: 1,
      resolutionRate: 0.5,
      medianTimeToResolutionMs: 39_000,
      resolvingStep: { kind: 'file_edit', text: 'modify cache.ts' },
      firstSeen: at(1),
      lastSeen: at(101),
    });
  });

  it('reports nothing for errors seen in one session only', async () => {
    const a = await session('a', [...failedBash('t1', 'x failed', 0), ...failedBash('t2', 'x failed', 10)]);
    expect(findRecurringErrors([a]).recurring).toEqual([]);
    expect(findRecurringErrors([a], { minSessions: 1 }).recurring).toHaveLength(1);
  });
});
