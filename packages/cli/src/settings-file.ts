import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { SatError, writeFileAtomic } from '@sat/core';
import { type ParseError, parse } from 'jsonc-parser';
import { type ClaudeSettings, settingsShapeProblem } from './settings-merge.js';

/** Where a settings file lives: the project's shared file, its git-ignored local file, or the user's. */
export type SettingsScope = 'project' | 'local' | 'user';

/**
 * The settings file of `scope`: `<project>/.claude/settings.json` (`project`),
 * `<project>/.claude/settings.local.json` (`local`), or `~/.claude/settings.json` (`user`;
 * `$CLAUDE_CONFIG_DIR/settings.json` when that is set).
 *
 * @example
 * settingsFilePath('local', '/repo'); // '/repo/.claude/settings.local.json'
 */
export function settingsFilePath(
  scope: SettingsScope,
  projectDir: string,
  env: Record<string, string | undefined> = process.env,
): string {
  if (scope === 'user') return join(env.CLAUDE_CONFIG_DIR || join(homedir(), '.claude'), 'settings.json');
  return join(projectDir, '.claude', scope === 'local' ? 'settings.local.json' : 'settings.json');
}

/**
 * Reads and checks a settings file. Returns `undefined` when it does not exist and `{}` when it is
 * empty. Throws `INVALID_CONFIG` naming the file and the line and column of the JSON error, or
 * what is wrong with its `hooks`.
 *
 * @example
 * const settings = readSettings('/repo/.claude/settings.json') ?? {};
 */
export function readSettings(file: string): ClaudeSettings | undefined {
  if (!existsSync(file)) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new SatError('INVALID_CONFIG', `[cli] cannot read ${file}: ${(error as Error).message}`, {
      cause: error,
      details: { file },
    });
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new SatError(
      'INVALID_CONFIG',
      `[cli] ${file} is not valid JSON: ${describeJsonError(text, error)}; it was left untouched (fix it, then run 'sat init' again)`,
      { cause: error, details: { file } },
    );
  }
  const problem = settingsShapeProblem(parsed);
  if (problem)
    throw new SatError(
      'INVALID_CONFIG',
      `[cli] ${file} is not a Claude Code settings file we can change: ${problem}; it was left untouched (fix it, then run 'sat init' again)`,
      { details: { file } },
    );
  return parsed as ClaudeSettings;
}

/**
 * Writes `settings` as 2-space JSON with a trailing newline, atomically, keeping the file's mode
 * (and writing through a symbolic link to its target). Creates the folder if needed. Writes
 * nothing when the file already holds exactly that text; returns whether it wrote.
 *
 * @example
 * writeSettings('/repo/.claude/settings.json', installHooks({}, PROJECT_SCRIPT_EXPRESSION).settings);
 */
export function writeSettings(file: string, settings: ClaudeSettings): boolean {
  const text = `${JSON.stringify(settings, null, 2)}\n`;
  let target = file;
  if (existsSync(file)) {
    if (lstatSync(file).isSymbolicLink()) target = realpathSync(file);
    if (readFileSync(target, 'utf8') === text) return false;
  }
  const mode = existsSync(target) ? statSync(target).mode & 0o7777 : 0o644;
  mkdirSync(dirname(target), { recursive: true });
  writeFileAtomic(target, text, mode);
  if ((statSync(target).mode & 0o7777) !== mode) chmodSync(target, mode);
  return true;
}

/**
 * "unexpected '}' at line 3, column 8 (position 20)": where JSON parsing of `text` first fails,
 * found by jsonc-parser in strict JSON mode (no comments, no trailing commas).
 */
function describeJsonError(text: string, error: unknown): string {
  const errors: ParseError[] = [];
  parse(text, errors, { allowTrailingComma: false, disallowComments: true, allowEmptyContent: false });
  const first = errors[0];
  if (!first) return (error as Error).message;
  const { offset } = first;
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  const what =
    offset >= text.length ? 'unexpected end of file' : `unexpected ${JSON.stringify(text[offset])}`;
  return `${what} at line ${line}, column ${column} (position ${offset})`;
}
