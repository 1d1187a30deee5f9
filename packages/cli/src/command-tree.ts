import { Command } from '@commander-js/extra-typings';
import type { Command as CommanderCommand } from 'commander';
import type { CommandSpec, LeafCommand } from './command-spec.js';
import type { CliContext } from './context.js';

/** Runs a leaf command: the caller builds the context (and ingests first when asked), then calls `run`. */
export type InvokeCommand = (
  command: { ingestFirst: boolean },
  run: (ctx: CliContext) => Promise<number | undefined>,
) => Promise<void>;

/** One commander command for a spec: inherits the parent's output and exit settings. */
function commandFor(parent: Command, spec: CommandSpec): Command {
  const command = new Command(spec.name).copyInheritedSettings(parent).description(spec.summary);
  if (spec.help) command.addHelpText('after', spec.help);
  return command;
}

function addSpecs(
  parent: Command,
  specs: readonly CommandSpec[],
  invoke: InvokeCommand,
  ingestFirst: boolean,
): void {
  for (const spec of specs) {
    const inherited = spec.ingestFirst ?? ingestFirst;
    const command = commandFor(parent, spec);
    if (spec.kind === 'group') addSpecs(command, spec.subcommands, invoke, inherited);
    else addLeaf(command, spec, invoke, inherited);
    parent.addCommand(command, spec.isDefault ? { isDefault: true } : {});
  }
}

function addLeaf(command: Command, spec: LeafCommand, invoke: InvokeCommand, ingestFirst: boolean): void {
  spec.define(command).action(async (...parsed: unknown[]) => {
    await invoke({ ingestFirst }, (ctx) => spec.run(ctx, parsed));
  });
}

/**
 * Adds the registry's commands and sub-commands to `program`; `invoke` runs a leaf's handler.
 *
 * @example
 * addCommands(program, COMMANDS, async (spec, run) => { exitCode = (await run(createContext(program.opts()))) ?? 0; });
 */
export function addCommands(
  program: CommanderCommand,
  specs: readonly CommandSpec[],
  invoke: InvokeCommand,
): void {
  // `program` is commander's own Command; extra-typings only retypes the same class.
  addSpecs(program as unknown as Command, specs, invoke, false);
}
