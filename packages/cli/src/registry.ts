import type { Command } from 'commander';
import type { CliContext } from './context.js';

/** A command's module: what it exports. */
export interface CommandModule {
  /** Runs the command; resolves to the exit code (0 when omitted). */
  // biome-ignore lint/suspicious/noExplicitAny: each command declares the shape of its own options
  run(ctx: CliContext, args: string[], options: any, command: Command): Promise<number | undefined>;
}

/** One `sat` command: its arguments and options here, its code loaded only when it runs. */
export interface CommandSpec {
  name: string;
  summary: string;
  /** Extra help text shown after the options. */
  help?: string;
  /** Ingest captured hook payloads before running, so the command sees them. */
  ingestFirst?: boolean;
  define(command: Command): Command;
  load(): Promise<CommandModule>;
}

/**
 * Every `sat` command, registered in this one place. Modules are imported lazily, so a command
 * loads only what it uses.
 */
export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'init',
    summary: 'create the data folders and git-ignore entries, install the Claude Code hooks (idempotent)',
    help: `
Hooks go into <project>/.claude/settings.json by default. Only our hooks are added or removed;
every other key and hook in the file is kept, in order. Running it again changes nothing.

Examples:
  sat init                   # folders + hooks in .claude/settings.json (commit it for the team)
  sat init --local           # hooks in .claude/settings.local.json (just you, this project)
  sat init --user            # hooks in ~/.claude/settings.json (every project)
  sat init --uninstall       # remove our hooks from .claude/settings.json (folders and data stay)`,
    define: (c) =>
      c
        .option('--local', 'use <project>/.claude/settings.local.json instead')
        .option('--user', 'use ~/.claude/settings.json ($CLAUDE_CONFIG_DIR/settings.json when set) instead')
        .option('--no-hooks', 'only create the folders and git-ignore entries')
        .option('--uninstall', 'remove our hooks (and nothing else) from the settings file')
        .option('--json', 'print what was done as JSON'),
    load: () => import('./commands/init.js'),
  },
  {
    name: 'log',
    summary: 'append one event to a session (from flags, --json or stdin) and print its id',
    help: `
Examples:
  sat log decision --question "Which DB?" --selected SQLite --rationale "embedded"
  sat log tool_usage --tool Bash --parameters.command "pnpm test" --duration-ms 5400 --success true
  echo '{"error_type":"TestFailure","message":"2 failed"}' | sat log error
  sat log session_end            # ends and closes the active session

Field values are read as JSON where the field is not text (numbers, true/false, objects);
repeat a flag for a list (--options A --options B); use dots for nested fields.`,
    define: (c) =>
      c
        .argument(
          '<type>',
          'event type: agent_invocation, tool_usage, decision, validation, error, file_operation, context_snapshot, or a lifecycle type',
        )
        .option('--json <object>', 'the payload (or {type?, data, agent?, parent?, ts?, meta?}) as JSON')
        .option('--session <id>', 'the session (default: the active one; a new one is started when none is)')
        .option('--agent <name>', 'the agent it concerns', 'main')
        .option('--parent <id>', 'the id of the event it belongs under')
        .allowUnknownOption(true)
        .allowExcessArguments(true),
    load: () => import('./commands/log.js'),
  },
  {
    name: 'ingest',
    summary: 'turn captured Claude Code hook payloads into events (every reading command does this first)',
    define: (c) =>
      c
        .option('--json', 'print the result as JSON')
        .option('--quiet', 'print nothing (used by the capture hook)')
        .option('--wait', 'wait for a running ingest instead of leaving the work to it'),
    load: () => import('./commands/ingest.js'),
  },
  {
    name: 'sessions',
    ingestFirst: true,
    summary: 'list sessions: id, start, end or status, events, size',
    define: (c) => c.option('--json', 'print JSON'),
    load: () => import('./commands/sessions.js'),
  },
  {
    name: 'events',
    ingestFirst: true,
    summary: "print a session's events (readable, --json for JSONL, --follow to tail it)",
    define: (c) =>
      c
        .argument('<session>', "session id, a unique prefix of one, or 'active'")
        .option('--json', 'print the events as JSONL')
        .option('-f, --follow', 'keep printing new events until the session ends (Ctrl-C stops)')
        .option('--type <type>', 'only events of this type')
        .option('--agent <name>', 'only events of this agent')
        .option('--from-seq <n>', 'start at this seq'),
    load: () => import('./commands/events.js'),
  },
  {
    name: 'doctor',
    ingestFirst: true,
    summary: 'check paths, permissions, config, locks and logs; say how to fix each problem',
    define: (c) => c.option('--fix', 'repair what can be repaired safely').option('--json', 'print JSON'),
    load: () => import('./commands/doctor.js'),
  },
  {
    name: 'gc',
    ingestFirst: true,
    summary: 'apply retention: remove local logs of old sessions that are backed up',
    define: (c) =>
      c
        .option('--dry-run', 'only list what would be removed')
        .option('--keep <n>', 'keep the newest N sessions (default: retention.keepSessions)')
        .option('--json', 'print JSON'),
    load: () => import('./commands/gc.js'),
  },
];
