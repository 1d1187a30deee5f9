import { type AnySatEvent, followSessionEvents, type ReadIssue, readSessionEvents } from '@sat/core';
import type { HandlerOf } from '../command-spec.js';
import { UsageError } from '../errors.js';
import { summarize } from '../event-summary.js';
import { formatTime } from '../output.js';
import type { eventsCommand } from '../registry.js';
import { resolveSession } from '../session-arg.js';

/**
 * True when an event passes `sat events`' `--type` (dashes or underscores) and `--agent` filters;
 * also the filter of `GET /api/sessions/:id/events`.
 *
 * @example
 * eventMatches(event, { type: 'tool-usage' });
 */
export function eventMatches(event: AnySatEvent, filters: { type?: string; agent?: string }): boolean {
  if (filters.type && event.type !== filters.type.replace(/-/g, '_')) return false;
  return !(filters.agent && event.agent !== filters.agent);
}

/** Prints a session's events; `--follow` keeps printing until the session ends. */
export const run: HandlerOf<typeof eventsCommand> = async (ctx, args, options) => {
  const logsDir = ctx.config().paths.logs;
  const session = await resolveSession(logsDir, args[0]!);
  let fromSeq: number | undefined;
  if (options.fromSeq !== undefined) {
    fromSeq = Number(options.fromSeq);
    if (!Number.isInteger(fromSeq) || fromSeq < 1)
      throw new UsageError(`--from-seq must be a whole number >= 1, got '${options.fromSeq}'`);
  }
  let problems = 0;
  const onIssue = (issue: ReadIssue) => {
    if (issue.kind === 'in-progress-tail') return;
    problems++;
    ctx.note(
      `sat: warning: ${issue.file} byte ${issue.offset}${issue.line ? ` (line ${issue.line})` : ''}: ${issue.kind}: ${issue.message}${issue.quarantined ? ' [quarantined]' : ''}`,
    );
  };
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  const source = options.follow
    ? followSessionEvents(logsDir, session, { onIssue, fromSeq, signal: controller.signal })
    : readSessionEvents(logsDir, session, { onIssue, fromSeq });
  try {
    for await (const event of source) {
      if (!eventMatches(event, options)) continue;
      if (options.json) ctx.print(JSON.stringify(event));
      else
        ctx.print(
          `${String(event.seq).padStart(5)}  ${formatTime(event.ts)}  ${event.agent.padEnd(12)}  ${event.type.padEnd(16)}  ${summarize(event)}`,
        );
    }
  } finally {
    process.removeListener('SIGINT', stop);
  }
  return problems > 0 && !options.follow ? 1 : 0;
};
