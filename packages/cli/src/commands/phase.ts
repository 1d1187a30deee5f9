import {
  EventWriter,
  type PhaseDue,
  phasesDueForArchive,
  readSessionEvents,
  type SatConfig,
} from '@sat/core';
import type { HandlerOf } from '../command-spec.js';
import type { CliContext } from '../context.js';
import { currentSession } from '../current-session.js';
import { UsageError } from '../errors.js';
import { printJson } from '../output.js';
import type { phaseSetCommand, phaseShowCommand } from '../registry.js';

/** The session's phase: its last `phase` event (else the phase its session_start named). */
async function currentPhase(
  logsDir: string,
  session: string,
): Promise<{ phase: string | null; name: string | null; ts: string | null }> {
  let found: { phase: string | null; name: string | null; ts: string | null } = {
    phase: null,
    name: null,
    ts: null,
  };
  for await (const event of readSessionEvents(logsDir, session)) {
    const data = event.data as { phase?: string | number; name?: string };
    if (event.type === 'phase' || (event.type === 'session_start' && data.phase !== undefined)) {
      found = {
        phase: data.phase === undefined ? null : String(data.phase),
        name: event.type === 'phase' ? (data.name ?? null) : null,
        ts: event.ts,
      };
    }
  }
  return found;
}

/** `sat phase [show]`: the current session's phase. */
export const show: HandlerOf<typeof phaseShowCommand> = async (ctx, _args, options) => {
  const logsDir = ctx.config().paths.logs;
  const session = await currentSession(logsDir, options.session);
  const phase = await currentPhase(logsDir, session);
  if (options.json) {
    printJson(ctx, { session, ...phase });
    return 0;
  }
  if (phase.phase === null) ctx.print(`session ${session}: no phase set (set one with 'sat phase set <N>')`);
  else ctx.print(`session ${session}: phase ${phase.phase}${phase.name ? ` (${phase.name})` : ''}`);
  return 0;
};

/** `sat phase set <N> [--name text]`: appends a `phase` event, then applies the archive policy. */
export const set: HandlerOf<typeof phaseSetCommand> = async (ctx, [value], options) => {
  const config = ctx.config();
  const logsDir = config.paths.logs;
  if (value === undefined || value.trim() === '') throw new UsageError('say which phase: sat phase set <N>');
  const phase: string | number = /^\d+$/.test(value) ? Number(value) : value;
  const session = await currentSession(logsDir, options.session);
  const id = await appendPhase(logsDir, config, session, phase, options.name);
  const due = await archiveDue(ctx);
  if (options.json) {
    printJson(ctx, {
      session,
      phase: String(phase),
      name: options.name ?? null,
      event: id,
      archiveDue: due.map((d) => d.phase),
    });
    return 0;
  }
  ctx.print(`session ${session}: phase ${phase}${options.name ? ` (${options.name})` : ''}`);
  return offerArchive(ctx, due);
};

async function appendPhase(
  logsDir: string,
  config: SatConfig,
  session: string,
  phase: string | number,
  name: string | undefined,
): Promise<string> {
  const writer = new EventWriter({ logsDir, ...config.writer });
  try {
    const id = writer.append({
      type: 'phase',
      session,
      data: name === undefined ? { phase } : { phase, name },
    });
    await writer.close();
    return id;
  } finally {
    await writer.close().catch(() => {});
  }
}

/** Names the phases due for archiving; on a terminal, 'sat archive auto' asks whether to archive them now. */
async function offerArchive(ctx: CliContext, due: PhaseDue[]): Promise<number | undefined> {
  if (due.length === 0) return 0;
  const keep = ctx.config().archive.keepPhases;
  const list = due.map((d) => `${d.phase} (${d.pending.length} session(s))`).join(', ');
  if (!ctx.stdin.isTTY || !ctx.out.isTTY) {
    ctx.note(
      `sat: phase(s) ${list} are older than the newest ${keep} and not archived yet: 'sat archive auto --yes' archives them to S3`,
    );
    return 0;
  }
  ctx.note(`sat: phase(s) ${list} are older than the newest ${keep} and not archived yet`);
  const archive = await import('./archive.js');
  return archive.auto(ctx, [], {});
}

/**
 * The phases the archive policy says are due (older than the newest `archive.keepPhases`, with
 * closed sessions not archived yet), from the local logs; none when no S3 bucket is configured.
 */
async function archiveDue(ctx: CliContext): Promise<PhaseDue[]> {
  const config = ctx.config();
  if (!config.archive.s3) return [];
  try {
    return await phasesDueForArchive(config);
  } catch (error) {
    ctx.note(`sat: could not check which phases are due for archiving: ${(error as Error).message}`);
    return [];
  }
}
