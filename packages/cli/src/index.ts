export type { CliInput, CliIo, CliOutput } from './context.js';
export { main } from './main.js';
export { COMMANDS, type CommandSpec } from './registry.js';
