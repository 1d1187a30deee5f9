import { openStore } from '../analytics.js';
import type { HandlerOf } from '../command-spec.js';
import { formatDuration, printJson } from '../output.js';
import type { rebuildCommand } from '../registry.js';

/** Drops the analytics projections and rebuilds them from the event log. */
export const run: HandlerOf<typeof rebuildCommand> = async (ctx, _args, options) => {
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
};
