import type { Command, Option } from 'commander';
import { addCommands } from '../command-tree.js';
import { satProgram } from '../main.js';
import { COMMANDS } from '../registry.js';

/** One generated page: its path under the reference folder and its Markdown. */
export interface ReferencePage {
  file: string;
  markdown: string;
}

const GENERATED =
  '<!-- Generated from packages/cli/src/registry.ts by `pnpm docs:cli`; edit the registry, not this file. -->';

/** The `sat` program as the registry declares it (handlers are never loaded). */
function program(): Command {
  const root = satProgram();
  addCommands(root, COMMANDS, async () => {});
  return root;
}

/** Text in a table cell inside backticks: only the column separator needs escaping. */
const code = (text: string): string => `\`${text.replace(/\|/g, '\\|')}\``;
/** Text in a table cell: `|` escaped, `<name>` shown as text rather than read as HTML. */
const cell = (text: string): string =>
  text.replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\n/g, ' ');

function optionRows(options: readonly Option[]): string[] {
  if (options.length === 0) return [];
  const rows = options.map((option) => {
    const fallback =
      option.defaultValue === undefined || option.negate ? '' : `\`${JSON.stringify(option.defaultValue)}\``;
    return `| ${code(option.flags)} | ${cell(option.description)} | ${fallback} |`;
  });
  return ['| option | what it does | default |', '| --- | --- | --- |', ...rows, ''];
}

function argumentRows(command: Command): string[] {
  const args = command.registeredArguments;
  if (args.length === 0) return [];
  const rows = args.map((arg) => {
    const name = `${arg.required ? '<' : '['}${arg.name()}${arg.variadic ? '...' : ''}${arg.required ? '>' : ']'}`;
    return `| ${code(name)} | ${cell(arg.description)} |`;
  });
  return ['| argument | what it is |', '| --- | --- |', ...rows, ''];
}

/** The help text a spec adds after the options (examples, notes), as a fenced block. */
function helpBlock(command: Command): string[] {
  const body = (helpTexts.get(command) ?? '').trim();
  return body ? ['```text', body, '```', ''] : [];
}

const helpTexts = new WeakMap<Command, string>();

function path(command: Command): string {
  const names: string[] = [];
  for (let at: Command | null = command; at; at = at.parent) names.unshift(at.name());
  return names.join(' ');
}

function section(command: Command, depth: number): string[] {
  const title = `${'#'.repeat(depth)} \`${path(command)}${command.usage() ? ` ${command.usage()}` : ''}\``;
  const lines = [title, '', command.description(), ''];
  lines.push(...argumentRows(command), ...optionRows(command.options), ...helpBlock(command));
  for (const sub of command.commands) lines.push(...section(sub, depth + 1));
  return lines;
}

/** Records each command's after-help text (the part of its full help past the standard one). */
function captureHelpTexts(command: Command): void {
  let text = '';
  command.configureOutput({
    writeOut: (chunk) => {
      text += chunk;
    },
  });
  command.outputHelp();
  const after = text.slice(command.helpInformation().length);
  if (after.trim()) helpTexts.set(command, after);
  for (const sub of command.commands) captureHelpTexts(sub);
}

/**
 * The CLI reference, generated from the command registry so that it cannot drift: an index of
 * every command and one page per top-level command (arguments, options with defaults,
 * sub-commands, examples).
 *
 * @example
 * for (const page of cliReference()) writeFileSync(join('docs/cli', page.file), page.markdown);
 */
export function cliReference(): ReferencePage[] {
  const root = program();
  for (const command of root.commands) captureHelpTexts(command);
  const pages: ReferencePage[] = root.commands.map((command) => ({
    file: `${command.name()}.md`,
    markdown:
      [GENERATED, '', ...section(command, 1)]
        .join('\n')
        .replace(/\n{3,}/g, '\n\n')
        .trimEnd() + '\n',
  }));
  const index = [
    GENERATED,
    '',
    '# CLI reference',
    '',
    'Every `sat` command, generated from the command registry. Exit status is 0 on success and 1 on',
    'any error (never 2, which would block a Claude Code hook). Tables are printed on a terminal;',
    'when stdout is a pipe or a file, the output is tab-separated lines with a header. What each',
    'command does in detail (JSON fields, edge cases) is in [the command guide](../cli-behaviour.md).',
    '',
    '## Global options',
    '',
    ...optionRows(root.options),
    '| `-v, --version` | print the version | |',
    '| `-h, --help` | help for any command | |',
    '',
    '## Commands',
    '',
    '| command | what it does |',
    '| --- | --- |',
    ...root.commands.map((c) => `| [\`sat ${c.name()}\`](./${c.name()}.md) | ${cell(c.description())} |`),
  ];
  pages.unshift({ file: 'index.md', markdown: `${index.join('\n').trimEnd()}\n` });
  return pages;
}
