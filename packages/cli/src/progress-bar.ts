import type { CliContext } from './context.js';

/** One bar on stderr: started on its first update, so a run with nothing to do draws nothing. */
export interface StderrBar {
  /** Draws `value` of `total` (starting the bar the first time), with the format's extra fields. */
  update(value: number, total: number, fields?: Record<string, string>): void;
  stop(): void;
}

/** What {@link stderrBars} makes bars from: cli-progress's format string and options. */
export interface BarOptions {
  format: string;
  etaBuffer?: number;
  formatValue?: (value: number) => string;
}

/**
 * A maker of progress bars on stderr (cli-progress, loaded only here), or undefined when stderr
 * is not a terminal, so that pipes, logs and scripts get no noise. The one place the CLI's bars
 * (import, backup/restore transfers, migrate's copy) are drawn.
 *
 * @example
 * const bars = await stderrBars(ctx);
 * const bar = bars?.({ format: 'copying [{bar}] {percentage}%' });
 */
export async function stderrBars(ctx: CliContext): Promise<((options: BarOptions) => StderrBar) | undefined> {
  if (!ctx.err.isTTY) return undefined;
  const { default: progress } = await import('cli-progress');
  return (options) => {
    let bar: InstanceType<typeof progress.SingleBar> | undefined;
    return {
      update(value, total, fields = {}) {
        if (!bar) {
          bar = new progress.SingleBar(
            { stream: ctx.err, hideCursor: true, clearOnComplete: true, ...options },
            progress.Presets.shades_classic,
          );
          bar.start(total, value, fields);
          return;
        }
        bar.setTotal(total);
        bar.update(value, fields);
      },
      stop() {
        bar?.stop();
        bar = undefined;
      },
    };
  };
}

/** A bar that draws nothing (stderr is not a terminal). */
export const NO_BAR: StderrBar = { update() {}, stop() {} };
