import { ingestCapture } from '@sat/core';
import { refreshAnalytics } from '../analytics.js';
import { autoBackupOptions } from '../backup-target.js';
import type { HandlerOf } from '../command-spec.js';
import { printJson } from '../output.js';
import type { ingestCommand } from '../registry.js';

/** Turns captured hook payloads into events (what every other command also does first). */
export const run: HandlerOf<typeof ingestCommand> = async (ctx, _args, options) => {
  const config = ctx.config();
  const result = await ingestCapture(config, {
    waitMs: options.wait ? config.writer.lockTimeoutMs : 0,
    autoBackup: autoBackupOptions(config),
  });
  // Best effort: the events are in the log whatever happens to the analytics store.
  if (!result.busy) await refreshAnalytics(ctx);
  if (options.json) {
    printJson(ctx, result);
    return 0;
  }
  if (options.quiet) return 0;
  if (result.busy) {
    ctx.print('another ingest is running; it will take these payloads');
    return 0;
  }
  ctx.print(
    `ingested ${result.files} hook payload(s): ${result.appended} event(s) appended, ${result.duplicates} already recorded, ${result.pendingToolCalls} tool call(s) waiting for their result`,
  );
  for (const bad of result.bad) ctx.note(`sat: set aside ${bad.file}: ${bad.reason}`);
  for (const [name, count] of Object.entries(result.unknownHookEvents))
    ctx.note(`sat: ${count} payload(s) of unknown hook event '${name}' kept raw`);
  if (result.imported)
    ctx.print(`imported ${result.imported} event(s) (token usage) from the sessions' transcripts`);
  if (result.snapshots.length) ctx.print(`snapshot taken for ${result.snapshots.join(', ')}`);
  if (result.handoffs.length) ctx.print(`handoff written for ${result.handoffs.join(', ')}`);
  if (result.closed.length) ctx.print(`closed (compressed and verified) ${result.closed.join(', ')}`);
  for (const backup of result.backups)
    ctx.print(`backed up ${backup.session} (${backup.trigger}): ${backup.status}, ${backup.location}`);
  for (const job of result.backupQueue?.jobs ?? [])
    if (job.status !== 'not-due') ctx.print(`queued backup of ${job.session}: ${job.status}`);
  for (const warning of result.warnings) ctx.note(`sat: warning: ${warning}`);
  if (result.captureErrors.length)
    ctx.note(
      `sat: ${result.captureErrors.length} capture(s) failed (see the spool's errors.log; run 'sat doctor')`,
    );
  return 0;
};
