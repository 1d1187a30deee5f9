export type { CommandSpec } from './command-spec.js';
export { main } from './main.js';
export { COMMANDS } from './registry.js';
