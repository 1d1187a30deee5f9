import { currentAlerts } from '../session-state/alert-state.js';
import type { SessionState } from '../session-state/session-state.js';
import type { SessionStateSummary } from '../session-state/session-summary.js';
import type { SnapshotFileRef, SnapshotMeta } from '../snapshots/snapshot-types.js';
import { estimateTokens } from './token-estimate.js';

/** Everything a handoff is written from. */
export interface HandoffInput {
  state: SessionState;
  summary: SessionStateSummary;
  /** The latest snapshot, if any (its on-disk file hashes are shown). */
  latestSnapshot?: SnapshotMeta;
  /** Where the handoff will be readable as `latest-<session>.md`. */
  latestPath: string;
  createdAt: string;
  trigger: string;
  /** Whose the session is when it was imported from someone else's bundle (its log's first event's `meta.origin`). */
  sharedBy?: { user: string; machine: string };
}

/** The sections of a handoff, most important first: when it does not fit, the last go first. */
export const HANDOFF_SECTIONS = [
  'header',
  'goal',
  'resume',
  'next-steps',
  'alerts',
  'open-errors',
  'files',
  'agents',
  'decisions',
  'tokens',
  'done',
  'prompts',
] as const;
/** One section of a handoff (see {@link HANDOFF_SECTIONS}). */
export type HandoffSection = (typeof HANDOFF_SECTIONS)[number];

/** Sections never dropped (they are shortened instead). */
const KEPT: ReadonlySet<HandoffSection> = new Set(['header', 'goal', 'resume']);

interface Detail {
  /** Items per list. */
  items: number;
  /** Characters per quoted text. */
  text: number;
  /** Characters of the goal. */
  goal: number;
}

const LEVELS: readonly Detail[] = [
  { items: 20, text: 300, goal: 1500 },
  { items: 12, text: 200, goal: 1000 },
  { items: 8, text: 150, goal: 700 },
  { items: 5, text: 110, goal: 500 },
  { items: 3, text: 80, goal: 300 },
  { items: 1, text: 60, goal: 200 },
];

/** One line of text, shortened to `max` characters. */
function flat(text: string, max: number): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, Math.max(1, max - 1))}…` : one;
}

/**
 * A prompt as the user typed it: Claude Code records a slash command as
 * `<command-name>/x</command-name>...<command-args>y</command-args>`; that becomes `/x y`.
 */
export function promptText(text: string): string {
  const name = /<command-name>([^<]*)<\/command-name>/.exec(text)?.[1]?.trim();
  if (!name) return text;
  const args = /<command-args>([\s\S]*?)<\/command-args>/.exec(text)?.[1]?.trim();
  return args ? `${name} ${args}` : name;
}

/** Inline code that survives backticks in the text. */
function code(text: string): string {
  return text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``;
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m ${s % 60}s`;
}

function more(total: number, shown: number, what: string): string[] {
  return total > shown ? [`- … ${count(total - shown)} more ${what}`] : [];
}

function header(input: HandoffInput, d: Detail): string[] {
  const { state } = input;
  const status = state.ended ? `ended ${state.end ?? ''}`.trim() : 'not ended';
  const title = state.goal
    ? flat(promptText(state.goal.text), Math.min(80, d.goal))
    : `session ${state.session}`;
  const lines = [`# Handoff: ${title}`, ''];
  const facts = [
    `session ${code(state.session)}`,
    status,
    `started ${state.start ?? '?'}`,
    `last activity ${state.lastActivityAt ?? state.lastEventAt ?? '?'}`,
    `${count(state.events)} events`,
  ];
  if (state.phase)
    facts.push(`phase ${state.phase.value}${state.phase.name ? ` (${state.phase.name})` : ''}`);
  lines.push(facts.join(' · '));
  const where: string[] = [];
  if (state.cwd)
    where.push(`folder ${code(state.cwd)}${state.gitBranch ? ` on branch ${code(state.gitBranch)}` : ''}`);
  if (state.model) where.push(`model ${state.model}`);
  where.push(`written ${input.createdAt} (${input.trigger})`);
  lines.push(`${where.join(' · ')}.`);
  if (input.sharedBy)
    lines.push(
      `Imported from a bundle shared by ${input.sharedBy.user}@${input.sharedBy.machine}: what follows is their record.`,
    );
  return lines;
}

