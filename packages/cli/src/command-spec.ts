import type { Command, OptionValues } from '@commander-js/extra-typings';
import type { CliContext } from './context.js';

/** What every `sat` command and sub-command declares about itself. */
interface CommandMeta {
  name: string;
  summary: string;
  /** Extra help text shown after the options. */
  help?: string;
  /** Ingest captured hook payloads before running, so the command sees them (sub-commands inherit it). */
  ingestFirst?: boolean;
  /** Run this sub-command when its parent is given none (`sat phase` is `sat phase show`). */
  isDefault?: boolean;
}

/**
 * A command's arguments and options, declared once: `define` adds them to commander, and the
 * handler's `args` and `options` types are inferred from what it returns.
 */
export interface CommandDeclaration<Args extends unknown[], Opts extends OptionValues> extends CommandMeta {
  define(command: Command): Command<Args, Opts>;
}

/** A command's handler: resolves to the exit status (0 when it returns nothing). */
export type CommandHandler<Args extends unknown[], Opts extends OptionValues> = (
  ctx: CliContext,
  args: Args,
  options: Opts,
) => Promise<number | undefined>;

/**
 * The handler type of a declaration, for the command module that implements it.
 *
 * @example
 * export const create: HandlerOf<typeof snapshotCreate> = async (ctx, [session], options) => 0;
 */
export type HandlerOf<D> = D extends CommandDeclaration<infer A, infer O> ? CommandHandler<A, O> : never;

/** The options type a declaration gives its handler. */
export type OptionsOf<D> = D extends CommandDeclaration<unknown[], infer O> ? O : never;

/** A command that runs a handler (loaded only when it runs). */
export interface LeafCommand extends CommandMeta {
  kind: 'leaf';
  /** Adds the declared arguments and options. */
  define(command: Command): Command<unknown[], OptionValues>;
  /** Loads the handler and runs it with what commander parsed: `[...args, options, command]`. */
  run(ctx: CliContext, parsed: unknown[]): Promise<number | undefined>;
}

/** A command made of sub-commands (`sat snapshot create|list|...`). */
export interface GroupCommand extends CommandMeta {
  kind: 'group';
  subcommands: readonly CommandSpec[];
}

/** One entry of the registry: a command with a handler, or a group of sub-commands. */
export type CommandSpec = LeafCommand | GroupCommand;

/**
 * Declares a command's name, help, arguments and options (nothing is imported).
 *
 * @example
 * const rebuild = declareCommand({ name: 'rebuild', summary: 'rebuild', define: (c) => c.option('--json') });
 */
export function declareCommand<Args extends unknown[], Opts extends OptionValues>(
  declaration: CommandDeclaration<Args, Opts>,
): CommandDeclaration<Args, Opts> {
  return declaration;
}

/**
 * Binds a declaration to its lazily imported handler, whose type must match the declaration.
 *
 * @example
 * command(rebuild, async () => (await import('./commands/rebuild.js')).run);
 */
export function command<Args extends unknown[], Opts extends OptionValues>(
  declaration: CommandDeclaration<Args, Opts>,
  load: () => Promise<CommandHandler<Args, Opts>>,
): LeafCommand {
  const { define, ...meta } = declaration;
  return {
    ...meta,
    kind: 'leaf',
    define,
    async run(ctx, parsed) {
      const handler = await load();
      // commander calls an action with the declared arguments, then the options, then the command.
      return handler(ctx, parsed.slice(0, -2) as Args, parsed.at(-2) as Opts);
    },
  };
}

/**
 * A command made of sub-commands, each with its own arguments, options and handler.
 *
 * @example
 * group({ name: 'snapshot', summary: 'snapshots' }, [command(snapshotCreate, loadCreate)]);
 */
export function group(meta: CommandMeta, subcommands: readonly CommandSpec[]): GroupCommand {
  return { ...meta, kind: 'group', subcommands };
}
