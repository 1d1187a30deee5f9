import type { Headline, PhaseReview } from '@sat/core';
import type { TeamWeekRow } from '@sat/core/projections';
import { formatCost, formatCount, formatDuration, formatTokens } from '../output.js';
import { type Block, list, p, type ReportDocument, type Section, table } from './report-document.js';

/** Where the sessions of a review came from, and those that could not be read. */
export interface ReviewSources {
  local: number;
  backup: number;
  archive: number;
  unreadable: Array<{ session: string | null; source: string; location: string; reason: string }>;
}

/** A review with what the CLI adds: sources, when it was made, and (`--team`) each person's part. */
export interface ReviewReport extends PhaseReview {
  generatedAt: string;
  sources: ReviewSources;
  /** With `--team`: one row per person (`week` is the scope), sessions, tokens, cost and errors. */
  team?: TeamWeekRow[];
}

const pct = (rate: number | null | undefined) =>
  rate === null || rate === undefined ? '–' : `${(rate * 100).toFixed(rate < 0.1 && rate > 0 ? 1 : 0)}%`;
const ms = (value: number | null | undefined) =>
  value === null || value === undefined ? '–' : formatDuration(value);
const usd = (value: number) => formatCost(value);
const R = 'r' as const;
const L = 'l' as const;

/** How each headline figure is named and formatted; others fall back to a count. */
const HEADLINES: Record<string, { label: string; format: (n: number) => string; rate?: true }> = {
  sessions: { label: 'Sessions', format: formatCount },
  events: { label: 'Events', format: formatCount },
  activeMs: { label: 'Active time', format: formatDuration },
  tasksCompleted: { label: 'Tasks completed', format: formatCount },
  filesChanged: { label: 'Files changed', format: formatCount },
  toolCalls: { label: 'Tool calls', format: formatCount },
  toolSuccessRate: { label: 'Tool success rate', format: pct, rate: true },
  agentSuccessRate: { label: 'Sub-agent success rate', format: pct, rate: true },
  errors: { label: 'Errors', format: formatCount },
  errorRate: { label: 'Errors per tool call', format: pct, rate: true },
  recurringErrors: { label: 'Recurring error patterns', format: formatCount },
  anomalies: { label: 'Anomalies', format: formatCount },
  tokens: { label: 'Tokens', format: formatTokens },
  costUsd: { label: 'Cost', format: usd },
  cacheReadShare: { label: 'Cost share of cache reads', format: pct, rate: true },
};

/**
 * `+12% (+3)`, `−5% (−$1.20)`, `+1.5 pts` (rates), `same`, `+4 (was 0)`, `–` (no previous).
 *
 * @example
 * changeText({ current: 12, previous: 10, change: 2, changePct: 0.2, direction: 'up' }, String); // '+20% (+2)'
 */
export function changeText(h: Headline, format: (n: number) => string, rate = false): string {
  if (h.previous === null || h.change === null) return '–';
  if (h.direction === 'same') return 'same';
  const sign = h.change > 0 ? '+' : '−';
  if (rate) return `${sign}${(Math.abs(h.change) * 100).toFixed(1)} pts`;
  const amount = `${sign}${format(Math.abs(h.change))}`;
  return h.changePct === null
    ? `${amount} (was 0)`
    : `${sign}${Math.abs(h.changePct * 100).toFixed(0)}% (${amount})`;
}

function headlineSection(review: ReviewReport): Section {
  const rows = Object.entries(review.headlines).map(([key, h]) => {
    const { label, format, rate } = HEADLINES[key] ?? { label: key, format: formatCount };
    return [
      label,
      format(h.current),
      h.previous === null ? '–' : format(h.previous),
      changeText(h, format, rate),
    ];
  });
  const against = review.previous ? `against ${review.previous}` : 'no earlier scope to compare with';
  return {
    title: 'Headlines',
    blocks: [p(`Each figure ${against}.`), table(['Figure', 'This', 'Before', 'Change'], rows, [L, R, R, R])],
  };
}

function sourcesSection(review: ReviewReport): Section {
  const s = review.sources;
  const blocks: Block[] = [
    p(
      `${formatCount(review.sessions.length)} sessions in scope: ${s.local} read on this machine, ${s.backup} from backups, ${s.archive} from phase archives (read in a scratch folder, not restored).`,
    ),
  ];
  if (s.unreadable.length > 0)
    blocks.push(
      p('Could not be read (the figures leave them out):'),
      list(s.unreadable.map((u) => `${u.session ?? `(${u.source})`} at ${u.location}: ${u.reason}`)),
    );
  return { title: 'Sessions read', blocks };
}

