import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { asEnvironmentError, ingestCapture, spoolDir } from '@sat/core';
import { Command, CommanderError } from 'commander';
import { addCommands } from './command-tree.js';
import { type CliContext, type CliIo, createContext, type GlobalOptions, processIo } from './context.js';
import { isUserFacingError } from './errors.js';
import { COMMANDS } from './registry.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

/** Ingests captured hook payloads, if any are waiting (a readdir when there are none). */
async function ingestPending(ctx: CliContext): Promise<void> {
  let logsDir: string;
  try {
    logsDir = ctx.config().paths.logs;
  } catch {
    return; // a config error: the command itself reports it (sat doctor explains it)
  }
  const spool = spoolDir(logsDir);
  if (
    !existsSync(spool) ||
    !readdirSync(spool).some((name) => name.endsWith('.json') && !name.startsWith('.'))
  )
    return;
  const config = ctx.config();
  const { autoBackupOptions } = await import('./backup-target.js');
  const result = await ingestCapture(config, {
    waitMs: config.writer.lockTimeoutMs,
    autoBackup: autoBackupOptions(config),
  });
  for (const bad of result.bad) ctx.note(`sat: set aside captured payload ${bad.file}: ${bad.reason}`);
  for (const warning of result.warnings) ctx.note(`sat: warning: ${warning}`);
}

/** Commander's output settings for `io`: help, version and parse errors go to its streams. */
function commanderOutput(io: CliIo) {
  // As commander's own default: the terminal's width, else 80.
  const width = (stream: CliIo['stdout']) => (stream.isTTY ? stream.columns : undefined) ?? 80;
  return {
    writeOut: (text: string) => io.stdout.write(text),
    writeErr: (text: string) => io.stderr.write(text),
    getOutHelpWidth: () => width(io.stdout),
    getErrHelpWidth: () => width(io.stderr),
  };
}

/** What a system error could not do, from its own syscall and path (`write /x/y`). */
function describeFailedPath(error: unknown): string {
  const { syscall, path } = (error ?? {}) as { syscall?: string; path?: string };
  return [syscall ?? 'complete the command', path].filter(Boolean).join(' ');
}

/**
 * The `sat` program with its global options, before its commands are added (the CLI reference
 * is generated from the same program).
 *
 * @example
 * addCommands(satProgram(), COMMANDS, invoke);
 */
export function satProgram(): Command {
  return new Command('sat')
    .description('SubAgent Tracking System: record what AI coding agents and their sub-agents do')
    .option('--home <dir>', 'data root (default: $SAT_HOME, else <project>/.claude)')
    .option('--config <file>', 'config file (default: $SAT_CONFIG, else <data root>/sat.config.json)');
}

/**
 * Runs `sat` with `argv` (as process.argv: node, script, args...), reading and writing `io`
 * (default: the process's stdin, stdout and stderr). Resolves to the exit status: 0 on success,
 * 1 on any error (never 2, which would block a Claude Code hook). It never exits the process.
 *
 * @example
 * process.exitCode = await main(process.argv);
 * const code = await main(['node', 'sat', 'sessions', '--json'], { stdout, stderr, stdin });
 */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  let exitCode = 0;
  const program = satProgram()
    .version(pkg.version, '-v, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  program.configureOutput(commanderOutput(io));

  addCommands(program, COMMANDS, async (command, run) => {
    const ctx = createContext(program.opts<GlobalOptions>(), io);
    if (command.ingestFirst) await ingestPending(ctx);
    exitCode = (await run(ctx)) ?? 0;
  });

  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with code 0; parse errors were already printed.
      return error.exitCode === 0 ? 0 : 1;
    }
    // A full disk, a read-only folder, too many open files: one clear line, whatever the command.
    const reported = asEnvironmentError(error, describeFailedPath(error));
    if (isUserFacingError(reported)) {
      io.stderr.write(`sat: ${reported.message}\n`);
      const cause = reported.cause;
      if (process.env.SAT_DEBUG && cause)
        io.stderr.write(`cause: ${String((cause as Error).stack ?? cause)}\n`);
      return 1;
    }
    io.stderr.write(
      `sat: unexpected error: ${(error as Error).stack ?? String(error)}\n(please report this with the command you ran)\n`,
    );
    return 1;
  }
  return exitCode;
}