function goal(input: HandoffInput, d: Detail): string[] {
  const g = input.state.goal;
  if (!g) return ['## Goal', '', 'No prompt was recorded; see what was done below.'];
  const text = promptText(g.text).trim();
  const clipped = text.length > d.goal ? `${text.slice(0, d.goal - 1)}…` : text;
  const quoted = clipped
    .split('\n')
    .map((line) => `> ${line}`)
    .join('\n');
  return ['## Goal (first prompt)', '', quoted];
}

function resume(input: HandoffInput): string[] {
  const { state } = input;
  const s = state.session;
  const lines = ['## How to resume', ''];
  lines.push(
    `1. Continue this session with its history: ${code(`claude --resume ${s}`)}${state.cwd ? ` (run it in ${code(state.cwd)})` : ''}.`,
  );
  lines.push(`2. Or start a new session and give it this summary: ${code(input.latestPath)}.`);
  lines.push(
    `3. See where it stands: ${code(`sat status ${s}`)}; write a fresh summary: ${code(`sat handoff ${s}`)}.`,
  );
  const snap = input.latestSnapshot;
  if (snap)
    lines.push(
      `4. Latest snapshot ${code(snap.id)} at event ${snap.seq}: ${code(`sat snapshot show ${snap.id}`)} (all: ${code(`sat snapshot list ${s}`)}).`,
    );
  return lines;
}

function nextSteps(input: HandoffInput, d: Detail): string[] {
  const { state } = input;
  const lines: string[] = [];
  const agents = Object.keys(state.todos).sort((a, b) =>
    a === 'main' ? -1 : b === 'main' ? 1 : a.localeCompare(b),
  );
  let open = 0;
  for (const agent of agents) {
    const list = state.todos[agent]!;
    for (const item of list.items) {
      if (item.status === 'completed') continue;
      open++;
      if (open > d.items) continue;
      const mark = item.status === 'in_progress' ? '[~]' : '[ ]';
      lines.push(`- ${mark} ${flat(item.content, d.text)}${agent === 'main' ? '' : ` (${agent})`}`);
    }
  }
  lines.push(...more(open, Math.min(open, d.items), 'open todo items'));
  for (const run of state.agents.running.slice(-Math.max(1, Math.floor(d.items / 2))))
    lines.push(
      `- Sub-agent ${code(run.agent)} was still running (since ${run.startedAt}${run.reason ? `: ${flat(run.reason, d.text)}` : ''}); check its result or run it again.`,
    );
  const openErrors = state.errors.open.length + state.errors.openDropped;
  const failedChecks = state.validations.failed.length;
  if (openErrors > 0 || failedChecks > 0) {
    const what = [
      openErrors ? `${count(openErrors)} open error(s)` : '',
      failedChecks ? `${count(failedChecks)} failed check(s)` : '',
    ].filter(Boolean);
    lines.push(`- Deal with the ${what.join(' and ')} listed below.`);
  }
  const messages = state.lastMessages.slice(-Math.max(1, Math.min(3, d.items)));
  for (const m of messages) lines.push(`- Last message (${m.agent}, ${m.ts}): "${flat(m.text, d.text * 2)}"`);
  if (lines.length === 0)
    lines.push(
      '- No open todos or final message were recorded: continue from the goal and the files changed.',
    );
  const done = agents.reduce(
    (n, agent) => n + state.todos[agent]!.items.filter((i) => i.status === 'completed').length,
    0,
  );
  const title = done > 0 ? `## Next steps (${count(done)} todo item(s) already done)` : '## Next steps';
  return [title, '', ...lines];
}

