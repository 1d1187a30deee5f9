export type { CommandSpec } from './command-spec.js';
export type { CliInput, CliIo, CliOutput } from './context.js';
export { main } from './main.js';
export { COMMANDS } from './registry.js';
