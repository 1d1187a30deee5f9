// Which Claude Code hook events `sat init` installs, with which matcher and timeout, and how
// our hook's command is written and recognised.

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