function alerts(input: HandoffInput, d: Detail): string[] {
  const current = currentAlerts(input.state);
  if (current.length === 0) return [];
  const lines = ['## Alerts (raised by sat, still current)', ''];
  for (const a of current.slice(0, d.items)) {
    const action = a.action ? ` To do: ${flat(a.action, d.text)}` : '';
    lines.push(`- ${a.level}: ${flat(a.message, d.text)} (${a.ts}, event ${a.seq}).${action}`);
  }
  return lines;
}

function openErrors(input: HandoffInput, d: Detail): string[] {
  const { state } = input;
  const errors = state.errors.open;
  const failed = state.validations.failed;
  if (errors.length === 0 && failed.length === 0 && state.errors.openDropped === 0) return [];
  const lines = ['## Open errors and failed checks', ''];
  for (const e of errors.slice(-d.items).reverse()) {
    const where = [e.agent !== 'main' ? e.agent : '', e.tool && e.tool !== e.errorType ? e.tool : '']
      .filter(Boolean)
      .join(', ');
    const target = e.callKey?.slice(e.callKey.indexOf(':') + 1);
    lines.push(
      `- ${code(e.errorType)}${where ? ` (${where})` : ''}${e.message ? `: ${flat(e.message, d.text)}` : target ? ` failed on ${code(flat(target, d.text))}` : ''} — event ${e.seq}`,
    );
  }
  lines.push(
    ...more(errors.length + state.errors.openDropped, Math.min(errors.length, d.items), 'open errors'),
  );
  for (const v of failed.slice(-d.items))
    lines.push(
      `- Check ${code(flat(v.task, d.text))}: ${v.result}${
        v.failedChecks.length
          ? ` (failed: ${v.failedChecks
              .slice(0, d.items)
              .map((c) => flat(c, 60))
              .join(', ')})`
          : ''
      }`,
    );
  return lines;
}

function files(input: HandoffInput, d: Detail): string[] {
  const entries = Object.values(input.state.files).sort((a, b) => b.lastSeq - a.lastSeq);
  if (entries.length === 0) return [];
  const onDisk = new Map<string, SnapshotFileRef>(
    (input.latestSnapshot?.files ?? []).map((f) => [f.path, f]),
  );
  const lines = [`## Files changed (${count(entries.length)})`, ''];
  for (const f of entries.slice(0, d.items)) {
    const disk = onDisk.get(f.path);
    const hash = disk?.exists ? disk.gitHash : f.gitHash;
    const parts = [`${f.operation}${f.operations > 1 ? ` ×${f.operations}` : ''}`];
    if (f.fromPath) parts.push(`from ${code(f.fromPath)}`);
    if (hash) parts.push(`git ${hash.slice(0, 7)}`);
    if (disk && !disk.exists && f.operation !== 'delete') parts.push('missing on disk');
    lines.push(`- ${code(flat(f.path, d.text))} — ${parts.join(', ')}`);
  }
  lines.push(...more(entries.length, Math.min(entries.length, d.items), 'files'));
  return lines;
}

function agents(input: HandoffInput, d: Detail): string[] {
  const { state } = input;
  const names = Object.keys(state.agents.byAgent).sort();
  if (names.length === 0) return [];
  const lines = ['## Agents run', ''];
  for (const name of names.slice(0, d.items)) {
    const t = state.agents.byAgent[name]!;
    const running = t.invocations - t.completed - t.failed;
    const outcome = [
      t.completed ? `${t.completed} completed` : '',
      t.failed ? `${t.failed} failed` : '',
      running > 0 ? `${running} running or unfinished` : '',
    ]
      .filter(Boolean)
      .join(', ');
    lines.push(
      `- ${code(name)}: ${count(t.invocations)} run(s)${outcome ? ` (${outcome})` : ''}${t.durationMs ? `, ${duration(t.durationMs)}` : ''}`,
    );
  }
  lines.push(...more(names.length, Math.min(names.length, d.items), 'agents'));
  const recent = state.agents.recent.slice(-Math.max(1, Math.floor(d.items / 2))).reverse();
  if (recent.length > 0) {
    lines.push('', 'Latest runs:');
    for (const r of recent)
      lines.push(
        `- ${code(r.agent)} ${r.status}${r.reason ? `: ${flat(r.reason, d.text)}` : ''} (event ${r.endSeq ?? r.startSeq})`,
      );
  }
  return lines;
}

