import type { SessionActivity, SessionInfo, TokenCounts } from '@sat/core';
import type { HandlerOf } from '../command-spec.js';
import { formatBytes, formatCost, formatTime, formatTokens, printJson, printTable } from '../output.js';
import type { sessionsCommand } from '../registry.js';
import { ownerLabel, sessionRows } from '../session-rows.js';

function totalTokens(tokens: TokenCounts): number {
  return tokens.input + tokens.output + tokens.cacheCreation + tokens.cacheRead;
}

/** Lists every session with its start, end or status, event count, tokens, cost and size. */
export const run: HandlerOf<typeof sessionsCommand> = async (ctx, _args, options) => {
  const config = ctx.config();
  const logsDir = config.paths.logs;
  const { rows, warnings } = await sessionRows(config);
  for (const warning of warnings) ctx.note(`sat: warning: ${warning}`);
  if (options.json) {
    printJson(ctx, rows);
    return 0;
  }
  if (rows.length === 0) {
    ctx.note(
      `no sessions yet in ${logsDir} (import Claude Code transcripts with 'sat import', log one with 'sat log', or use the tracker API)`,
    );
    return 0;
  }
  printTable(ctx, rows, [
    { header: 'SESSION', value: (s) => s.session },
    { header: 'OWNER', value: (s) => ownerLabel(s.owner) },
    { header: 'STARTED', value: (s) => formatTime(s.start) },
    {
      header: 'ENDED',
      value: (s) => endedCell(s),
    },
    { header: 'EVENTS', value: (s) => s.events, align: 'right' },
    {
      header: 'TOKENS',
      value: (s) => (s.apiResponses > 0 ? formatTokens(totalTokens(s.tokens)) : '-'),
      align: 'right',
    },
    {
      header: 'COST',
      value: (s) =>
        s.apiResponses === 0
          ? '-'
          : `${formatCost(s.cost)}${s.unknownModels.length > 0 ? ' + unpriced' : ''}`,
      align: 'right',
    },
    { header: 'SIZE', value: (s) => formatBytes(s.bytes), align: 'right' },
    { header: 'BACKED UP', value: (s) => (s.backedUp ? 'yes' : 'no') },
  ]);
  if (rows.some((s) => s.unknownModels.length > 0)) {
    const models = [...new Set(rows.flatMap((s) => s.unknownModels))].sort();
    ctx.note(
      `sat: note: no price for ${models.join(', ')}: those tokens are not in COST (add them under "prices" in sat.config.json)`,
    );
  }
  return 0;
};

/** The ENDED cell: the end time, or what an open session is (`active`, `idle since <time>`, ...). */
export function endedCell(s: SessionInfo & { activity: SessionActivity }): string {
  if (s.activity === 'active') return 'active';
  if (s.activity === 'idle') return `idle since ${formatTime(s.lastActivityAt)}`;
  if (s.activity === 'ended (imported)') return `ended (imported), last ${formatTime(s.lastActivityAt)}`;
  return formatTime(s.end) || s.activity;
}
