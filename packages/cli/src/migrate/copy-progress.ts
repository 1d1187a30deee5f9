import type { IngestProgress } from '@sat/core';
import type { CliContext } from '../context.js';
import { stderrBars } from '../progress-bar.js';

/** The progress bar of a migration's copy. */
export interface CopyBar {
  update(progress: IngestProgress): void;
  stop(): void;
}

/**
 * A bar on stderr (`copying [=====     ] 52% | 52,000 of 100,000 events`) when stderr is a
 * terminal and the output is not JSON; a no-op otherwise, so pipes and scripts get no noise.
 *
 * @example
 * const bar = await copyBar(ctx, false);
 * await store.ingestLog(undefined, { onProgress: (p) => bar.update(p) }).finally(() => bar.stop());
 */
export async function copyBar(ctx: CliContext, json: boolean): Promise<CopyBar> {
  const bar = json
    ? undefined
    : (await stderrBars(ctx))?.({
        format: 'copying [{bar}] {percentage}% | {value} of {total} events',
        formatValue: (v) => v.toLocaleString('en-US'),
      });
  if (!bar) return { update() {}, stop() {} };
  return {
    update: (p) => bar.update(p.done, Math.max(p.expected, p.done, 1)),
    stop: () => bar.stop(),
  };
}
