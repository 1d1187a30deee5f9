import { describe, expect, it } from 'vitest';
import { recommend } from '../../src/insights/index.js';
import { plantedDigests } from './helpers.js';

describe('recommend', () => {
  it('gives >= 3 specific recommendations, most at stake first, on a phase with enough data', async () => {
    const { digests } = await plantedDigests({ seed: 7, tail: { phase: 'hotfix', events: 40 } });
    const phase = digests.filter((d) => d.phases.includes('phase-3'));
    const { recommendations } = recommend({ digests: phase });
    expect(recommendations.length).toBeGreaterThanOrEqual(3);
    const kinds = new Set(recommendations.map((r) => r.kind));
    for (const kind of ['agent_tool_failures', 'model_swap', 'slow_tool', 'cache_unused'] as const)
      expect(kinds).toContain(kind);
    const worth = recommendations.map((r) => (r.impact.usd ?? 0) + ((r.impact.ms ?? 0) * 60) / 3_600_000);
    expect(worth).toEqual([...worth].sort((a, b) => b - a));
    const swap = recommendations.find(
      (r) => r.kind === 'model_swap' && r.evidence.agent === 'code-reviewer',
    )!;
    expect(swap.evidence.cheaperCostUsd).toBeLessThan(Number(swap.evidence.costUsd));
    expect(swap.text).toContain('claude-haiku-4-5');
    const failing = recommendations.find((r) => r.kind === 'agent_tool_failures')!;
    expect(failing.evidence).toMatchObject({ agent: 'test-runner', tool: 'Bash' });
    expect(failing.text).toMatch(/test-runner fails Bash \d+% of the time \(\d+ of \d+ calls\)/);
  });

  it('recommends the check after the edit an error keeps following, and names the context filler', async () => {
    const { digests } = await plantedDigests({ seed: 7 });
    const { recommendations } = recommend({ digests });
    const afterEdit = recommendations.filter((r) => r.kind === 'error_after_edit');
    expect(afterEdit.map((r) => r.evidence.afterEdit)).toContain('modify *.json');
    const context = recommendations.find((r) => r.kind === 'context_limit');
    expect(context?.evidence.sessions).toBeGreaterThanOrEqual(1);
  });

  it('gives none on a phase too small to support any', async () => {
    const { digests } = await plantedDigests({ seed: 7, tail: { phase: 'hotfix', events: 40 } });
    const tiny = digests.filter((d) => d.phases.includes('hotfix'));
    expect(tiny).toHaveLength(1);
    expect(recommend({ digests: tiny }).recommendations).toEqual([]);
  });
});
