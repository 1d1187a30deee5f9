import {
  type AlertListing,
  AlertMemo,
  type Anomaly,
  alertScansFile,
  digestCacheDir,
  type ListedAlert,
  listAlerts,
  type SatConfig,
} from '@sat/core';
import type { HandlerOf } from '../command-spec.js';
import type { CliContext } from '../context.js';
import { shortId } from '../current-session.js';
import { UsageError } from '../errors.js';
import { formatTime, printJson, printTable } from '../output.js';
import type { alertsCommand } from '../registry.js';
import { resolveSession } from '../session-arg.js';

const DEFAULT_DAYS = 7;

/**
 * The alert memo of a data root: the scans saved in `<state>/alert-scans.json` and the digest
 * cache, so `sat alerts` and `sat serve` read only the logs that changed since they last looked.
 *
 * @example
 * const memo = alertMemo(config);
 * await listAlerts(config, { memo });
 * memo.save();
 */
export function alertMemo(config: SatConfig): AlertMemo {
  return new AlertMemo(config.paths.logs, {
    file: alertScansFile(config),
    digestCacheDir: digestCacheDir(config),
  });
}

/**
 * `--days` of `sat alerts` (and `?days=` of `GET /api/alerts`): default 7, `all` for no limit.
 *
 * @example
 * parseAlertDays('all'); // undefined
 */
export function parseAlertDays(text: string | undefined): number | undefined {
  if (text === undefined) return DEFAULT_DAYS;
  if (text === 'all') return undefined;
  const days = Number(text);
  if (!Number.isInteger(days) || days < 1)
    throw new UsageError(`--days must be a whole number of days or 'all', not '${text}'`);
  return days;
}

function figure(n: number | undefined): string {
  return n === undefined ? '' : String(Math.round(n * 10_000) / 10_000);
}

function renderAlerts(ctx: CliContext, alerts: readonly ListedAlert[]): void {
  printTable(ctx, alerts, [
    { header: 'time', value: (a) => formatTime(a.ts) },
    { header: 'session', value: (a) => shortId(a.session) },
    { header: 'kind', value: (a) => a.kind },
    { header: 'level', value: (a) => `${a.level}${a.current ? ' (current)' : ''}` },
    { header: 'value', value: (a) => figure(a.value), align: 'right' },
    { header: 'threshold', value: (a) => figure(a.threshold), align: 'right' },
    { header: 'baseline', value: (a) => figure(a.baseline), align: 'right' },
    { header: 'message', value: (a) => a.message },
  ]);
}

function renderAnomalies(ctx: CliContext, anomalies: readonly Anomaly[]): void {
  printTable(ctx, anomalies, [
    { header: 'session or day', value: (a) => (a.session ? shortId(a.session) : (a.day ?? '')) },
    { header: 'metric', value: (a) => a.metric },
    { header: 'value', value: (a) => figure(a.value), align: 'right' },
    { header: 'baseline (median)', value: (a) => figure(a.baseline.median), align: 'right' },
    { header: 'of', value: (a) => `${a.baseline.n} earlier`, align: 'right' },
    { header: 'score', value: (a) => a.score.toFixed(1), align: 'right' },
  ]);
}

function render(ctx: CliContext, listing: AlertListing, window: string): void {
  for (const issue of listing.issues)
    ctx.note(`skipped a line of session ${issue.session}: ${issue.message}`);
  if (listing.alerts.length === 0) ctx.print(`No alerts ${window}.`);
  else {
    ctx.print(`Alerts raised by the capture pipeline ${window}, newest first:`);
    renderAlerts(ctx, listing.alerts);
  }
  ctx.print('');
  if (listing.anomalies.length === 0) ctx.print(`No anomalies against your history ${window}.`);
  else {
    ctx.print(`Anomalies against your own history ${window} (detectAnomalies, as in 'sat review'):`);
    renderAnomalies(ctx, listing.anomalies);
  }
  if (listing.skipped.length > 0)
    ctx.print(
      `Too little history to judge: ${listing.skipped.map((s) => s.metric).join(', ')} (at least 8 earlier sessions or days are needed).`,
    );
}

/** Lists the alert events of a window and the anomalies of its sessions and days. */
export const run: HandlerOf<typeof alertsCommand> = async (ctx, _args, options) => {
  const config = ctx.config();
  const days = parseAlertDays(options.days);
  const session = options.session ? await resolveSession(config.paths.logs, options.session) : undefined;
  const memo = alertMemo(config);
  const listing = await listAlerts(config, {
    ...(days !== undefined ? { days } : {}),
    ...(session ? { session } : {}),
    memo,
  });
  const warning = memo.save();
  if (warning !== undefined) ctx.note(`sat: warning: ${warning}`);
  if (options.json) {
    printJson(ctx, listing);
    return 0;
  }
  const window = [
    days !== undefined ? `in the last ${days} day(s)` : 'in all history',
    session ? `of session ${session}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  render(ctx, listing, window);
  return 0;
};
