import { type AnySatEvent, followSessionEvents, type ReadIssue, readSessionEvents } from '@sat/core';
import type { HandlerOf } from '../command-spec.js';
import { UsageError } from '../errors.js';
import { formatTime } from '../output.js';
import type { eventsCommand } from '../registry.js';
import { resolveSession } from '../session-arg.js';

function clip(text: string, max = 80): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** A one-line summary of an event's payload. */
export function summarize(event: AnySatEvent): string {
  switch (event.type) {
    case 'tool_usage': {
      const d = event.data;
      const params = d.parameters ? clip(JSON.stringify(d.parameters), 60) : '';
      return `${d.tool} ${d.success ? 'ok' : 'FAILED'}${d.duration_ms !== undefined ? ` ${d.duration_ms}ms` : ''} ${params}`;
    }
    case 'agent_invocation':
      return `${event.data.agent}${event.data.status ? ` ${event.data.status}` : ''}${event.data.reason ? `: ${clip(event.data.reason, 60)}` : ''}`;
    case 'decision':
      return `${clip(event.data.question, 40)} -> ${event.data.selected}${event.data.rationale ? ` (${clip(event.data.rationale, 40)})` : ''}`;
    case 'validation':
      return `${event.data.task}: ${event.data.result} (${event.data.checks.filter((c) => c.passed).length}/${event.data.checks.length} checks)`;
    case 'error':
      return `${event.data.error_type}${event.data.message ? `: ${clip(event.data.message, 60)}` : ''}${event.data.fix_successful ? ' (fixed)' : ''}`;
    case 'file_operation':
      return `${event.data.operation} ${event.data.path}`;
    case 'context_snapshot':
      return `${event.data.tokens_before} -> ${event.data.tokens_after} tokens`;
    default:
      return clip(JSON.stringify(event.data), 80);
  }
}

/** Prints a session's events; `--follow` keeps printing until the session ends. */
export const run: HandlerOf<typeof eventsCommand> = async (ctx, args, options) => {
  const logsDir = ctx.config().paths.logs;
  const session = resolveSession(logsDir, args[0]!);
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
      if (options.type && event.type !== options.type.replace(/-/g, '_')) continue;
      if (options.agent && event.agent !== options.agent) continue;
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
