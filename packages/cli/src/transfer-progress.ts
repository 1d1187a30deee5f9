import type { TransferProgress } from '@sat/core';
import type { CliContext } from './context.js';
import { formatBytes } from './output.js';
import { NO_BAR, stderrBars } from './progress-bar.js';

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
  const bars = await stderrBars(ctx);
  if (!bars) return { update() {}, stop() {} };
  let bar = NO_BAR;
  let current = '';
  let started = performance.now();
  return {
    update(p) {
      if (p.total === 0) return;
      const key = `${p.stage}:${p.session}`;
      if (key !== current) {
        bar.stop();
        current = key;
        started = performance.now();
        bar = bars({ format: '{stage} [{bar}] {percentage}% | {done} of {size} | {rate}' });
      }
      const seconds = (performance.now() - started) / 1e3;
      bar.update(Math.min(p.bytes, p.total), p.total, {
        stage: `${LABELS[p.stage]} ${p.session}`.padEnd(24).slice(0, 40),
        done: formatBytes(p.bytes),
        size: formatBytes(p.total),
        rate: seconds > 0 ? `${formatBytes(p.bytes / seconds)}/s` : '',
      });
    },
    stop() {
      bar.stop();
      bar = NO_BAR;
      current = '';
    },
  };
}
