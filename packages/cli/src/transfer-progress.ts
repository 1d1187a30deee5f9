import type { TransferProgress } from '@sat/core';
import type { CliContext } from './context.js';
import { formatBytes } from './output.js';

const LABELS: Record<TransferProgress['stage'], string> = {
  bundle: 'bundling',
  upload: 'uploading',
  verify: 'verifying',
  download: 'downloading',
  extract: 'checking',
};

/** A progress bar for backup and restore transfers. */
export interface TransferBar {
  /** Feed it the library's progress reports. */
  update(progress: TransferProgress): void;
  stop(): void;
}

/**
 * A progress bar on stderr, one per stage (bundling, uploading, verifying; downloading,
 * checking), shown only when stderr is a terminal; a no-op otherwise, so pipes and logs get
 * plain lines only.
 */
export async function transferBar(ctx: CliContext): Promise<TransferBar> {
  if (!ctx.err.isTTY) return { update() {}, stop() {} };
  const { default: progress } = await import('cli-progress');
  let bar: InstanceType<typeof progress.SingleBar> | undefined;
  let current = '';
  let started = performance.now();
  const fields = (p: TransferProgress) => {
    const seconds = (performance.now() - started) / 1e3;
    return {
      stage: `${LABELS[p.stage]} ${p.session}`.padEnd(24).slice(0, 40),
      done: formatBytes(p.bytes),
      size: formatBytes(p.total),
      rate: seconds > 0 ? `${formatBytes(p.bytes / seconds)}/s` : '',
    };
  };
  return {
    update(p) {
      if (p.total === 0) return;
      const key = `${p.stage}:${p.session}`;
      if (key !== current) {
        bar?.stop();
        current = key;
        started = performance.now();
        bar = new progress.SingleBar(
          {
            stream: ctx.err,
            format: '{stage} [{bar}] {percentage}% | {done} of {size} | {rate}',
            hideCursor: true,
            clearOnComplete: true,
          },
          progress.Presets.shades_classic,
        );
        bar.start(p.total, Math.min(p.bytes, p.total), fields(p));
        return;
      }
      bar?.update(Math.min(p.bytes, p.total), fields(p));
    },
    stop() {
      bar?.stop();
      bar = undefined;
      current = '';
    },
  };
}
