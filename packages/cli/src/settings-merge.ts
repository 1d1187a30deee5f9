import { SatError } from '@sat/core';
import {
  HOOK_EVENTS,
  HOOK_TIMEOUT_SECONDS,
  type HookEvent,
  hookCommand,
  isOurHookCommand,
  TOOL_HOOK_EVENTS,
} from './hook-catalogue.js';

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

/** The settings keys `sat init --statusline` manages. */
export const STATUSLINE_KEYS = ['statusLine', 'subagentStatusLine'] as const;

/** One of {@link STATUSLINE_KEYS}. */
export type StatuslineKey = (typeof STATUSLINE_KEYS)[number];

const OUR_STATUSLINE = /(^|[\s/'"])(sat|bin\.[jt]s)['"]?(\s+--home\s+\S+)?\s+statusline(\s|$)/;

/**
 * Whether a `statusLine` setting runs `sat statusline` (ours to replace or remove).
 *
 * @example
 * isOurStatusline({ type: 'command', command: 'sat statusline' }); // true
 * isOurStatusline({ type: 'command', command: '~/.claude/statusline.sh' }); // false
 */
export function isOurStatusline(value: unknown): boolean {
  return isObject(value) && typeof value.command === 'string' && OUR_STATUSLINE.test(value.command);
}

/** What {@link installStatusline} did to each key. */
export interface StatuslineInstallResult {
  settings: ClaudeSettings;
  added: StatuslineKey[];
  updated: StatuslineKey[];
  alreadyPresent: StatuslineKey[];
  /** Keys holding someone else's statusline: kept as they were unless `force`, replaced with it. */
  foreign: Array<{ key: StatuslineKey; command: string; replaced: boolean }>;
}

/**
 * Sets `statusLine` to `<satCommand> statusline` and `subagentStatusLine` to
 * `<satCommand> statusline --subagents` (`type: command`, `padding: 0`), keeping every other
 * key. A key that already runs another command is left alone and reported in `foreign`, unless
 * `force`. Idempotent.
 *
 * @example
 * const { settings, foreign } = installStatusline(current, "'/usr/bin/sat'");
 */
export function installStatusline(
  settings: ClaudeSettings,
  satCommand: string,
  options: { force?: boolean } = {},
): StatuslineInstallResult {
  assertShape(settings);
  const next = structuredClone(settings);
  const result: StatuslineInstallResult = {
    settings: next,
    added: [],
    updated: [],
    alreadyPresent: [],
    foreign: [],
  };
  for (const key of STATUSLINE_KEYS) {
    const command = `${satCommand} statusline${key === 'subagentStatusLine' ? ' --subagents' : ''}`;
    const current = next[key];
    if (current === undefined) {
      next[key] = { type: 'command', command, padding: 0 };
      result.added.push(key);
    } else if (isOurStatusline(current)) {
      const mine = current as Record<string, unknown>;
      if (mine.command === command && mine.type === 'command') result.alreadyPresent.push(key);
      else {
        next[key] = { ...mine, type: 'command', command };
        result.updated.push(key);
      }
    } else {
      const other =
        isObject(current) && typeof current.command === 'string' ? current.command : JSON.stringify(current);
      result.foreign.push({ key, command: other, replaced: options.force === true });
      if (options.force) next[key] = { type: 'command', command, padding: 0 };
    }
  }
  return result;
}

/**
 * Removes `statusLine` and `subagentStatusLine` when they run `sat statusline`, and nothing else
 * (someone else's statusline stays).
 *
 * @example
 * uninstallStatusline({ statusLine: { type: 'command', command: 'sat statusline' } }).removed; // ['statusLine']
 */
export function uninstallStatusline(settings: ClaudeSettings): {
  settings: ClaudeSettings;
  removed: StatuslineKey[];
} {
  assertShape(settings);
  const next = structuredClone(settings);
  const removed: StatuslineKey[] = [];
  for (const key of STATUSLINE_KEYS)
    if (isOurStatusline(next[key])) {
      delete next[key];
      removed.push(key);
    }
  return { settings: next, removed };
}
