export { main } from './main.js';
export { COMMANDS, type CommandSpec } from './registry.js';
