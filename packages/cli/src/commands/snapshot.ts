import { writeFileSync } from 'node:fs';
import {
  createSnapshot,
  diffSnapshots,
  getLatestSnapshot,
  listSnapshots,
  loadSnapshot,
  promptText,
  type SatConfig,
  SNAPSHOT_TRIGGERS,
  type Snapshot,
  type SnapshotTrigger,
  snapshotContentReader,
  summarizeSessionState,
} from '@sat/core';
import type { HandlerOf } from '../command-spec.js';
import type { CliContext } from '../context.js';
import { ago, currentSession, warnAll } from '../current-session.js';
import { UsageError } from '../errors.js';
import {
  formatBytes,
  formatCost,
  formatCount,
  formatTime,
  formatTokens,
  printJson,
  printTable,
} from '../output.js';
import type {
  snapshotCreateCommand,
  snapshotDiffCommand,
  snapshotListCommand,
  snapshotRestoreCommand,
  snapshotShowCommand,
} from '../registry.js';

/** Resolves a snapshot argument: an id, a unique prefix of one, or `latest` (of the current session). */
async function resolveSnapshot(
  ctx: CliContext,
  arg: string | undefined,
  warnings: string[],
): Promise<Snapshot> {
  if (!arg) throw new UsageError("name a snapshot: its id (see 'sat snapshot list') or 'latest'");
  const config = ctx.config();
  const onIssue = (issue: { message: string }) => warnings.push(issue.message);
  if (arg === 'latest' || arg.startsWith('latest:')) {
    const session = await currentSession(config.paths.logs, arg.slice('latest:'.length) || undefined);
    const latest = getLatestSnapshot(config, session, { onIssue });
    if (!latest)
      throw new UsageError(`session ${session} has no usable snapshot ('sat snapshot create' takes one)`);
    return latest;
  }
  return loadSnapshot(config, arg, { onIssue });
}

export const create: HandlerOf<typeof snapshotCreateCommand> = async (ctx, args, options) => {
  const config = ctx.config();
  const trigger = (options.trigger ?? 'manual') as SnapshotTrigger;
  if (!SNAPSHOT_TRIGGERS.includes(trigger))
    throw new UsageError(
      `--trigger must be one of ${SNAPSHOT_TRIGGERS.join(', ')}, got '${options.trigger}'`,
    );
  const session = await currentSession(config.paths.logs, args[0]);
  const result = await createSnapshot(config, session, { trigger });
  if (options.json) {
    const { state: _state, ...rest } = result;
    printJson(ctx, rest);
    return 0;
  }
  warnAll(ctx, result.warnings);
  const s = result.snapshot;
  ctx.print(`snapshot ${s.id} of session ${session} at event ${s.seq} (${s.trigger})`);
  ctx.print(
    `  ${result.baseId ? `from snapshot ${result.baseId} + ${formatCount(result.replayed)} event(s)` : `replayed ${formatCount(result.replayed)} event(s)`}, ${s.files.length} file(s) (${result.changedFiles.length} changed), ${formatBytes(s.bytes)}, ${result.ms.toFixed(1)} ms`,
  );
  ctx.print(`  ${result.path}`);
  if (result.event.skipped) ctx.note(`sat: no snapshot event in the log: ${result.event.skipped}`);
  return 0;
};

/**
 * A session's snapshots and the warnings of reading them, as `sat snapshot list --json` prints
 * them (with the session) and `GET /api/sessions/:id/snapshots` answers.
 *
 * @example
 * const { snapshots } = snapshotListing(config, session);
 */
export function snapshotListing(config: SatConfig, session: string) {
  const warnings: string[] = [];
  const snapshots = listSnapshots(config, session, { onIssue: (issue) => warnings.push(issue.message) });
  return { session, snapshots, warnings };
}

export const list: HandlerOf<typeof snapshotListCommand> = async (ctx, args, options) => {
  const config = ctx.config();
  const session = await currentSession(config.paths.logs, args[0]);
  const { snapshots: metas, warnings } = snapshotListing(config, session);
  if (options.json) {
    printJson(ctx, { session, snapshots: metas, warnings });
    return 0;
  }
  warnAll(ctx, warnings);
  if (metas.length === 0) {
    ctx.note(`session ${session} has no snapshots yet ('sat snapshot create' takes one)`);
    return 0;
  }
  printTable(ctx, metas, [
    { header: 'ID', value: (m) => m.id },
    { header: 'EVENT', value: (m) => m.seq, align: 'right' },
    { header: 'TRIGGER', value: (m) => m.trigger },
    { header: 'CREATED', value: (m) => `${formatTime(m.createdAt)} (${ago(m.createdAt)})` },
    { header: 'FILES', value: (m) => m.files.length, align: 'right' },
    { header: 'AGENT RUNS', value: (m) => m.counters.agentInvocations, align: 'right' },
    { header: 'NEW TOKENS', value: (m) => formatTokens(m.counters.tokens), align: 'right' },
    { header: 'SIZE', value: (m) => formatBytes(m.bytes), align: 'right' },
  ]);
  return 0;
};

