import {
  describeOwner,
  type ReadIssue,
  type SessionOverview,
  type SessionOwner,
  sessionOverview,
  type TokenCounts,
} from '@sat/core';
import type { HandlerOf } from '../command-spec.js';
import type { CliContext } from '../context.js';
import { formatCost, formatCount, formatDuration, formatTime, printJson, printTable } from '../output.js';
import type { showCommand } from '../registry.js';
import { resolveSession } from '../session-arg.js';

function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function total(tokens: TokenCounts): number {
  return tokens.input + tokens.output + tokens.cacheCreation + tokens.cacheRead;
}

function tokenLine(tokens: TokenCounts): string {
  return `${formatCount(total(tokens))} (input ${formatCount(tokens.input)}, output ${formatCount(tokens.output)}, cache write ${formatCount(tokens.cacheCreation)}, cache read ${formatCount(tokens.cacheRead)})`;
}

/** A cost with what it leaves out: `$1.2345`, or `$1.2345 + unpriced` when a model has no price. */
function costCell(cost: number | undefined, unknownModels: readonly string[] = []): string {
  if (cost === undefined) return 'no price';
  return unknownModels.length > 0 ? `${formatCost(cost)} + unpriced` : formatCost(cost);
}

function printHeader(ctx: CliContext, o: SessionOverview, owner: SessionOwner): void {
  const lines: Array<[string, string]> = [['session', o.session]];
  lines.push([
    'owner',
    owner.local
      ? `you (${owner.user}@${owner.machine})`
      : `${owner.user}@${owner.machine} (imported from their shared bundle)`,
  ]);
  lines.push(['started', formatTime(o.start) || '-']);
  lines.push([
    o.ended ? 'ended' : 'last event',
    `${formatTime(o.end) || '-'}${o.ended ? '' : ' (no end recorded)'}`,
  ]);
  if (o.cwd !== undefined) lines.push(['folder', `${o.cwd}${o.gitBranch ? ` (branch ${o.gitBranch})` : ''}`]);
  if (o.client !== undefined) lines.push(['client', o.client]);
  lines.push(['events', String(o.events)]);
  lines.push([
    'prompts',
    `${o.prompts}${o.firstPrompt !== undefined ? `; first: "${clip(o.firstPrompt, 100)}"` : ''}`,
  ]);
  lines.push(['tokens', tokenLine(o.tokens)]);
  let cost = `${costCell(o.cost, o.unknownModels)} (prices as of ${o.pricesAsOf})`;
  if (o.unknownModels.length > 0)
    cost += `; no price for ${o.unknownModels.join(', ')}: its ${formatCount(o.unpricedTokens)} tokens are counted above but not priced (add it under "prices" in sat.config.json)`;
  lines.push(['cost', cost]);
  if (o.estimatedResponses > 0)
    lines.push([
      'estimate',
      `${o.estimatedResponses} sub-agent run(s) counted from the parent's Task result only (their transcript is missing; the result gives their last API call)`,
    ]);
  const width = Math.max(...lines.map(([label]) => label.length));
  for (const [label, value] of lines) ctx.print(`${label.padEnd(width)}  ${value}`);
}

interface AgentRow {
  agent: string;
  invocations?: number;
  outcome: string;
  durationMs?: number;
  responses: number;
  tokens?: TokenCounts;
  cost: string;
}

function agentRows(o: SessionOverview): AgentRow[] {
  const names = [...new Set([...Object.keys(o.byAgent), ...Object.keys(o.agents)])].sort((a, b) =>
    a === 'main' ? -1 : b === 'main' ? 1 : a.localeCompare(b),
  );
  return names.map((agent) => {
    const usage = o.byAgent[agent];
    const runs = o.agents[agent];
    const outcome = runs
      ? [
          runs.completed ? `${runs.completed} completed` : '',
          runs.failed ? `${runs.failed} failed` : '',
          runs.unfinished ? `${runs.unfinished} unfinished` : '',
        ]
          .filter(Boolean)
          .join(', ')
      : '';
    const row: AgentRow = {
      agent,
      outcome,
      responses: usage?.apiResponses ?? 0,
      cost: usage ? costCell(usage.cost, usage.unknownModels) : '-',
    };
    if (runs) {
      row.invocations = runs.invocations;
      row.durationMs = runs.durationMs;
    }
    if (usage) row.tokens = usage.tokens;
    return row;
  });
}

