import type { ExportEntry, SessionExportDocument } from './export-entries.js';

const KIND_LABEL: Record<ExportEntry['kind'], string> = {
  start: 'Start',
  prompt: 'Prompt',
  answer: 'Answer',
  tool: 'Tool',
  error: 'Error',
  subagent: 'Sub-agent',
  decision: 'Decision',
  validation: 'Validation',
  file: 'File',
  note: 'Note',
  end: 'End',
};

/** USD with 4 decimals ("$0.0123"). */
export function formatUsd(cost: number): string {
  return `$${cost.toFixed(4)}`;
}

/** A fence longer than any run of backticks in `text`, so no text can close it. */
function fence(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  return '`'.repeat(longest + 1);
}

/** Markdown's inline specials escaped, so a title cannot become a link, a heading or markup. */
function inline(text: string): string {
  return text
    .replace(/[\\`*_[\]<>|~]/g, (c) => `\\${c}`)
    .replace(/^[#+!-]/, (c) => `\\${c}`)
    .replace(/\r?\n/g, ' ');
}

/** The usage table rows: tokens and cost by model. */
export function usageRows(doc: SessionExportDocument): Array<[string, number, number, string]> {
  return Object.entries(doc.usage.byModel)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([model, m]) => [
      model,
      m.tokens.input + m.tokens.output + m.tokens.cacheCreation + m.tokens.cacheRead,
      m.apiResponses,
      m.cost === undefined ? 'unpriced' : formatUsd(m.cost),
    ]);
}

/**
 * A session as a readable Markdown transcript: a header (when, how many events, tokens and cost by
 * model), then each entry with its time and agent; texts are in fences no text can close. Pure.
 *
 * @example
 * process.stdout.write(sessionMarkdown(doc));
 */
export function sessionMarkdown(doc: SessionExportDocument): string {
  const lines: string[] = [`# Session ${inline(doc.session)}`, ''];
  lines.push(`- started: ${doc.start ?? 'unknown'}`, `- last event: ${doc.end ?? 'unknown'}`);
  lines.push(`- events: ${doc.events}, tool calls: ${doc.usage.toolUses}, errors: ${doc.usage.errors}`);
  lines.push(
    `- tokens: ${doc.usage.totalTokens}, cost: ${formatUsd(doc.usage.cost)} (prices of ${doc.usage.pricesAsOf})`,
  );
  const agents = Object.entries(doc.usage.agents);
  if (agents.length > 0)
    lines.push(`- sub-agents: ${agents.map(([name, a]) => `${inline(name)} × ${a.invocations}`).join(', ')}`);
  const rows = usageRows(doc);
  if (rows.length > 0) {
    lines.push('', '| model | tokens | responses | cost |', '| --- | ---: | ---: | ---: |');
    for (const [model, tokens, responses, cost] of rows)
      lines.push(`| ${inline(model)} | ${tokens} | ${responses} | ${cost} |`);
  }
  lines.push('', '## Transcript', '');
  for (const entry of doc.entries) {
    const who = entry.agent === 'main' ? '' : ` · ${inline(entry.agent)}`;
    lines.push(`### ${KIND_LABEL[entry.kind]}${entry.failed ? ' ✗' : ''} · ${entry.ts}${who}`, '');
    if (entry.title !== entry.kind) lines.push(inline(entry.title), '');
    if (entry.text) {
      const f = fence(entry.text);
      lines.push(`${f}text`, entry.text, f, '');
    }
  }
  return `${lines.join('\n')}\n`;
}
