import { loadConfig, type SatConfig } from '@sat/core';

/** Global options every command accepts. */
export interface GlobalOptions {
  home?: string;
  config?: string;
}

/** A stream `sat` writes to; `isTTY` and `columns` as on `process.stdout` (absent: not a terminal). */
export type CliOutput = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

/** A stream `sat` reads from; `isTTY` as on `process.stdin` (absent: not a terminal). */
export type CliInput = NodeJS.ReadableStream & { isTTY?: boolean };

/**
 * Where one run of `sat` reads and writes. Default: the process's own streams.
 *
 * @example
 * const io: CliIo = { stdout: process.stdout, stderr: process.stderr, stdin: Readable.from(['{}']) };
 */
export interface CliIo {
  stdout: CliOutput;
  stderr: CliOutput;
  stdin: CliInput;
}

/**
 * The process's stdout, stderr and stdin.
 *
 * @example
 * createContext({}, processIo());
 */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin };
}

/** What a command gets: configuration and where to print. */
export interface CliContext {
  /** The resolved configuration (loaded on first use, so config errors name the command's input). */
  config(): SatConfig;
  out: CliOutput;
  err: CliOutput;
  stdin: CliInput;
  /** Print a line to stdout. */
  print(line?: string): void;
  /** Print a note for people to stderr (never mixed into machine output). */
  note(line: string): void;
}

/**
 * Builds the context for one run, printing to `io` (default: the process's streams).
 *
 * @example
 * const ctx = createContext({ home: '/tmp/sat' });
 * ctx.print('hello');
 */
export function createContext(global: GlobalOptions, io: CliIo = processIo()): CliContext {
  let config: SatConfig | undefined;
  return {
    config() {
      config ??= loadConfig({ root: global.home, configFile: global.config });
      return config;
    },
    out: io.stdout,
    err: io.stderr,
    stdin: io.stdin,
    print(line = '') {
      io.stdout.write(`${line}\n`);
    },
    note(line) {
      io.stderr.write(`${line}\n`);
    },
  };
}
