import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { SatError, writeFileAtomic } from '@sat/core';

/** One hook of a Claude Code settings file: `{ "type": "command", "command": "...", "timeout": 10 }`. */
export interface ClaudeHook {
  type?: unknown;
  command?: unknown;
  timeout?: unknown;
  [key: string]: unknown;
}

/** One matcher group of a hook event: `{ "matcher": "Bash", "hooks": [...] }` (`matcher` only matters for tool events). */
export interface ClaudeHookGroup {
  matcher?: unknown;
  hooks: ClaudeHook[];
  [key: string]: unknown;
}

/** A Claude Code settings file (`.claude/settings.json` and friends). Keys other than `hooks` are kept as they are. */
export interface ClaudeSettings {
  hooks?: Record<string, ClaudeHookGroup[]>;
  [key: string]: unknown;
}

/**
 * The Claude Code hook events `sat init` installs a capture hook for, in the order they are
 * written.
 */
export const HOOK_EVENTS = [
  'SessionStart',
  'UserPromptSubmit',
  'PreToolUse',
  'PostToolUse',
  'PostToolUseFailure',
  'SubagentStart',
  'SubagentStop',
  'Stop',
  'PreCompact',
  'PostCompact',
  'Notification',
  'SessionEnd',
] as const;

/** A hook event `sat init` installs. */
export type HookEvent = (typeof HOOK_EVENTS)[number];

/** The tool events: their group gets `"matcher": "*"`; the other events get no matcher. */
export const TOOL_HOOK_EVENTS: readonly HookEvent[] = ['PreToolUse', 'PostToolUse', 'PostToolUseFailure'];

/** Seconds Claude Code gives our hook before it gives up on it. */
export const HOOK_TIMEOUT_SECONDS = 10;

/**
 * The script expression of a project-level install with the default data root: resolved by the
 * shell when the hook runs, so one committed `.claude/settings.json` works for every team member.
 */
export const PROJECT_SCRIPT_EXPRESSION = '"$CLAUDE_PROJECT_DIR/.claude/sat/capture.sh"';

/** Where a settings file lives: the project's shared file, its git-ignored local file, or the user's. */
export type SettingsScope = 'project' | 'local' | 'user';

/**
 * A shell double-quoted form of `path` (escapes `"`, `$`, backtick and `\`), for use as the
 * script expression of {@link hookCommand}.
 *
 * @example
 * quoteScriptPath('/data/sat/capture.sh'); // '"/data/sat/capture.sh"'
 */
export function quoteScriptPath(path: string): string {
  return `"${path.replace(/["$`\\]/g, '\\$&')}"`;
}

/**
 * The command our hook runs for `event`: `sh <scriptExpression> <event>`.
 *
 * @example
 * hookCommand('Stop', PROJECT_SCRIPT_EXPRESSION); // 'sh "$CLAUDE_PROJECT_DIR/.claude/sat/capture.sh" Stop'
 */
export function hookCommand(event: string, scriptExpression: string): string {
  return `sh ${scriptExpression} ${event}`;
}

