import type { HandlerOf } from '../command-spec.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { migrateStore } from '../migrate/migrate-store.js';
import type { MigratePlan, MigrateResult } from '../migrate/migrate-types.js';
import { formatCount, formatDuration, printJson } from '../output.js';
import type { migrateCommand } from '../registry.js';

const shown = (value: unknown) => {
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
};

function printPlan(ctx: CliContext, plan: MigratePlan, dryRun: boolean): void {
  const verb = dryRun ? 'would copy' : 'copies';
  ctx.print(
    `${plan.from} -> ${plan.to}: ${verb} ${formatCount(plan.events)} event(s) of ${formatCount(plan.sessions)} session(s) from the log into ${plan.target}`,
  );
  for (const note of plan.notes) ctx.print(`  ${note}`);
  ctx.print(`${dryRun ? 'would check' : 'checks'} before switching:`);
  for (const check of plan.checks) ctx.print(`  - ${check}`);
  if (dryRun) ctx.print('dry run: nothing was written');
}

function printFailure(ctx: CliContext, result: MigrateResult): void {
  for (const d of result.differences.slice(0, 10))
    ctx.note(
      `sat: differs: ${d.check} ${d.what}${d.field ? ` field ${d.field}` : ''}: ${result.from} ${shown(d.source)}, ${result.to} ${shown(d.target)}`,
    );
  if (result.differences.length > 10)
    ctx.note(`sat: ... and ${result.differences.length - 10} more difference(s) (--json lists them all)`);
  if (result.error) ctx.note(`sat: migration failed: ${result.error.message}`);
  if (result.rollbackError) ctx.note(`sat: ${result.rollbackError}`);
  else
    ctx.note(
      `sat: rolled back: removed ${result.rolledBack?.length ? result.rolledBack.join(', ') : 'nothing'} from ${result.to === 'mongo' ? result.target : 'the staging file'}`,
    );
  ctx.note(`sat: the config was not changed: store.kind stays ${result.from}`);
}

function printResult(ctx: CliContext, result: MigrateResult): void {
  ctx.print(`${result.from} -> ${result.to}: ${result.target}`);
  for (const note of result.notes) ctx.print(`  ${note}`);
  if (result.copied)
    ctx.print(
      `copied ${formatCount(result.copied.applied)} event(s) (${formatCount(result.copied.duplicates)} already there) in ${formatDuration(result.copied.ms)}`,
    );
  const v = result.verification;
  if (v)
    ctx.print(
      `verified ${v.counts.length} count(s), ${v.sampledSessions} session(s) field by field, ${v.queries} query answer(s): ${result.differences.length === 0 ? 'all equal' : `${result.differences.length} difference(s)`}`,
    );
  if (result.ok) ctx.print(`store.kind is now ${result.to} in ${result.configFile}`);
  else printFailure(ctx, result);
}

async function confirmOnTerminal(ctx: CliContext, plan: MigratePlan): Promise<boolean> {
  printPlan(ctx, plan, false);
  const prompts = await import('@clack/prompts');
  const answer = await prompts.confirm({
    message: `Copy, verify and switch store.kind to ${plan.to}?`,
    output: ctx.err as NodeJS.WriteStream,
  });
  return !prompts.isCancel(answer) && answer === true;
}

/**
 * `sat migrate --to mongo|sqlite`: fills the other store from the log, verifies it against the
 * current one, then switches `store.kind`; rolls back on any difference (exit status 1).
 */
export const run: HandlerOf<typeof migrateCommand> = async (ctx, _args, options) => {
  const to = options.to;
  if (to !== 'mongo' && to !== 'sqlite')
    throw new UsageError(
      `give the store to move to: sat migrate --to mongo, or --to sqlite${to ? ` (not '${to}')` : ''}`,
    );
  const dryRun = options.dryRun === true;
  const json = options.json === true;
  const terminal = !json && Boolean(ctx.stdin.isTTY) && Boolean(ctx.out.isTTY);
  if (!dryRun && !options.yes && !terminal)
    throw new UsageError(
      `sat migrate --to ${to} changes the analytics store: without a terminal to confirm on, give --yes (or --dry-run to only see what it would do)`,
    );
  const result = await migrateStore(
    ctx,
    { to, url: options.url, database: options.database, dryRun, json },
    options.yes || !terminal ? {} : { confirm: (plan) => confirmOnTerminal(ctx, plan) },
  );
  if (json) printJson(ctx, result);
  else if (dryRun) printPlan(ctx, result, true);
  else printResult(ctx, result);
  return result.ok ? 0 : 1;
};
