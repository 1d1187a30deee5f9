import { existsSync, statSync } from 'node:fs';
import {
  type AlertState,
  currentAlerts,
  latestHandoffPath,
  listSnapshots,
  loadSessionState,
  promptText,
  type SessionActivity,
  type SessionState,
  type SessionStateSummary,
  type SnapshotMeta,
  sessionActivity,
  sessionInfo,
  summarizeSessionState,
} from '@sat/core';
import type { HandlerOf } from '../command-spec.js';
import type { CliContext } from '../context.js';
import { ago, currentSession, shortId, warnAll } from '../current-session.js';
import { formatCost, formatCount, formatTime, formatTokens, printJson } from '../output.js';
import type { statusCommand } from '../registry.js';

/** What `sat status --json` prints. */
export interface StatusReport {
  session: string;
  /** `active` (open), `ended` (has its end, not compressed yet), `closed` (compressed). */
  status: 'active' | 'ended' | 'closed' | 'unknown';
  /** Whether it is current, as `sat sessions` shows it. */
  activity?: SessionActivity;
  start?: string;
  lastActivityAt?: string;
  lastEventAt?: string;
  events: number;
  summary: SessionStateSummary;
  runningAgents: SessionState['agents']['running'];
  phase?: SessionState['phase'];
  lastSnapshot?: SnapshotMeta;
  snapshots: number;
  lastHandoff?: { path: string; at: string; tokens?: number };
  /**
   * The session's alerts that still hold (see docs/alerts.md: a context alert passes with a
   * compaction or a lower reading, an error spike once the last 20 tool calls fall below its threshold).
   */
  alerts: AlertState[];
  /** Where the state came from: a snapshot plus the events after it, or a replay of the log. */
  loadedFrom: { snapshot?: string; replayedEvents: number };
  warnings: string[];
}

function lastHandoff(ctx: CliContext, state: SessionState): StatusReport['lastHandoff'] {
  const latest = latestHandoffPath(ctx.config(), state.session);
  const fileAt = existsSync(latest) ? statSync(latest).mtime.toISOString() : undefined;
  if (state.lastHandoff && (!fileAt || state.lastHandoff.ts >= fileAt)) {
    const out: NonNullable<StatusReport['lastHandoff']> = {
      path: state.lastHandoff.path,
      at: state.lastHandoff.ts,
    };
    if (state.lastHandoff.tokens !== undefined) out.tokens = state.lastHandoff.tokens;
    return out;
  }
  return fileAt ? { path: latest, at: fileAt } : undefined;
}

type LoadedState = Awaited<ReturnType<typeof loadSessionState>>;

