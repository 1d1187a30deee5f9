import { openStore } from '../analytics.js';
import type { CliContext } from '../context.js';
import { formatDuration, printJson } from '../output.js';

/** Drops the analytics projections and rebuilds them from the event log. */
export async function run(ctx: CliContext, _args: string[], options: { json?: boolean }): Promise<number> {
  const store = await openStore(ctx);
  try {
    const result = await store.rebuild();
    if (options.json) {
      printJson(ctx, result);
      return 0;
    }
    ctx.print(
      `rebuilt ${result.projections.length} projection(s) from the log: ${result.events} event(s) of ${result.sessions} session(s) in ${formatDuration(result.ms)}`,
    );
    return 0;
  } finally {
    await store.close();
  }
}
