import { readFileSync } from 'node:fs';
import {
  type AlertState,
  CONTEXT_ALERT,
  currentAlerts,
  handoffToResume,
  isValidSessionId,
  loadSessionState,
  type SatConfig,
} from '@sat/core';
import type { HandlerOf } from '../command-spec.js';
import type { hookContextCommand } from '../registry.js';

/** Claude Code reads at most this many characters of a hook's output; we stay under it. */
export const CONTEXT_LIMIT = 10_000;

/** SessionStart sources after which the model has lost its context and gets the latest handoff. */
export const CONTINUITY_SOURCES = ['resume', 'compact', 'clear'];

/**
 * The additional context for a SessionStart payload, or undefined when there is nothing to add:
 * a `[sat] alerts` line naming `alerts` (the current alerts of the session being resumed), then
 * the handoff of that session (`session_id`), or the project's newest when it has none, under a
 * line that names the file, its session and when it was written.
 */
export function sessionStartContext(
  payload: unknown,
  handoffsDir: string,
  alerts: readonly AlertState[] = [],
): string | undefined {
  const fields = typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : {};
  if (typeof fields.source !== 'string' || !CONTINUITY_SOURCES.includes(fields.source)) return undefined;
  const line = alertsLine(fields.session_id, alerts);
  const handoff = handoffToResume(handoffsDir, fields.session_id);
  if (!handoff) return line;
  const text = readFileSync(handoff.file, 'utf8');
  const header = `${line ? `${line}\n\n` : ''}[sat] handoff ${handoff.file} of session ${handoff.session}, written ${handoff.writtenAt.toISOString()}:\n\n`;
  const room = CONTEXT_LIMIT - header.length - 200;
  const body =
    text.length > room
      ? `${text.slice(0, room)}\n\n[handoff cut to fit the context limit; full text in ${handoff.file}]`
      : text;
  return header + body;
}

/** Characters of the alerts line at most (it comes before the handoff, within {@link CONTEXT_LIMIT}). */
export const ALERTS_LINE_LIMIT = 600;

/** One labelled line naming the session's current alerts, or undefined when it has none. */
function alertsLine(session: unknown, alerts: readonly AlertState[]): string | undefined {
  if (alerts.length === 0) return undefined;
  const text = `[sat] alerts of session ${String(session)} still current: ${alerts.map((a) => `${a.level}: ${a.message}`).join('; ')}`;
  return text.length > ALERTS_LINE_LIMIT ? `${text.slice(0, ALERTS_LINE_LIMIT - 1)}…` : text;
}

/**
 * The current alerts of the session a SessionStart payload resumes; after a compaction the
 * context alert is left out (the compaction has just emptied the context, before sat ingested it).
 */
async function resumedAlerts(config: SatConfig, payload: unknown): Promise<AlertState[]> {
  const fields = typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : {};
  if (!isValidSessionId(fields.session_id) || !CONTINUITY_SOURCES.includes(String(fields.source))) return [];
  try {
    const { state } = await loadSessionState(config, fields.session_id);
    const passed = fields.source === 'resume' ? new Set<string>() : new Set([CONTEXT_ALERT]);
    return currentAlerts(state).filter((a) => !passed.has(a.kind));
  } catch {
    return [];
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * `sat hook context <payload-file | ->`: run by the capture hook at SessionStart. For a session that
 * resumes, or restarts after compaction or /clear, prints its current alerts and its handoff (see `sessionStartContext`) as
 * additional context for the model (Claude Code's JSON hook output). Prints nothing otherwise,
 * and never fails: the agent must start whatever happens.
 */
export const context: HandlerOf<typeof hookContextCommand> = async (ctx, [file]) => {
  try {
    if (!file) return 0;
    // `-`: the payload on stdin (the capture script opens the spool file there at once, so a
    // concurrent ingest removing it cannot race us).
    const text = file === '-' ? await readAll(ctx.stdin) : readFileSync(file, 'utf8');
    const payload = JSON.parse(text) as unknown;
    const config = ctx.config();
    const additional = sessionStartContext(
      payload,
      config.paths.handoffs,
      await resumedAlerts(config, payload),
    );
    if (additional) {
      ctx.print(
        JSON.stringify({
          hookSpecificOutput: { hookEventName: 'SessionStart', additionalContext: additional },
        }),
      );
    }
  } catch {
    // Continuity is best effort: a missing handoff or a bad payload must not stop the session.
  }
  return 0;
};