/** The lines of `sat status` for people: a label and its value. */
function statusLines(report: StatusReport, loaded: LoadedState): Array<[string, string]> {
  const { state } = loaded;
  const { summary } = report;
  const lines: Array<[string, string]> = [];
  lines.push(['session', `${report.session} (${report.activity ?? report.status})`]);
  lines.push(['started', `${formatTime(state.start) || '-'}${state.cwd ? ` in ${state.cwd}` : ''}`]);
  lines.push([
    'last activity',
    `${formatTime(state.lastActivityAt) || '-'}${state.lastActivityAt ? ` (${ago(state.lastActivityAt)})` : ''}`,
  ]);
  if (state.phase)
    lines.push(['phase', `${state.phase.value}${state.phase.name ? ` (${state.phase.name})` : ''}`]);
  lines.push([
    'events',
    `${formatCount(state.events)}${loaded.snapshot ? ` (${formatCount(loaded.replayed)} after snapshot ${shortId(loaded.snapshot.meta.id)})` : ''}`,
  ]);
  if (state.goal) lines.push(['goal', clip(promptText(state.goal.text), 100)]);
  const running = state.agents.running.map((r) => r.agent);
  lines.push([
    'agents',
    `${running.length ? `${running.length} running (${[...new Set(running)].join(', ')}), ` : '0 running, '}${summary.agents.completed} completed, ${summary.agents.failed} failed of ${summary.agents.invocations} run(s)`,
  ]);
  lines.push([
    'tokens',
    summary.totalTokens > 0
      ? `${formatTokens(summary.totalTokens)} (input ${formatTokens(summary.tokens.input)}, output ${formatTokens(summary.tokens.output)}, cache write ${formatTokens(summary.tokens.cacheCreation)}, cache read ${formatTokens(summary.tokens.cacheRead)})`
      : 'none recorded',
  ]);
  if (summary.context)
    lines.push([
      'context',
      `${summary.context.percent}% full (${formatCount(summary.context.tokens)} of ${formatCount(summary.context.window)}, ${summary.context.model})`,
    ]);
  if (summary.totalTokens > 0)
    lines.push([
      'cost',
      `${formatCost(summary.cost)}${summary.unknownModels.length ? ` + unpriced (${summary.unknownModels.join(', ')}: ${formatCount(summary.unpricedTokens)} tokens)` : ''}`,
    ]);
  if (summary.todos.total > 0)
    lines.push([
      'todos',
      `${summary.todos.completed}/${summary.todos.total} done${summary.todos.inProgress ? `, ${summary.todos.inProgress} in progress` : ''}`,
    ]);
  lines.push(['files', `${summary.filesChanged} changed`]);
  lines.push(['errors', `${summary.openErrors} open, ${summary.failedValidations} failed check(s)`]);
  for (const alert of report.alerts)
    lines.push(['alert', `${alert.level}: ${alert.message} (${ago(alert.ts)}; 'sat alerts' lists all)`]);
  const snap = report.lastSnapshot;
  const handoff = report.lastHandoff;
  lines.push([
    'snapshot',
    snap
      ? `${snap.id} at event ${snap.seq} (${snap.trigger}, ${ago(snap.createdAt)}; ${report.snapshots} in all)`
      : `none yet ('sat snapshot create' takes one)`,
  ]);
  lines.push([
    'handoff',
    handoff ? `${handoff.path} (${ago(handoff.at)})` : `none yet ('sat handoff' writes one)`,
  ]);
  return lines;
}

/**
 * What `sat status [session] --json` prints, and the loaded state behind it; `session` is an id,
 * a unique prefix, `active` or undefined (the current session).
 *
 * @example
 * const { report } = await statusReport(ctx, 'active');
 */
export async function statusReport(
  ctx: CliContext,
  sessionArg: string | undefined,
): Promise<{ report: StatusReport; loaded: LoadedState }> {
  const config = ctx.config();
  const session = await currentSession(config.paths.logs, sessionArg);
  const loaded = await loadSessionState(config, session);
  const warnings = [...loaded.warnings];
  const snapshots = listSnapshots(config, session, { onIssue: (issue) => warnings.push(issue.message) });
  const { state } = loaded;
  const info = sessionInfo(config.paths.logs, session);
  const summary = summarizeSessionState(state, config.prices);
  const report: StatusReport = {
    session,
    status: info?.status ?? 'unknown',
    ...(info ? { activity: sessionActivity(info) } : {}),
    events: state.events,
    summary,
    runningAgents: state.agents.running,
    snapshots: snapshots.length,
    alerts: currentAlerts(state),
    loadedFrom: { replayedEvents: loaded.replayed },
    warnings,
  };
  if (state.start) report.start = state.start;
  if (state.lastActivityAt) report.lastActivityAt = state.lastActivityAt;
  if (state.lastEventAt) report.lastEventAt = state.lastEventAt;
  if (state.phase) report.phase = state.phase;
  if (snapshots.length) report.lastSnapshot = snapshots[snapshots.length - 1]!;
  const handoff = lastHandoff(ctx, state);
  if (handoff) report.lastHandoff = handoff;
  if (loaded.snapshot) report.loadedFrom.snapshot = loaded.snapshot.meta.id;
  return { report, loaded };
}

/** Shows where the current (or given) session stands: events, agents, tokens, context, cost, alerts, snapshots, handoffs. */
export const run: HandlerOf<typeof statusCommand> = async (ctx, args, options) => {
  const { report, loaded } = await statusReport(ctx, args[0]);
  const warnings = report.warnings;
  if (options.json) {
    printJson(ctx, report);
    return 0;
  }
  warnAll(ctx, warnings);
  const lines = statusLines(report, loaded);
  const width = Math.max(...lines.map(([label]) => label.length));
  for (const [label, value] of lines) ctx.print(`${label.padEnd(width)}  ${value}`);
  return 0;
};

function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
