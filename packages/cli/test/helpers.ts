import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, afterEach } from 'vitest';
import { main } from '../src/main.js';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const BIN = join(REPO, 'packages/cli/src/bin.ts');
/** The built `sat` (packages/cli/dist/bin.js); the cli project's global setup builds it when stale. */
export const BUILT_BIN = join(REPO, 'packages/cli/dist/bin.js');
/** tsx's loader by absolute URL, so the CLI runs from source whatever folder it is started in. */
const TSX = pathToFileURL(join(REPO, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
/** The node flags `sat` ran with from source: what `sat init` writes into the capture script. */
const SOURCE_FLAGS = ['--conditions=sat-source', '--import', TSX];

/** The environment before any run changed it: what child processes start from. */
const BASE_ENV = { ...process.env };

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sat-cli-'));
  made.push(dir);
  return dir;
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  home?: string;
  input?: string;
  env?: Record<string, string>;
  cwd?: string;
  /** Called with each piece of stdout as it is written (to act on it while the run goes on). */
  onStdout?: (text: string) => void;
  /** Called with each piece of stderr as it is written (to act on a prompt while the run goes on). */
  onStderr?: (text: string) => void;
}

const isolated = {
  project: mkdtempSync(join(tmpdir(), 'sat-cli-project-')),
  home: mkdtempSync(join(tmpdir(), 'sat-cli-home-')),
};
afterAll(() => {
  rmSync(isolated.project, { recursive: true, force: true });
  rmSync(isolated.home, { recursive: true, force: true });
});

/**
 * The variables a run sees on top of the test process's: a temporary project and HOME unless the
 * test names them, so `sat init` never writes this repository's .claude/ or the developer's ~/.claude.
 */
function runEnv(options: RunOptions): Record<string, string> {
  return {
    CLAUDE_PROJECT_DIR: isolated.project,
    HOME: isolated.home,
    CLAUDE_CONFIG_DIR: join(isolated.home, '.claude'),
    ...(options.home ? { SAT_HOME: options.home } : {}),
    ...options.env,
  };
}

/** A stream that keeps what is written to it. */
class Collector extends Writable {
  private readonly chunks: Buffer[] = [];
  constructor(private readonly onText?: (text: string) => void) {
    super();
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.chunks.push(chunk);
    this.onText?.(chunk.toString('utf8'));
    done();
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/** Process events a command may listen to; listeners a run leaves behind are removed after it. */
const PROCESS_EVENTS = [
  'SIGINT',
  'SIGTERM',
  'SIGHUP',
  'beforeExit',
  'uncaughtException',
  'unhandledRejection',
];

/** What a run changes process-wide, to put back afterwards. */
function saveProcessState() {
  const listeners = new Map(PROCESS_EVENTS.map((name) => [name, process.listeners(name as 'SIGINT')]));
  const saved = {
    env: { ...process.env },
    cwd: process.cwd(),
    argv: process.argv,
    execArgv: process.execArgv,
    exitCode: process.exitCode,
  };
  return () => {
    for (const key of Object.keys(process.env)) if (!(key in saved.env)) delete process.env[key];
    Object.assign(process.env, saved.env);
    process.chdir(saved.cwd);
    process.argv = saved.argv;
    process.execArgv = saved.execArgv;
    process.exitCode = saved.exitCode;
    for (const [name, before] of listeners)
      for (const listener of process.listeners(name as 'SIGINT'))
        if (!before.includes(listener)) process.removeListener(name, listener);
  };
}

/** One run of `main` as a fresh `sat` process would see it: its env, folder, argv, stdin and output. */
async function runInProcess(args: string[], options: RunOptions): Promise<Run> {
  const restore = saveProcessState();
  const stdout = new Collector(options.onStdout);
  const stderr = new Collector(options.onStderr);
  try {
    Object.assign(process.env, runEnv(options));
    process.chdir(options.cwd ?? REPO);
    process.argv = [process.execPath, BIN, ...args];
    process.execArgv = [...SOURCE_FLAGS];
    const input = options.input ? [Buffer.from(options.input)] : [];
    const code = await main(process.argv, {
      stdout,
      stderr,
      stdin: Readable.from(input, { objectMode: false }),
    });
    // What a process would still do before it exits: writes scheduled for a later tick.
    await new Promise((done) => setImmediate(done));
    return { code, stdout: stdout.text(), stderr: stderr.text() };
  } finally {
    restore();
  }
}

let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs the `sat` command (from source) in this process, one run at a time (a run changes the
 * process's env, folder and argv); resolves to its exit code and what it printed.
 */
export function sat(args: string[], options: RunOptions = {}): Promise<Run> {
  const run = queue.then(() => runInProcess(args, options));
  queue = run.catch(() => undefined);
  return run;
}

/**
 * Runs the built `sat` (packages/cli/dist/bin.js) in a child process, for what needs a real one:
 * hooks that start `sat` in the background, long-running commands, signals and pipes.
 */
export function satProcess(args: string[], options: RunOptions = {}): Promise<Run> {
  const child = spawn(process.execPath, [BUILT_BIN, ...args], {
    cwd: options.cwd ?? REPO,
    env: { ...BASE_ENV, ...runEnv(options) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    stdout += text;
    options.onStdout?.(text);
  });
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
    options.onStderr?.(text);
  });
  child.stdin.end(options.input ?? '');
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}
