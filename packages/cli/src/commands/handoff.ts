import { createHandoff, readLatestHandoff } from '@sat/core';
import type { HandlerOf } from '../command-spec.js';
import { currentSession, warnAll } from '../current-session.js';
import { UsageError } from '../errors.js';
import { parseMaxTokens } from '../handoff-limit.js';
import { formatCount, formatTime, printJson } from '../output.js';
import type { handoffCommand } from '../registry.js';

/**
 * Writes a Markdown handoff of the current (or given) session and says where, how big, and how much
 * smaller than the transcript; with `--latest`, shows the newest one already written (writing nothing).
 */
export const run: HandlerOf<typeof handoffCommand> = async (ctx, args, options) => {
  const config = ctx.config();
  if (options.latest) {
    if (options.maxTokens !== undefined)
      throw new UsageError('--latest shows a handoff already written; --max-tokens is for writing one');
    const stored = readLatestHandoff(config, await currentSession(config.paths.logs, args[0]));
    if (options.json) printJson(ctx, stored);
    else if (options.print) ctx.print(stored.markdown.trimEnd());
    else
      ctx.print(
        `newest handoff of session ${stored.session}: ${stored.path} (written ${formatTime(stored.writtenAt)}, ~${formatCount(stored.tokens)} tokens)`,
      );
    return 0;
  }
  let maxTokens: number | undefined;
  if (options.maxTokens !== undefined) {
    maxTokens = parseMaxTokens(options.maxTokens);
  }
  const session = await currentSession(config.paths.logs, args[0]);
  const result = await createHandoff(config, session, {
    trigger: 'manual',
    ...(maxTokens !== undefined ? { maxTokens } : {}),
  });
  if (options.json) {
    printJson(ctx, result);
    return 0;
  }
  warnAll(ctx, result.warnings);
  if (options.print) {
    ctx.print(result.markdown.trimEnd());
    return 0;
  }
  ctx.print(`handoff of session ${session}: ${result.path}`);
  ctx.print(`  also ${result.latestPath}`);
  ctx.print(
    `  ~${formatCount(result.tokens)} tokens (limit ${formatCount(maxTokens ?? config.handoff.maxTokens)}) against ~${formatCount(result.transcriptTokens)} for the ${result.transcriptSource === 'transcript' ? 'transcript' : 'event log'}: ${savingText(result.savingPercent)}`,
  );
  if (result.dropped.length) ctx.print(`  left out to fit: ${result.dropped.join(', ')}`);
  ctx.print(`  resume with: claude --resume ${session}   (or give the new session ${result.latestPath})`);
  if (result.event.skipped) ctx.note(`sat: no handoff event in the log: ${result.event.skipped}`);
  return 0;
};

/** `93.2% smaller`, or `12% larger` for a negative saving. */
export function savingText(savingPercent: number): string {
  return savingPercent >= 0 ? `${savingPercent}% smaller` : `${Math.round(-savingPercent * 10) / 10}% larger`;
}
