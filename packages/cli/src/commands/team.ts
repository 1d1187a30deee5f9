import { daysOfWeeks, type TeamWeeks, teamWeeks } from '@sat/core/projections';
import { openStore } from '../analytics.js';
import type { HandlerOf } from '../command-spec.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { formatCost, formatTokens, printJson, printTable } from '../output.js';
import type { teamCommand } from '../registry.js';

/** Default of `--weeks`. */
const DEFAULT_WEEKS = 4;

function parseWeeks(text: string | undefined): number {
  if (text === undefined) return DEFAULT_WEEKS;
  const weeks = Number(text);
  if (!Number.isInteger(weeks) || weeks < 1 || weeks > 520)
    throw new UsageError(`--weeks must be a whole number from 1 to 520, not '${text}'`);
  return weeks;
}

/**
 * Who contributed what in the last `weeks` ISO weeks: the store's team activity (brought up to
 * date with the log first) folded per person per week.
 *
 * @example
 * const { rows } = await teamReport(ctx, 4, Date.now());
 */
export async function teamReport(ctx: CliContext, weeks: number, now: number): Promise<TeamWeeks> {
  const store = await openStore(ctx);
  try {
    await store.ingestLog();
    return teamWeeks(await store.team({ days: daysOfWeeks(weeks, now), now }));
  } finally {
    await store.close();
  }
}

function renderWeeks(ctx: CliContext, result: TeamWeeks): void {
  if (result.rows.length === 0) {
    ctx.note(`sat: no sessions, tokens or errors since ${result.filters.from}`);
    return;
  }
  printTable(ctx, result.rows, [
    { header: 'WEEK', value: (r) => r.week },
    { header: 'USER', value: (r) => r.user },
    { header: 'MACHINES', value: (r) => r.machines.join(' ') },
    { header: 'SESSIONS', value: (r) => r.sessions, align: 'right' },
    { header: 'TOKENS', value: (r) => formatTokens(r.tokens.total), align: 'right' },
    {
      header: 'COST',
      value: (r) => (r.cost === null ? `${formatCost(r.pricedCost)}+` : formatCost(r.cost)),
      align: 'right',
    },
    { header: 'ERRORS', value: (r) => r.errors, align: 'right' },
  ]);
  const unpriced = [...new Set(result.rows.flatMap((r) => r.unpricedModels))];
  if (unpriced.length > 0)
    ctx.note(`sat: no price for model(s) ${unpriced.join(', ')}: costs marked + are partial`);
}

/** `sat team`: sessions, tokens, cost and errors per person per ISO week. */
export const run: HandlerOf<typeof teamCommand> = async (ctx, _args, options) => {
  const result = await teamReport(ctx, parseWeeks(options.weeks), Date.now());
  if (options.json) printJson(ctx, result);
  else renderWeeks(ctx, result);
  return 0;
};
