import {
  DEFAULT_QUIET_MINUTES,
  findIncompleteSessions,
  type IncompleteSession,
  promptText,
  type RecoverResult,
  recoverSession,
  type SessionProgress,
  sessionProgress,
} from '@sat/core';
import type { HandlerOf } from '../command-spec.js';
import type { CliContext } from '../context.js';
import { warnAll } from '../current-session.js';
import { UsageError } from '../errors.js';
import { summarize } from '../event-summary.js';
import { parseMaxTokens } from '../handoff-limit.js';
import { formatAge, formatCount, formatTime, printJson } from '../output.js';
import type { recoverCommand } from '../registry.js';
import { savingText } from './handoff.js';

/** One interrupted session as `sat recover --json` prints it. */
interface RecoverEntry extends Omit<IncompleteSession, 'info'> {
  status: string;
  lastEventAt?: string;
  events: number;
  progress: {
    goal?: string;
    completedTasks: string[];
    openTasks: string[];
    modifiedFiles: string[];
    lastEvents: Array<{ seq: number; ts: string; agent: string; type: string; summary: string }>;
    snapshots: Array<{ id: string; seq: number; trigger: string; createdAt: string }>;
    tokens: number;
    cost: number;
    openErrors: number;
  };
  recovered?: {
    handoff: string;
    latestHandoff: string;
    tokens: number;
    transcriptTokens: number;
    savingPercent: number;
    snapshot: string;
    marker: string;
    resume: string;
  };
  warnings: string[];
}

function positiveInt(raw: string | undefined, flag: string, min: number): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min)
    throw new UsageError(`${flag} must be a whole number >= ${min}, got '${raw}'`);
  return value;
}

function entryOf(found: IncompleteSession, progress: SessionProgress): RecoverEntry {
  const { info, ...rest } = found;
  const entry: RecoverEntry = {
    ...rest,
    status: info.status,
    events: info.events,
    progress: {
      completedTasks: progress.completedTasks,
      openTasks: progress.openTasks,
      modifiedFiles: progress.modifiedFiles.map((f) => f.path),
      lastEvents: progress.lastEvents.map((e) => ({
        seq: e.seq,
        ts: e.ts,
        agent: e.agent,
        type: e.type,
        summary: summarize(e),
      })),
      snapshots: progress.snapshots.map((s) => ({
        id: s.id,
        seq: s.seq,
        trigger: s.trigger,
        createdAt: s.createdAt,
      })),
      tokens: progress.summary.totalTokens,
      cost: progress.summary.cost,
      openErrors: progress.summary.openErrors,
    },
    warnings: progress.warnings,
  };
  if (info.lastEventAt) entry.lastEventAt = info.lastEventAt;
  if (progress.state.goal) entry.progress.goal = promptText(progress.state.goal.text);
  return entry;
}

/** Core's 'no activity for N minutes' with the time in days or hours when it is long. */
function humanWhy(why: string, quietMinutes: number | undefined): string {
  if (quietMinutes === undefined) return why;
  return why.replace(/no activity for \d+ minutes/, `no activity for ${formatAge(quietMinutes * 60_000)}`);
}

function printEntry(ctx: CliContext, e: RecoverEntry): void {
  const list = (items: readonly string[], max: number) =>
    items.length > max ? [...items.slice(0, max), `… ${items.length - max} more`] : items;
  ctx.print(`session ${e.session}`);
  ctx.print(
    `  why        ${e.why.map((why) => humanWhy(why, e.quietMinutes)).join('; ')}${e.recoveredBefore ? ` (recovered before at ${formatTime(e.recoveredBefore)})` : ''}`,
  );
  if (e.progress.goal) ctx.print(`  goal       ${e.progress.goal.replace(/\s+/g, ' ').slice(0, 100)}`);
  ctx.print(
    `  progress   ${formatCount(e.events)} events, ${e.progress.completedTasks.length} task(s) done, ${e.progress.openTasks.length} open, ${e.progress.modifiedFiles.length} file(s) modified, ${e.progress.openErrors} open error(s)`,
  );
  for (const task of list(e.progress.completedTasks, 5)) ctx.print(`  done       ${task}`);
  for (const task of list(e.progress.openTasks, 5)) ctx.print(`  open       ${task}`);
  for (const file of list(e.progress.modifiedFiles, 8)) ctx.print(`  modified   ${file}`);
  for (const ev of e.progress.lastEvents)
    ctx.print(
      `  event      ${String(ev.seq).padStart(5)} ${formatTime(ev.ts)} ${ev.agent} ${ev.type}: ${ev.summary}`,
    );
  const snaps = e.progress.snapshots;
  ctx.print(
    `  snapshots  ${snaps.length === 0 ? 'none' : `${snaps.length}; latest ${snaps[snaps.length - 1]!.id} at event ${snaps[snaps.length - 1]!.seq}`}`,
  );
}