export const show: HandlerOf<typeof snapshotShowCommand> = async (ctx, args, options) => {
  const config = ctx.config();
  const warnings: string[] = [];
  const snapshot = await resolveSnapshot(ctx, args[0], warnings);
  const summary = summarizeSessionState(snapshot.state, config.prices);
  if (options.json) {
    printJson(ctx, { meta: snapshot.meta, summary, files: snapshot.files, warnings });
    return 0;
  }
  warnAll(ctx, warnings);
  const m = snapshot.meta;
  const s = snapshot.state;
  ctx.print(`snapshot ${m.id}`);
  ctx.print(`  session   ${m.session}, at event ${m.seq} (${m.trigger}), taken ${formatTime(m.createdAt)}`);
  ctx.print(`  checksum  ${m.checksum} (${formatBytes(m.bytes)})`);
  if (s.goal) ctx.print(`  goal      ${promptText(s.goal.text).replace(/\s+/g, ' ').slice(0, 100)}`);
  ctx.print(
    `  agents    ${summary.agents.invocations} run(s): ${summary.agents.completed} completed, ${summary.agents.failed} failed, ${summary.agents.running} running`,
  );
  ctx.print(
    `  tokens    ${formatTokens(summary.totalTokens)}, cost ${formatCost(summary.cost)}${summary.context ? `, context ${summary.context.percent}%` : ''}`,
  );
  ctx.print(`  errors    ${summary.openErrors} open, ${summary.failedValidations} failed check(s)`);
  if (snapshot.files.length > 0) {
    ctx.print('');
    printTable(ctx, snapshot.files, [
      { header: 'FILE', value: (f) => f.path },
      { header: 'ON DISK', value: (f) => (f.exists ? (f.gitHash?.slice(0, 10) ?? 'not hashed') : 'missing') },
      { header: 'CHANGED', value: (f) => (f.changed ? 'yes' : '') },
      { header: 'DIFF', value: (f) => (f.diff ? `${f.diff.split('\n').length} lines` : (f.diffNote ?? '')) },
    ]);
    if (options.diffs) for (const f of snapshot.files) if (f.diff) ctx.print(`\n${f.diff}`);
  }
  return 0;
};

export const diff: HandlerOf<typeof snapshotDiffCommand> = async (ctx, args, options) => {
  const config = ctx.config();
  if (args[0] === undefined || args[1] === undefined)
    throw new UsageError('give two snapshots: sat snapshot diff <id> <id>');
  const warnings: string[] = [];
  const a = await resolveSnapshot(ctx, args[0], warnings);
  const b = await resolveSnapshot(ctx, args[1], warnings);
  if (a.meta.session !== b.meta.session)
    throw new UsageError(`the snapshots belong to two sessions (${a.meta.session}, ${b.meta.session})`);
  const delta = diffSnapshots(a, b, {
    readContent: snapshotContentReader(config, a.meta.session),
    prices: config.prices,
  });
  if (options.json) {
    printJson(ctx, { ...delta, warnings });
    return 0;
  }
  warnAll(ctx, warnings);
  ctx.print(
    `session ${delta.session}: event ${delta.from.seq} -> ${delta.to.seq} (${formatCount(delta.events)} events)`,
  );
  ctx.print(
    `  agents     +${delta.agents.invocations} run(s), ${delta.agents.finished.length} finished, ${delta.agents.running.length} running`,
  );
  ctx.print(`  tokens     +${formatTokens(delta.tokens.delta)} new tokens, ${formatCost(delta.cost.delta)}`);
  ctx.print(`  errors     ${delta.errors.opened.length} opened, ${delta.errors.resolved} resolved`);
  for (const d of delta.decisions) ctx.print(`  decision   ${d.question} -> ${d.selected}`);
  for (const t of delta.todos) ctx.print(`  todo       ${t.content}: ${t.from ?? 'new'} -> ${t.to}`);
  for (const f of delta.files) ctx.print(`  file       ${f.change} ${f.path}`);
  for (const f of delta.files) if (f.diff) ctx.print(`\n${f.diff}`);
  return 0;
};

export const restore: HandlerOf<typeof snapshotRestoreCommand> = async (ctx, args, options) => {
  const config = ctx.config();
  const warnings: string[] = [];
  const snapshot = await resolveSnapshot(ctx, args[0], warnings);
  if (options.output) {
    writeFileSync(options.output, `${JSON.stringify(snapshot.state, null, 2)}\n`);
    ctx.note(
      `wrote the state of session ${snapshot.meta.session} at event ${snapshot.meta.seq} to ${options.output}`,
    );
  }
  if (options.json) {
    printJson(ctx, snapshot.state);
    return 0;
  }
  warnAll(ctx, warnings);
  const state = snapshot.state;
  const summary = summarizeSessionState(state, config.prices);
  ctx.print(`session ${state.session} as of event ${state.lastSeq} (snapshot ${snapshot.meta.id}, verified)`);
  if (state.goal) ctx.print(`goal: ${promptText(state.goal.text).replace(/\s+/g, ' ').slice(0, 200)}`);
  const open = Object.values(state.todos).flatMap((l) => l.items.filter((i) => i.status !== 'completed'));
  for (const item of open.slice(0, 10)) ctx.print(`  [ ] ${item.content}`);
  for (const run of state.agents.running)
    ctx.print(`  running: ${run.agent}${run.reason ? ` (${run.reason})` : ''}`);
  ctx.print(
    `${summary.filesChanged} file(s) changed, ${summary.openErrors} open error(s), ${formatTokens(summary.totalTokens)} tokens, ${formatCost(summary.cost)}`,
  );
  ctx.print(`(--json prints the whole state; --output <file> saves it)`);
  return 0;
};
