/**
 * `@sat/cli`: the `sat` command. Its programmatic surface runs the CLI in-process (`main`) and
 * exposes the command registry the CLI reference is generated from (`COMMANDS`).
 *
 * @module @sat/cli
 */
export type { CommandSpec } from './command-spec.js';
export type { CliInput, CliIo, CliOutput } from './context.js';
export { main } from './main.js';
export { COMMANDS } from './registry.js';
