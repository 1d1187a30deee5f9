import { applyRetention, planRetention } from '@sat/core';
import type { HandlerOf } from '../command-spec.js';
import { UsageError } from '../errors.js';
import { formatBytes, printJson, printTable } from '../output.js';
import type { gcCommand } from '../registry.js';

/** Applies retention: keeps the newest N sessions' logs, removes older ones only once backed up. */
export const run: HandlerOf<typeof gcCommand> = async (ctx, _args, options) => {
  const config = ctx.config();
  let keep = config.retention.keepSessions;
  if (options.keep !== undefined) {
    keep = Number(options.keep);
    if (!Number.isInteger(keep) || keep < 0)
      throw new UsageError(`--keep must be a whole number >= 0, got '${options.keep}'`);
  }
  const plan = await planRetention(config.paths.logs, keep);
  const result = options.dryRun ? { removed: [] as string[], freedBytes: 0 } : applyRetention(plan);
  if (options.json) {
    printJson(ctx, { dryRun: Boolean(options.dryRun), ...plan, ...result });
    return 0;
  }
  const rows = [
    ...plan.remove.map((r) => ({ ...r, action: options.dryRun ? 'would remove' : 'removed' })),
    ...plan.blocked.map((r) => ({ ...r, action: 'kept' })),
  ];
  if (rows.length === 0) {
    ctx.print(`nothing to do: ${plan.kept.length} session(s), retention keeps the newest ${keep}`);
    return 0;
  }
  printTable(ctx, rows, [
    { header: 'SESSION', value: (r) => r.session },
    { header: 'ACTION', value: (r) => r.action },
    { header: 'SIZE', value: (r) => formatBytes(r.bytes), align: 'right' },
    { header: 'WHY', value: (r) => r.reason },
  ]);
  const total = plan.remove.reduce((sum, r) => sum + r.bytes, 0);
  ctx.print(
    options.dryRun
      ? `would free ${formatBytes(total)} (run without --dry-run to remove)`
      : `freed ${formatBytes(result.freedBytes)}`,
  );
  return 0;
};