// A path ending in `/sat/capture.sh` (or `\sat\capture.sh`, possibly shell-escaped), an optional
// closing quote, then the event name as the next word.
const OUR_COMMAND = /(?:^|[\s"'/\\])sat(?:\/|\\+)capture\.sh["']?\s+[A-Za-z][A-Za-z0-9_]*(?:\s|$)/;

/**
 * True when `command` is one of ours: it runs a script whose path ends in `/sat/capture.sh`,
 * followed by an event name (whatever the data root, quoting or shell).
 *
 * @example
 * isOurHookCommand('sh "/home/me/.claude/sat/capture.sh" Stop'); // true
 * isOurHookCommand('node my-sat/capture.sh Stop');                // false
 */
export function isOurHookCommand(command: unknown): boolean {
  return typeof command === 'string' && OUR_COMMAND.test(command);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Why `value` is not a settings object whose `hooks` Claude Code can read, or `undefined` when it
 * is. Only the `hooks` shape is checked; other keys are not ours to judge.
 *
 * @example
 * settingsShapeProblem({ hooks: { Stop: {} } }); // '"hooks.Stop" must be a list of matcher groups'
 */
export function settingsShapeProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'the file must hold a JSON object';
  if (value.hooks === undefined) return undefined;
  if (!isObject(value.hooks)) return '"hooks" must be an object of events';
  for (const [event, groups] of Object.entries(value.hooks)) {
    if (!Array.isArray(groups)) return `"hooks.${event}" must be a list of matcher groups`;
    for (const [i, group] of groups.entries()) {
      if (!isObject(group)) return `"hooks.${event}[${i}]" must be an object`;
      if (!Array.isArray(group.hooks)) return `"hooks.${event}[${i}].hooks" must be a list`;
      for (const [j, hook] of group.hooks.entries())
        if (!isObject(hook)) return `"hooks.${event}[${i}].hooks[${j}]" must be an object`;
    }
  }
  return undefined;
}

function assertShape(settings: unknown): asserts settings is ClaudeSettings {
  const problem = settingsShapeProblem(settings);
  if (problem) throw new SatError('INVALID_CONFIG', `[cli] invalid Claude Code settings: ${problem}`);
}

function matchesEveryTool(group: ClaudeHookGroup): boolean {
  return group.matcher === undefined || group.matcher === '' || group.matcher === '*';
}

/** What {@link installHooks} did, event by event. */
export interface InstallResult {
  /** The settings with our hooks (a new object; the input is not changed). */
  settings: ClaudeSettings;
  /** Events that got our hook. */
  added: HookEvent[];
  /** Events whose hook of ours was outdated (another script path, a duplicate) and was replaced. */
  updated: HookEvent[];
  /** Events that already had our hook, exactly. */
  alreadyPresent: HookEvent[];
}

/**
 * Adds our capture hook to every event of {@link HOOK_EVENTS}, as its own matcher group
 * appended to the event's list (`"matcher": "*"` for tool events). Every other key, event,
 * group and hook is kept, in order. Idempotent: an event that already has our exact hook is left
 * as it is; a hook of ours with another command is replaced in place (its extra fields kept);
 * duplicates of ours are removed. Throws `INVALID_CONFIG` when `hooks` has the wrong shape.
 *
 * @example
 * const { settings, added } = installHooks({ permissions: { allow: [] } }, PROJECT_SCRIPT_EXPRESSION);
 * added.length; // 12
 */
export function installHooks(settings: ClaudeSettings, scriptExpression: string): InstallResult {
  assertShape(settings);
  const next = structuredClone(settings);
  next.hooks ??= {};
  const hooks = next.hooks;
  const result: InstallResult = { settings: next, added: [], updated: [], alreadyPresent: [] };
  for (const event of HOOK_EVENTS) {
    const command = hookCommand(event, scriptExpression);
    const toolEvent = TOOL_HOOK_EVENTS.includes(event);
    hooks[event] ??= [];
    const groups = hooks[event];
    let kept = false;
    let changed = false;
    for (let g = 0; g < groups.length; g++) {
      const group = groups[g]!;
      if (!group.hooks.some((hook) => isOurHookCommand(hook.command))) continue;
      const remaining: ClaudeHook[] = [];
      for (const hook of group.hooks) {
        if (!isOurHookCommand(hook.command)) remaining.push(hook);
        else if (kept || (toolEvent && !matchesEveryTool(group))) changed = true;
        else if (hook.type === 'command' && hook.command === command) {
          remaining.push(hook);
          kept = true;
        } else {
          remaining.push({
            ...hook,
            type: 'command',
            command,
            timeout: hook.timeout ?? HOOK_TIMEOUT_SECONDS,
          });
          kept = true;
          changed = true;
        }
      }
      if (remaining.length === 0) groups.splice(g--, 1);
      else group.hooks = remaining;
    }
    if (!kept) {
      const hook: ClaudeHook = { type: 'command', command, timeout: HOOK_TIMEOUT_SECONDS };
      groups.push(toolEvent ? { matcher: '*', hooks: [hook] } : { hooks: [hook] });
      result.added.push(event);
    } else if (changed) result.updated.push(event);
    else result.alreadyPresent.push(event);
  }
  return result;
}

/** What {@link uninstallHooks} did. */
export interface UninstallResult {
  /** The settings without our hooks (a new object; the input is not changed). */
  settings: ClaudeSettings;
  /** The event of each hook of ours that was removed (one entry per hook). */
  removed: string[];
}

/**
 * Removes every hook of ours ({@link isOurHookCommand}) from every event, and nothing else. A
 * matcher group this leaves with no hooks is removed, then an event left with no groups, then
 * `hooks` when left empty; containers that were already empty are kept. Throws
 * `INVALID_CONFIG` when `hooks` has the wrong shape.
 *
 * @example
 * const { settings, removed } = uninstallHooks(readSettings('.claude/settings.json') ?? {});
 */
export function uninstallHooks(settings: ClaudeSettings): UninstallResult {
  assertShape(settings);
  const next = structuredClone(settings);
  const removed: string[] = [];
  const hooks = next.hooks;
  if (!hooks) return { settings: next, removed };
  for (const [event, groups] of Object.entries(hooks)) {
    const before = removed.length;
    const kept = groups.filter((group) => {
      const others = group.hooks.filter((hook) => !isOurHookCommand(hook.command));
      if (others.length === group.hooks.length) return true;
      for (let i = others.length; i < group.hooks.length; i++) removed.push(event);
      group.hooks = others;
      return others.length > 0;
    });
    if (removed.length === before) continue;
    if (kept.length > 0) hooks[event] = kept;
    else delete hooks[event];
  }
  if (removed.length > 0 && Object.keys(hooks).length === 0) delete next.hooks;
  return { settings: next, removed };
}

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

/** "unexpected '}' at line 3, column 8": where JSON parsing of `text` first fails. */
function describeJsonError(text: string, error: unknown): string {
  const offset = jsonErrorOffset(text);
  if (offset < 0) return (error as Error).message;
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  const what =
    offset >= text.length ? 'unexpected end of file' : `unexpected ${JSON.stringify(text[offset])}`;
  return `${what} at line ${line}, column ${column} (position ${offset})`;
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/**
 * The offset of the first JSON syntax error in `text`, or -1 when there is none. Node 20's
 * JSON.parse does not report positions, so this small scanner finds it (only run after a failure).
 */
function jsonErrorOffset(text: string): number {
  let i = 0;
  const fail = (): never => {
    throw new JsonSyntaxAt(i);
  };
  const space = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const string = (): void => {
    i++;
    for (;;) {
      const c = text[i];
      if (c === undefined || c < ' ') fail();
      if (c === '"') {
        i++;
        return;
      }
      if (c !== '\\') i++;
      else if ('"\\/bfnrt'.includes(text[i + 1] ?? 'x')) i += 2;
      else if (text[i + 1] === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) i += 6;
      else {
        i++;
        fail();
      }
    }
  };
  const value = (): void => {
    space();
    const c = text[i];
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      space();
      if (text[i] === close) {
        i++;
        return;
      }
      for (;;) {
        if (c === '{') {
          space();
          if (text[i] !== '"') fail();
          string();
          space();
          if (text[i] !== ':') fail();
          i++;
        }
        value();
        space();
        if (text[i] === ',') i++;
        else if (text[i] === close) {
          i++;
          return;
        } else fail();
      }
    }
    if (c === '"') {
      string();
      return;
    }
    for (const literal of ['true', 'false', 'null'])
      if (text.startsWith(literal, i)) {
        i += literal.length;
        return;
      }
    NUMBER.lastIndex = i;
    if (NUMBER.test(text)) i = NUMBER.lastIndex;
    else fail();
  };
  try {
    value();
    space();
    if (i < text.length) fail();
    return -1;
  } catch (error) {
    if (error instanceof JsonSyntaxAt) return error.offset;
    return -1;
  }
}

class JsonSyntaxAt {
  constructor(readonly offset: number) {}
}