async function confirm(ctx: CliContext, count: number): Promise<boolean> {
  const prompts = await import('@clack/prompts');
  const answer = await prompts.confirm({
    message: `Write a handoff for ${count === 1 ? 'this session' : `these ${count} sessions`} and mark ${count === 1 ? 'it' : 'them'} recovered?`,
    output: ctx.err as NodeJS.WriteStream,
  });
  return !prompts.isCancel(answer) && answer === true;
}

/**
 * Finds sessions that did not end properly (no session_end and quiet for --quiet-minutes, or
 * marked crashed), shows how far they got, and after a confirmation on a terminal writes the
 * handoff to resume each from and marks it recovered.
 */
export const run: HandlerOf<typeof recoverCommand> = async (ctx, _args, options) => {
  const config = ctx.config();
  const quietMinutes = positiveInt(options.quietMinutes, '--quiet-minutes', 0) ?? DEFAULT_QUIET_MINUTES;
  const maxTokens = options.maxTokens === undefined ? undefined : parseMaxTokens(options.maxTokens);
  const found = await findIncompleteSessions(config, { quietMinutes });
  const entries: RecoverEntry[] = [];
  const progress = new Map<string, SessionProgress>();
  for (const session of found) {
    const p = await sessionProgress(config, session.session);
    progress.set(session.session, p);
    entries.push(entryOf(session, p));
  }

  if (entries.length === 0) {
    if (options.json) printJson(ctx, { quietMinutes, sessions: [] });
    else
      ctx.print(
        `no interrupted sessions: none is open and quiet for ${quietMinutes} minutes or more, or marked as crashed`,
      );
    return 0;
  }
  if (!options.json) {
    for (const entry of entries) {
      warnAll(ctx, entry.warnings);
      printEntry(ctx, entry);
      ctx.print('');
    }
  }
  if (options.dryRun) {
    if (options.json) printJson(ctx, { quietMinutes, dryRun: true, sessions: entries });
    else ctx.print('dry run: nothing written (run without --dry-run to write the handoffs)');
    return 0;
  }
  const interactive = !options.yes && !options.json && Boolean(ctx.stdin.isTTY) && Boolean(ctx.out.isTTY);
  if (interactive && !(await confirm(ctx, entries.length))) {
    ctx.print('nothing recovered');
    return 0;
  }

  const spin =
    !options.json && ctx.err.isTTY
      ? (await import('@clack/prompts')).spinner({ output: ctx.err as NodeJS.WriteStream })
      : undefined;
  for (const entry of entries) {
    spin?.start(`recovering ${entry.session}`);
    let result: RecoverResult;
    try {
      result = await recoverSession(config, entry.session, {
        ...(maxTokens !== undefined ? { maxTokens } : {}),
        // Go on from the state loaded above instead of reading the log again.
        loaded: progress.get(entry.session)!.loaded,
      });
    } catch (error) {
      spin?.error(`could not recover ${entry.session}`);
      throw error;
    }
    spin?.stop(`recovered ${entry.session}`);
    entry.recovered = {
      handoff: result.handoff.path,
      latestHandoff: result.handoff.latestPath,
      tokens: result.handoff.tokens,
      transcriptTokens: result.handoff.transcriptTokens,
      savingPercent: result.handoff.savingPercent,
      snapshot: result.snapshot.snapshot.id,
      marker: result.marker,
      resume: `claude --resume ${entry.session}`,
    };
    entry.warnings.push(...result.snapshot.warnings, ...result.handoff.warnings);
    if (!options.json) {
      ctx.print(`recovered ${entry.session}`);
      ctx.print(
        `  handoff    ${result.handoff.latestPath} (~${formatCount(result.handoff.tokens)} tokens, ${savingText(result.handoff.savingPercent)} than the ${result.handoff.transcriptSource === 'transcript' ? 'transcript' : 'event log'})`,
      );
      ctx.print(`  snapshot   ${result.snapshot.snapshot.id} at event ${result.snapshot.snapshot.seq}`);
      ctx.print(`  resume     claude --resume ${entry.session}   (or give a new session the handoff)`);
    }
  }
  if (options.json) printJson(ctx, { quietMinutes, sessions: entries });
  return 0;
};