function decisions(input: HandoffInput, d: Detail): string[] {
  const list = input.state.decisions.recent;
  if (list.length === 0) return [];
  const lines = ['## Decisions', ''];
  for (const x of list.slice(-d.items))
    lines.push(
      `- ${flat(x.question, d.text)} → **${flat(x.selected, d.text)}**${x.rationale ? ` — ${flat(x.rationale, d.text)}` : ''}`,
    );
  lines.push(...more(input.state.decisions.count, Math.min(list.length, d.items), 'decisions'));
  return lines;
}

function tokens(input: HandoffInput): string[] {
  const s = input.summary;
  const lines = ['## Tokens and cost so far', ''];
  if (Object.keys(s.byModel).length === 0) lines.push('- No API usage was recorded for this session.');
  else {
    const t = s.tokens;
    lines.push(
      `- ${count(s.totalTokens)} tokens (input ${count(t.input)}, output ${count(t.output)}, cache write ${count(t.cacheCreation)}, cache read ${count(t.cacheRead)}); cost $${s.cost.toFixed(4)} (prices as of ${s.pricesAsOf})${s.unknownModels.length ? `, not priced: ${s.unknownModels.join(', ')} (${count(s.unpricedTokens)} tokens unpriced)` : ''}.`,
    );
    const models = Object.entries(s.byModel)
      .map(([model, m]) => `${model} ${m.cost === undefined ? 'no price' : `$${m.cost.toFixed(4)}`}`)
      .join('; ');
    lines.push(`- By model: ${models}.`);
  }
  if (s.context)
    lines.push(
      `- Context at the last main-agent call: ${count(s.context.tokens)} of ${count(s.context.window)} tokens (${s.context.percent}%, ${s.context.model}).`,
    );
  return lines;
}

function done(input: HandoffInput, d: Detail): string[] {
  const { state, summary } = input;
  const tools = Object.entries(state.tools).sort((a, b) => b[1].uses - a[1].uses);
  const calls = tools.reduce((n, [, t]) => n + t.uses, 0);
  const lines = ['## What was done', ''];
  lines.push(
    `- ${count(state.prompts)} prompt(s), ${count(calls)} tool call(s), ${count(summary.agents.invocations)} agent run(s), ${count(summary.filesChanged)} file(s) changed, ${count(state.decisions.count)} decision(s), ${count(state.errors.count)} error(s) (${count(summary.openErrors)} open), ${count(state.validations.count)} validation(s).`,
  );
  if (tools.length > 0)
    lines.push(
      `- Tools: ${tools
        .slice(0, d.items)
        .map(([name, t]) => `${name} ${count(t.uses)}${t.failures ? ` (${count(t.failures)} failed)` : ''}`)
        .join(', ')}${tools.length > d.items ? `, … ${tools.length - d.items} more` : ''}.`,
    );
  if (state.compaction.count > 0) lines.push(`- Context compacted ${count(state.compaction.count)} time(s).`);
  return lines;
}

function prompts(input: HandoffInput, d: Detail): string[] {
  const { state } = input;
  const later = state.recentPrompts.filter((p) => p.seq !== state.goal?.seq);
  if (later.length === 0) return [];
  const lines = [`## Latest prompts (${count(state.prompts)} in all)`, ''];
  for (const p of later.slice(-Math.max(1, Math.floor(d.items / 3))))
    lines.push(`- ${p.ts}: "${flat(promptText(p.text), d.text)}"`);
  return lines;
}

