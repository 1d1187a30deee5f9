import { loadConfig, type SatConfig } from '@sat/core';

/** Global options every command accepts. */
export interface GlobalOptions {
  home?: string;
  config?: string;
}

/** What a command gets: configuration and where to print. */
export interface CliContext {
  /** The resolved configuration (loaded on first use, so config errors name the command's input). */
  config(): SatConfig;
  out: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  err: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Print a line to stdout. */
  print(line?: string): void;
  /** Print a note for people to stderr (never mixed into machine output). */
  note(line: string): void;
}

/** Builds the context for one run. */
export function createContext(global: GlobalOptions): CliContext {
  let config: SatConfig | undefined;
  return {
    config() {
      config ??= loadConfig({ root: global.home, configFile: global.config });
      return config;
    },
    out: process.stdout,
    err: process.stderr,
    stdin: process.stdin,
    print(line = '') {
      process.stdout.write(`${line}\n`);
    },
    note(line) {
      process.stderr.write(`${line}\n`);
    },
  };
}
