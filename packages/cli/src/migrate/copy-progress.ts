import type { IngestProgress } from '@sat/core';
import type { CliContext } from '../context.js';

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
  if (json || !ctx.err.isTTY) return { update() {}, stop() {} };
  const { default: progress } = await import('cli-progress');
  const bar = new progress.SingleBar(
    {
      stream: ctx.err,
      format: 'copying [{bar}] {percentage}% | {value} of {total} events',
      hideCursor: true,
      clearOnComplete: true,
      formatValue: (v) => v.toLocaleString('en-US'),
    },
    progress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(p) {
      const total = Math.max(p.expected, p.done, 1);
      if (!started) bar.start(total, p.done);
      started = true;
      bar.setTotal(total);
      bar.update(p.done);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
