import { EventWriter, type PhaseDue, phasesDueForArchive, readSessionEvents } from '@sat/core';
import type { CliContext } from '../context.js';
import { currentSession } from '../current-session.js';
import { UsageError } from '../errors.js';
import { printJson } from '../output.js';

interface PhaseOptions {
  name?: string;
  session?: string;
  json?: boolean;
}

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

/** `sat phase` shows the current session's phase; `sat phase set <N> [--name text]` moves it on. */
export async function run(ctx: CliContext, args: string[], options: PhaseOptions): Promise<number> {
  const [action, value, ...extra] = args;
  const config = ctx.config();
  const logsDir = config.paths.logs;
  if (action === undefined || action === 'show') {
    if (value !== undefined) throw new UsageError(`unexpected argument '${value}'`);
    const session = await currentSession(logsDir, options.session);
    const phase = await currentPhase(logsDir, session);
    if (options.json) {
      printJson(ctx, { session, ...phase });
      return 0;
    }
    if (phase.phase === null)
      ctx.print(`session ${session}: no phase set (set one with 'sat phase set <N>')`);
    else ctx.print(`session ${session}: phase ${phase.phase}${phase.name ? ` (${phase.name})` : ''}`);
    return 0;
  }
  if (action !== 'set')
    throw new UsageError(`unknown action '${action}': use 'sat phase' or 'sat phase set <N>'`);
  if (value === undefined || value.trim() === '') throw new UsageError('say which phase: sat phase set <N>');
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  const phase: string | number = /^\d+$/.test(value) ? Number(value) : value;
  const session = await currentSession(logsDir, options.session);
  const writer = new EventWriter({ logsDir, ...config.writer });
  let id: string;
  try {
    id = writer.append({
      type: 'phase',
      session,
      data: options.name === undefined ? { phase } : { phase, name: options.name },
    });
    await writer.close();
  } finally {
    await writer.close().catch(() => {});
  }
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
  if (due.length === 0) return 0;
  const keep = config.archive.keepPhases;
  const list = due.map((d) => `${d.phase} (${d.pending.length} session(s))`).join(', ');
  if (!ctx.stdin.isTTY || !ctx.out.isTTY) {
    ctx.note(
      `sat: phase(s) ${list} are older than the newest ${keep} and not archived yet: 'sat archive auto --yes' archives them to S3`,
    );
    return 0;
  }
  // The archive policy, applied now that a phase has ended: 'sat archive auto' asks first.
  ctx.note(`sat: phase(s) ${list} are older than the newest ${keep} and not archived yet`);
  const archive = await import('./archive.js');
  return archive.run(ctx, ['auto'], {});
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
