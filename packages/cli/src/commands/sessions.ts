import { listSessions } from '@sat/core';
import type { CliContext } from '../context.js';
import { formatBytes, formatTime, printJson, printTable } from '../output.js';

/** Lists every session with its start, end or status, event count and size. */
export async function run(ctx: CliContext, _args: string[], options: { json?: boolean }): Promise<number> {
  const sessions = await listSessions(ctx.config().paths.logs);
  if (options.json) {
    printJson(ctx, sessions);
    return 0;
  }
  if (sessions.length === 0) {
    ctx.note(
      `no sessions yet in ${ctx.config().paths.logs} (log one with 'sat log', or use the tracker API)`,
    );
    return 0;
  }
  printTable(ctx, sessions, [
    { header: 'SESSION', value: (s) => s.session },
    { header: 'STARTED', value: (s) => formatTime(s.start) },
    { header: 'ENDED', value: (s) => (s.status === 'active' ? 'active' : formatTime(s.end) || s.status) },
    { header: 'EVENTS', value: (s) => s.events, align: 'right' },
    { header: 'SIZE', value: (s) => formatBytes(s.bytes), align: 'right' },
    { header: 'BACKED UP', value: (s) => (s.backedUp ? 'yes' : 'no') },
  ]);
  return 0;
}