function section(ctx: CliContext, title: string): void {
  ctx.print('');
  ctx.print(title);
}

/** Prints what happened in a session and what it cost, by agent and by model. */
export const run: HandlerOf<typeof showCommand> = async (ctx, args, options) => {
  const config = ctx.config();
  const logsDir = config.paths.logs;
  const session = await resolveSession(logsDir, args[0]!);
  const onIssue = (issue: ReadIssue) => {
    if (issue.kind === 'in-progress-tail') return;
    ctx.note(`sat: warning: ${issue.file} byte ${issue.offset}: ${issue.kind}: ${issue.message}`);
  };
  const o = await sessionOverview(logsDir, session, { prices: config.prices, onIssue });
  const owner = describeOwner(o.origin, config.identity);
  if (options.json) {
    printJson(ctx, { ...o, owner });
    return 0;
  }
  printHeader(ctx, o, owner);

  const agents = agentRows(o);
  if (agents.length > 0) {
    section(ctx, 'Agents');
    printTable(ctx, agents, [
      { header: 'AGENT', value: (r) => r.agent },
      { header: 'INVOKED', value: (r) => r.invocations ?? '', align: 'right' },
      { header: 'OUTCOME', value: (r) => r.outcome },
      { header: 'TIME', value: (r) => (r.durationMs ? formatDuration(r.durationMs) : ''), align: 'right' },
      { header: 'RESPONSES', value: (r) => r.responses, align: 'right' },
      { header: 'TOKENS', value: (r) => (r.tokens ? formatCount(total(r.tokens)) : ''), align: 'right' },
      { header: 'COST', value: (r) => r.cost, align: 'right' },
    ]);
  }

  const models = Object.entries(o.byModel).sort(([, a], [, b]) => total(b.tokens) - total(a.tokens));
  if (models.length > 0) {
    section(ctx, 'Models');
    printTable(ctx, models, [
      { header: 'MODEL', value: ([model]) => model },
      { header: 'RESPONSES', value: ([, m]) => m.apiResponses, align: 'right' },
      { header: 'INPUT', value: ([, m]) => formatCount(m.tokens.input), align: 'right' },
      { header: 'OUTPUT', value: ([, m]) => formatCount(m.tokens.output), align: 'right' },
      { header: 'CACHE WRITE', value: ([, m]) => formatCount(m.tokens.cacheCreation), align: 'right' },
      { header: 'CACHE READ', value: ([, m]) => formatCount(m.tokens.cacheRead), align: 'right' },
      { header: 'COST', value: ([, m]) => costCell(m.cost), align: 'right' },
    ]);
  }

  const tools = Object.entries(o.tools).sort(([a, x], [b, y]) => y.uses - x.uses || a.localeCompare(b));
  if (tools.length > 0) {
    section(ctx, 'Tools');
    printTable(ctx, tools, [
      { header: 'TOOL', value: ([tool]) => tool },
      { header: 'USES', value: ([, t]) => t.uses, align: 'right' },
      { header: 'FAILED', value: ([, t]) => t.failures, align: 'right' },
      { header: 'TIME', value: ([, t]) => formatDuration(t.durationMs), align: 'right' },
    ]);
  }

  if (o.filesChanged.length > 0) {
    section(ctx, `Files changed (${o.filesChanged.length})`);
    for (const file of o.filesChanged) ctx.print(`  ${file.operations.join('+').padEnd(14)}  ${file.path}`);
  }

  const errors = Object.values(o.errorTypes).reduce((sum, n) => sum + n, 0);
  section(ctx, `Errors (${errors})`);
  if (errors === 0) ctx.print('  none');
  for (const error of o.firstErrors)
    ctx.print(
      `  ${formatTime(error.ts)}  ${error.agent}  ${error.errorType}${error.message ? `: ${clip(error.message, 100)}` : ''}`,
    );
  if (errors > o.firstErrors.length)
    ctx.print(`  ... ${errors - o.firstErrors.length} more (sat events ${session} --type error)`);
  if (o.decisions > 0)
    ctx.print(`\n${o.decisions} decision(s) recorded (sat events ${session} --type decision)`);
  return 0;
};