function doneSection(review: ReviewReport): Section {
  const d = review.done;
  const span =
    d.firstAt && d.lastAt
      ? `${d.firstAt.slice(0, 16).replace('T', ' ')} to ${d.lastAt.slice(0, 16).replace('T', ' ')} UTC`
      : '–';
  const blocks: Block[] = [
    table(
      ['Sessions', 'Time span', 'Active time', 'Tasks completed', 'Tool calls', 'Files changed'],
      [
        [
          formatCount(d.sessions),
          span,
          ms(d.activeMs),
          formatCount(d.tasksCompleted),
          formatCount(d.toolCalls),
          formatCount(d.filesChanged),
        ],
      ],
      [R, L, R, R, R, R],
    ),
  ];
  if (d.topFiles.length > 0)
    blocks.push(
      p('Files changed most:'),
      table(
        ['File', 'Changes', 'Sessions'],
        d.topFiles.map((f) => [`\`${f.path}\``, formatCount(f.changes), formatCount(f.sessions)]),
        [L, R, R],
      ),
    );
  return { title: 'What was done', blocks };
}

function agentsSection(review: ReviewReport): Section {
  const rows = review.agents.map((a) => [
    a.agent,
    formatCount(a.invocations),
    pct(a.successRate),
    ms(a.durationMs.p50),
    ms(a.durationMs.p95),
    formatTokens(a.tokens.total),
    a.cost === null ? `${usd(a.pricedCost)}+` : usd(a.cost),
  ]);
  const blocks: Block[] =
    rows.length > 0
      ? [table(['Agent', 'Runs', 'Success', 'p50', 'p95', 'Tokens', 'Cost'], rows, [L, R, R, R, R, R, R])]
      : [p('No sub-agent ran in this scope.')];
  if (review.slowestAgents.length > 0)
    blocks.push(
      p(
        `Slowest: ${review.slowestAgents.map((a) => `${a.agent} (p95 ${ms(a.p95Ms)} over ${a.runs} runs)`).join(', ')}.`,
      ),
    );
  blocks.push({ kind: 'chart', name: 'agents', title: 'Agent performance' });
  return { title: 'Agent performance', blocks };
}

function toolsSection(review: ReviewReport): Section {
  const rows = review.tools.map((t) => [
    t.tool,
    formatCount(t.uses),
    pct(t.uses === 0 ? null : t.failures / t.uses),
    ms(t.durationMs.p50),
    ms(t.durationMs.p95),
  ]);
  const blocks: Block[] =
    rows.length > 0
      ? [table(['Tool', 'Uses', 'Failure rate', 'p50', 'p95'], rows, [L, R, R, R, R])]
      : [p('No tool was called in this scope.')];
  if (review.slowestTools.length > 0)
    blocks.push(
      p(
        `Slowest: ${review.slowestTools.map((t) => `${t.tool} (p95 ${ms(t.p95Ms)} over ${t.uses} calls)`).join(', ')}.`,
      ),
    );
  if (review.failingTogether.length > 0)
    blocks.push(
      p('Tools that fail together:'),
      table(
        ['Tools', 'Sessions', 'Times together'],
        review.failingTogether.map((f) => [
          f.tools.join(' + '),
          formatCount(f.sessions),
          formatCount(f.together),
        ]),
        [L, R, R],
      ),
    );
  return { title: 'Tool effectiveness', blocks };
}

function errorsSection(review: ReviewReport): Section {
  const t = review.errors.totals;
  const blocks: Block[] = [
    p(
      `${formatCount(t.errors)} errors in ${formatCount(t.sessions)} sessions; ${pct(t.resolutionRate)} resolved.`,
    ),
  ];
  const recurring = review.errors.recurring.map((r) => [
    `\`${r.pattern.slice(0, 120)}\``,
    r.errorType,
    formatCount(r.occurrences),
    formatCount(r.sessions.length),
    r.agents.join(', '),
    pct(r.resolutionRate),
    ms(r.medianTimeToResolutionMs),
    r.resolvingStep ? `${r.resolvingStep.kind}: \`${r.resolvingStep.text}\`` : '–',
  ]);
  if (recurring.length > 0)
    blocks.push(
      p('Recurring patterns (in more than one session):'),
      table(
        ['Pattern', 'Type', 'Times', 'Sessions', 'Agents', 'Resolved', 'Median to fix', 'What fixed it'],
        recurring,
        [L, L, R, R, L, R, R, L],
      ),
    );
  else blocks.push(p('No error recurred across sessions.'));
  blocks.push({ kind: 'chart', name: 'errors', title: 'Errors by agent and type' });
  return { title: 'Errors', blocks };
}

