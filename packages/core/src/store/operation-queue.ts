import { SatError } from '../errors.js';

/**
 * Runs a store's operations one at a time, in call order (a failed one does not stop the next),
 * maps what they throw through `mapError`, and refuses every operation once closed.
 */
export class OperationQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly label: string,
    private readonly location: string,
    private readonly mapError: (error: unknown, action: string) => unknown = (error) => error,
  ) {}

  /** True once {@link close} ran. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Runs `fn` after every operation queued before it; `action` names it in errors (`write to`, `read`). */
  run<T>(action: string, fn: () => Promise<T>): Promise<T> {
    const run = async () => {
      if (this.closed)
        throw new SatError(
          'USAGE',
          `[${this.label}] cannot ${action} ${this.location}: the store is closed (open it again)`,
        );
      try {
        return await fn();
      } catch (error) {
        throw this.mapError(error, action);
      }
    };
    const result = this.tail.then(run, run);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Queues `release` as the last operation; later calls fail with `USAGE`. */
  close(release: () => Promise<void>): Promise<void> {
    if (this.closed) return Promise.resolve();
    return this.run('close', async () => {
      this.closed = true;
      await release();
    });
  }
}
