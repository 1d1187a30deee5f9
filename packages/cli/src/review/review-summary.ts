import type { CliContext } from '../context.js';
import { formatCost, formatCount, formatDuration, formatTokens } from '../output.js';
import { changeText, type ReviewReport } from './review-document.js';

const pct = (rate: number) => `${(rate * 100).toFixed(0)}%`;

/** The headline figures the terminal summary shows, in order. */
const SUMMARY: Array<[key: string, label: string, format: (n: number) => string, rate?: true]> = [
  ['sessions', 'sessions', formatCount],
  ['activeMs', 'active', formatDuration],
  ['toolCalls', 'tool calls', formatCount],
  ['errors', 'errors', formatCount],
  ['tokens', 'tokens', formatTokens],
  ['costUsd', 'cost', formatCost],
  ['toolSuccessRate', 'tool success', pct, true],
];

/**
 * The few lines `sat review` prints: the scope and where its sessions came from, the headline
 * figures with their change, each person's part (`--team`), the top recommendations, the anomalies
 * count and the files written.
 */
export function printReviewSummary(ctx: CliContext, report: ReviewReport, files: readonly string[]): void {
  const s = report.sources;
  const stored = s.backup + s.archive > 0 ? `, ${s.backup} from backups, ${s.archive} from archives` : '';
  ctx.print(`Review of ${report.scope}: ${report.sessions.length} sessions (${s.local} local${stored})`);
  if (s.unreadable.length > 0)
    ctx.print(
      `  could not read ${s.unreadable.length}: ${s.unreadable.map((u) => `${u.session ?? u.source} (${u.reason})`).join('; ')}`,
    );
  const compared = report.previous ? ` (vs ${report.previous})` : '';
  const figures = SUMMARY.flatMap(([key, label, format, rate]) => {
    const h = report.headlines[key];
    if (!h) return [];
    const change = report.previous ? changeText(h, format, rate) : '–';
    return [`${label} ${format(h.current)}${change === '–' ? '' : ` ${change}`}`];
  });
  ctx.print(`  ${figures.join(', ')}${compared}`);
  const recurring = report.errors.recurring.length;
  ctx.print(
    `  ${recurring} recurring error pattern${recurring === 1 ? '' : 's'}, ${report.anomalies.length} anomal${report.anomalies.length === 1 ? 'y' : 'ies'}`,
  );
  if (report.team)
    ctx.print(
      `  team: ${report.team.map((r) => `${r.user} ${formatCount(r.sessions)} sessions ${formatCost(r.pricedCost)}`).join(', ') || 'nobody'}`,
    );
  const top = report.recommendations.slice(0, 3);
  if (top.length > 0) {
    ctx.print('Recommendations:');
    for (const [i, r] of top.entries()) ctx.print(`  ${i + 1}. ${r.text}`);
  } else ctx.print('No recommendation: the data does not support one.');
  for (const file of files) ctx.print(`wrote ${file}`);
}