function render(section: HandoffSection, input: HandoffInput, d: Detail): string[] {
  switch (section) {
    case 'header':
      return header(input, d);
    case 'goal':
      return goal(input, d);
    case 'resume':
      return resume(input);
    case 'next-steps':
      return nextSteps(input, d);
    case 'alerts':
      return alerts(input, d);
    case 'open-errors':
      return openErrors(input, d);
    case 'files':
      return files(input, d);
    case 'agents':
      return agents(input, d);
    case 'decisions':
      return decisions(input, d);
    case 'tokens':
      return tokens(input);
    case 'done':
      return done(input, d);
    case 'prompts':
      return prompts(input, d);
  }
}

/** The order sections appear in (resume instructions last, where a reader looks for them). */
const ORDER: readonly HandoffSection[] = [
  'header',
  'goal',
  'alerts',
  'next-steps',
  'open-errors',
  'files',
  'agents',
  'decisions',
  'done',
  'tokens',
  'prompts',
  'resume',
];

/** A rendered handoff: the Markdown, its estimated tokens, and what was left out to fit. */
export interface RenderedHandoff {
  markdown: string;
  tokens: number;
  included: HandoffSection[];
  dropped: HandoffSection[];
}

function assemble(
  input: HandoffInput,
  sections: ReadonlySet<HandoffSection>,
  d: Detail,
  footer: string,
): string {
  const parts: string[] = [];
  for (const section of ORDER) {
    if (!sections.has(section)) continue;
    const lines = render(section, input, d);
    if (lines.length > 0) parts.push(lines.join('\n'));
  }
  parts.push(footer);
  return `${parts.join('\n\n')}\n`;
}

/**
 * Renders a handoff in at most `maxTokens` estimated tokens ({@link estimateTokens}). It first
 * shortens lists and quotes (six levels of detail), then drops sections from the least important
 * (`prompts`, `done`, `tokens`, `decisions`, `agents`, `files`, `open-errors`, `alerts`, `next-steps`); the
 * header, goal and resume instructions are only shortened. `footer(tokens)` gives the last line.
 */
export function renderHandoff(
  input: HandoffInput,
  maxTokens: number,
  footer: (tokens: number) => string,
): RenderedHandoff {
  const fits = (sections: ReadonlySet<HandoffSection>, d: Detail) => {
    // The footer names the handoff's own size: render with a guess, then with the measured size.
    let tokens = estimateTokens(assemble(input, sections, d, footer(maxTokens)));
    const markdown = assemble(input, sections, d, footer(tokens));
    tokens = estimateTokens(markdown);
    return { markdown, tokens, ok: tokens <= maxTokens };
  };
  const all = new Set<HandoffSection>(HANDOFF_SECTIONS);
  const result = (
    sections: Set<HandoffSection>,
    r: { markdown: string; tokens: number },
  ): RenderedHandoff => ({
    markdown: r.markdown,
    tokens: r.tokens,
    included: HANDOFF_SECTIONS.filter((s) => sections.has(s)),
    dropped: HANDOFF_SECTIONS.filter((s) => !sections.has(s)),
  });
  for (const d of LEVELS) {
    const r = fits(all, d);
    if (r.ok) return result(all, r);
  }
  const smallest = LEVELS[LEVELS.length - 1]!;
  const kept = new Set(all);
  for (const section of [...HANDOFF_SECTIONS].reverse()) {
    if (KEPT.has(section)) continue;
    kept.delete(section);
    if (!fits(kept, smallest).ok) continue;
    // It fits now: put back, most important first, any dropped section that still fits.
    for (const back of HANDOFF_SECTIONS) {
      if (kept.has(back) || back === section) continue;
      kept.add(back);
      if (!fits(kept, smallest).ok) kept.delete(back);
    }
    return result(kept, fits(kept, smallest));
  }
  // Only the header, the goal and the resume steps are left, at their shortest: cut the text.
  const r = fits(kept, smallest);
  let budget = r.markdown.length;
  let markdown = r.markdown;
  while (estimateTokens(markdown) > maxTokens && budget > 0) {
    budget = Math.floor(budget * 0.9);
    markdown = `${r.markdown.slice(0, budget)}\n\n… [cut to fit ${maxTokens} tokens]\n`;
  }
  return result(kept, { markdown, tokens: estimateTokens(markdown) });
}