function costSection(review: ReviewReport): Section {
  const c = review.cost;
  const blocks: Block[] = [
    p(
      `${usd(c.pricedCost)}${c.unpricedModels.length > 0 ? ` (plus tokens of unpriced models: ${c.unpricedModels.join(', ')})` : ''} for ${formatTokens(c.tokens.total)} tokens. Cache writes ${pct(c.cache.writeShare)} of the cost (${usd(c.cache.writeUsd)}), cache reads ${pct(c.cache.readShare)} (${usd(c.cache.readUsd)}).`,
    ),
    table(
      ['Model', 'Responses', 'Tokens', 'Cost'],
      c.byModel.map((m) => [
        m.model,
        formatCount(m.responses),
        formatTokens(m.tokens.total),
        m.cost === null ? 'unpriced' : usd(m.cost),
      ]),
      [L, R, R, R],
    ),
    table(
      ['Agent', 'Tokens', 'Cost'],
      c.byAgent.map((a) => [a.agent, formatTokens(a.tokens.total), usd(a.pricedCost)]),
      [L, R, R],
    ),
  ];
  if (c.bySession.length > 0)
    blocks.push(
      p('Costliest sessions:'),
      table(
        ['Session', 'Started', 'Tokens', 'Cost'],
        [...c.bySession]
          .sort((a, b) => b.costUsd - a.costUsd)
          .slice(0, 10)
          .map((s) => [
            s.session,
            s.startedAt.slice(0, 16).replace('T', ' '),
            formatTokens(s.tokens),
            usd(s.costUsd),
          ]),
        [L, L, R, R],
      ),
    );
  if (c.byTask.length > 0)
    blocks.push(
      p('By task:'),
      table(
        ['Task', 'Agent', 'Tokens', 'Cost'],
        c.byTask.slice(0, 15).map((t) => [t.task, t.agent, formatTokens(t.tokens), usd(t.costUsd)]),
        [L, L, R, R],
      ),
    );
  if (c.cheaperModel.length > 0)
    blocks.push(
      p('Sub-agent work that succeeded, on a cheaper model:'),
      table(
        ['Agent', 'Model', 'Runs', 'Cost', 'On', 'Would cost', 'Saving'],
        c.cheaperModel.map((m) => [
          m.agent,
          m.model,
          formatCount(m.successfulRuns),
          usd(m.costUsd),
          m.alternative,
          usd(m.alternativeCostUsd),
          usd(m.savingUsd),
        ]),
        [L, L, R, R, L, R, R],
      ),
    );
  blocks.push(
    { kind: 'chart', name: 'perDay', title: 'Tokens and cost per day' },
    { kind: 'chart', name: 'perSession', title: 'Tokens and cost per session' },
  );
  return { title: 'Cost', blocks };
}

function anomaliesSection(review: ReviewReport): Section {
  const rows = review.anomalies.map((a) => [
    a.session ?? a.day ?? '',
    a.metric,
    formatCount(Number(a.value.toFixed(2))),
    `${formatCount(Number(a.baseline.median.toFixed(2)))} (MAD ${formatCount(Number(a.baseline.mad.toFixed(2)))}, n ${a.baseline.n})`,
    a.score.toFixed(1),
  ]);
  const blocks: Block[] =
    rows.length > 0
      ? [table(['Session or day', 'Metric', 'Value', 'Usual (median)', 'Score'], rows, [L, L, R, R, R])]
      : [p('Nothing unusual against your own history.')];
  if (review.skipped.length > 0)
    blocks.push(p(`Not judged, too little history: ${review.skipped.map((s) => s.metric).join(', ')}.`));
  return { title: 'Anomalies', blocks };
}

function teamSection(people: readonly TeamWeekRow[]): Section {
  if (people.length === 0) return { title: 'Team', blocks: [p('No work of anyone in this scope.')] };
  return {
    title: 'Team',
    blocks: [
      p("Each person's part of the scope (imported sessions under their origin's user)."),
      table(
        ['Person', 'Machines', 'Sessions', 'Tokens', 'Cost', 'Errors'],
        people.map((r) => [
          r.user,
          r.machines.join(', '),
          formatCount(r.sessions),
          formatTokens(r.tokens.total),
          r.cost === null ? `${usd(r.pricedCost)}+` : usd(r.cost),
          formatCount(r.errors),
        ]),
        [L, L, R, R, R, R],
      ),
    ],
  };
}

function recommendationsSection(review: ReviewReport): Section {
  if (review.recommendations.length === 0)
    return { title: 'Recommendations', blocks: [p('None: the data does not support one.')] };
  const items = review.recommendations.map((r) => {
    const evidence = Object.entries(r.evidence)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    return `${r.text} (evidence: ${evidence})`;
  });
  return {
    title: 'Recommendations',
    blocks: [p('Ranked by the time or money at stake.'), list(items, true)],
  };
}

/**
 * The review as a report document: headlines against the previous scope, sessions read, what was
 * done, agents, tools, errors, cost, anomalies and recommendations, with chart slots.
 *
 * @example
 * const markdown = renderMarkdown(reviewDocument(report));
 */
export function reviewDocument(review: ReviewReport): ReportDocument {
  return {
    title: `Review: ${review.scope}`,
    lead: [
      `Generated ${review.generatedAt.slice(0, 19).replace('T', ' ')} UTC by sat review${review.previous ? `; compared with ${review.previous}` : ''}.`,
    ],
    sections: [
      headlineSection(review),
      sourcesSection(review),
      doneSection(review),
      agentsSection(review),
      toolsSection(review),
      errorsSection(review),
      costSection(review),
      ...(review.team ? [teamSection(review.team)] : []),
      anomaliesSection(review),
      recommendationsSection(review),
    ],
  };
}
