/**
 * Shared helpers of the benchmarks: statistics, RSS sampling, formatting, temporary folders,
 * child processes and the `BENCH_RESULT` lines that `bench/run.ts` collects for its summary.
 */
import { fork, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Node flags that run the TypeScript sources directly (see the root `bench` script). */
export const TSX_EXEC_ARGV: readonly string[] = ['--conditions=sat-source', '--import', 'tsx'];

/** Prefix of the machine-readable result line every bench prints once per figure. */
export const RESULT_PREFIX = 'BENCH_RESULT ';

/** How a figure is compared with its target. */
export type Comparison = '<=' | '>=' | '==';

/** A figure's target: `value op target.value` must hold. */
export interface Target {
  op: Comparison;
  value: number;
}

/** One figure, as printed on a `BENCH_RESULT` line. */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  /** The target as text (`<= 20`), or null for an informational figure. */
  target: string | null;
  /** Whether the target was met; null for an informational figure. */
  pass: boolean | null;
}

const MiB = 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// Statistics

/** Summary statistics of a sample. */
export interface Stats {
  count: number;
  mean: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

/** The `p`-th percentile (0-100, nearest rank) of an ascending-sorted sample. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/** Mean, min, max and the usual percentiles of `samples` (left unsorted; a sorted copy is made). */
export function stats(samples: Float64Array): Stats {
  const sorted = Float64Array.from(samples).sort();
  let sum = 0;
  for (const value of sorted) sum += value;
  return {
    count: sorted.length,
    mean: sum / sorted.length,
    min: sorted[0] ?? Number.NaN,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    p999: percentile(sorted, 99.9),
    max: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

// ---------------------------------------------------------------------------------------------
// Memory

/** What {@link RssSampler.stop} measured, in bytes. */
export interface RssReport {
  /** Highest RSS seen by the timer or an explicit {@link RssSampler.sample}. */
  peakSampled: number;
  /** V8's heap size (`heapTotal`) at that moment: how much of the peak is the JS heap. */
  heapTotalAtPeak: number;
  /** The kernel's high-water mark for the whole process (`getrusage` maxRSS), startup included. */
  maxRss: number;
  samples: number;
}

/** Samples `process.memoryUsage()` on a timer (it fires whenever the event loop gets a turn). */
export class RssSampler {
  private peak = 0;
  private heapAtPeak = 0;
  private count = 0;
  private timer: ReturnType<typeof setInterval> | undefined;

  /** Starts sampling every `intervalMs`. */
  start(intervalMs = 10): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    return this;
  }

  /** Takes one sample now (also call it at points of interest, such as the end of the work). */
  sample(): void {
    const usage = process.memoryUsage();
    if (usage.rss > this.peak) {
      this.peak = usage.rss;
      this.heapAtPeak = usage.heapTotal;
    }
    this.count++;
  }

  /** Stops the timer after a last sample. */
  stop(): RssReport {
    clearInterval(this.timer);
    this.sample();
    return {
      peakSampled: this.peak,
      heapTotalAtPeak: this.heapAtPeak,
      maxRss: peakRss(),
      samples: this.count,
    };
  }
}

/**
 * This process's peak resident memory in bytes. On Linux it is `VmHWM` from /proc/self/status,
 * which belongs to this process image alone. `process.resourceUsage().maxRSS` is not used there:
 * Linux keeps `ru_maxrss` across fork() and exec(), so a child started by a large parent (the
 * tsx-loaded bench runner) would report the parent's peak instead of its own.
 */
export function peakRss(): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Number(match[1]) * 1024;
  } catch {}
  return process.resourceUsage().maxRSS * 1024;
}

/** Runs a full garbage collection when node was started with `--expose-gc`; returns whether it could. */
export function collectGarbage(): boolean {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  return gc !== undefined;
}

// ---------------------------------------------------------------------------------------------
// Formatting and results

/** `1234567.8` -> `1,234,568` (or with `digits` decimals). */
export function formatNumber(value: number, digits = 0): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Bytes as MiB with one decimal, or as KiB / B when small. */
export function formatBytes(bytes: number): string {
  if (bytes >= MiB) return `${(bytes / MiB).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} B`;
}

/** Bytes to MiB (the unit of the memory figures). */
export function toMiB(bytes: number): number {
  return bytes / MiB;
}

/** Rounds to a sensible number of digits for a summary table. */
export function round(value: number): number {
  if (!Number.isFinite(value)) return value;
  const abs = Math.abs(value);
  const digits = abs >= 1000 ? 0 : abs >= 100 ? 1 : abs >= 1 ? 2 : 3;
  return Number(value.toFixed(digits));
}

/** Prints a section heading. */
export function heading(title: string): void {
  console.log(`\n== ${title}`);
}

/** Prints an indented human line (detail that is not a collected figure). */
export function note(text: string): void {
  console.log(`   ${text}`);
}

function meets(value: number, target: Target): boolean {
  if (target.op === '<=') return value <= target.value;
  if (target.op === '>=') return value >= target.value;
  return value === target.value;
}

/**
 * Prints one figure as a human line (with PASS/MISS against its target, never failing) and as a
 * `BENCH_RESULT <json>` line for `bench/run.ts`.
 */
export function report(name: string, value: number, unit: string, target?: Target): BenchResult {
  const result: BenchResult = {
    name,
    value: round(value),
    unit,
    target: target ? `${target.op} ${target.value}` : null,
    pass: target ? meets(value, target) : null,
  };
  const verdict = result.pass === null ? '' : result.pass ? '  PASS' : '  MISS';
  const wanted = result.target === null ? '' : `  (target ${result.target} ${unit})`;
  console.log(`   ${name}: ${formatNumber(result.value, decimals(result.value))} ${unit}${wanted}${verdict}`);
  console.log(`${RESULT_PREFIX}${JSON.stringify(result)}`);
  return result;
}

function decimals(value: number): number {
  const text = String(value);
  const dot = text.indexOf('.');
  return dot === -1 ? 0 : text.length - dot - 1;
}

/** Parses a `BENCH_RESULT <json>` line; undefined for any other line. */
export function parseResultLine(line: string): BenchResult | undefined {
  if (!line.startsWith(RESULT_PREFIX)) return undefined;
  try {
    const value = JSON.parse(line.slice(RESULT_PREFIX.length)) as BenchResult;
    return typeof value.name === 'string' && typeof value.value === 'number' ? value : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Temporary folders

const tempDirs = new Set<string>();
let cleanupInstalled = false;

function removeTempDirs(): void {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

/**
 * A fresh folder under `os.tmpdir()`, removed by {@link removeTempDir}, or at the latest when
 * the process exits or is interrupted.
 */
export function makeTempDir(prefix = 'sat-bench-'): string {
  if (!cleanupInstalled) {
    cleanupInstalled = true;
    process.on('exit', removeTempDirs);
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        removeTempDirs();
        process.exit(130);
      });
    }
  }
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

/** Removes a folder made by {@link makeTempDir}. */
export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

/** Runs `fn` with a fresh temporary folder and removes the folder afterwards. */
export async function withTempDir<T>(prefix: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = makeTempDir(prefix);
  try {
    return await fn(dir);
  } finally {
    removeTempDir(dir);
  }
}

// ---------------------------------------------------------------------------------------------
// Event loop and child processes

/** Resolves on the check phase of the event loop, after I/O and already-queued immediates. */
export function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Options of {@link startFixture}. */
export interface FixtureOptions {
  /** Node flags of the child. Default {@link TSX_EXEC_ARGV}. */
  execArgv?: readonly string[];
}

/** A running child process started with an IPC channel. */
export interface Fixture<M> {
  /** Messages the child sent, in order. */
  readonly messages: M[];
  /** Sends a message to the child. */
  send(message: unknown): void;
  /** Resolves with the next message that satisfies `test` (or one already received). */
  waitFor(test: (message: M) => boolean): Promise<M>;
  /** Resolves with every message once the child exited with code 0; rejects otherwise. */
  exited: Promise<M[]>;
}

/**
 * Starts `file` as a child node process (by default with the TypeScript sources, through tsx)
 * that reports over IPC (`process.send`). Its stdout and stderr go to ours.
 */
export function startFixture<M>(
  file: string,
  args: readonly string[],
  options: FixtureOptions = {},
): Fixture<M> {
  const child = fork(file, [...args], {
    execPath: process.execPath,
    execArgv: [...(options.execArgv ?? TSX_EXEC_ARGV)],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const messages: M[] = [];
  const waiters: Array<{ test: (message: M) => boolean; resolve: (message: M) => void }> = [];
  child.on('message', (message) => {
    messages.push(message as M);
    for (let i = waiters.length - 1; i >= 0; i--) {
      const waiter = waiters[i]!;
      if (waiter.test(message as M)) {
        waiters.splice(i, 1);
        waiter.resolve(message as M);
      }
    }
  });
  const exited = new Promise<M[]>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve(messages);
      else reject(new Error(`${file} exited with ${signal ?? `code ${code}`}`));
    });
  });
  return {
    messages,
    send: (message) => child.send(message as object),
    waitFor: (test) => {
      const found = messages.find(test);
      if (found !== undefined) return Promise.resolve(found);
      return Promise.race([
        new Promise<M>((resolve) => waiters.push({ test, resolve })),
        exited.then(() => {
          throw new Error(`${file} exited before sending the awaited message`);
        }),
      ]);
    },
    exited,
  };
}

/**
 * Bundles a TypeScript entry (and `@sat/core`'s sources) into one ESM file under `outDir`
 * with tsup, so it can run on plain node without the tsx loader. Returns the file's path.
 */
export async function bundleForNode(entry: string, outDir: string): Promise<string> {
  const { build } = await import('tsup');
  await build({
    entry: { bundle: entry },
    outDir,
    format: ['esm'],
    outExtension: () => ({ js: '.mjs' }),
    platform: 'node',
    target: 'node20',
    noExternal: [/.*/],
    splitting: false,
    sourcemap: false,
    dts: false,
    clean: false,
    config: false,
    silent: true,
    // CommonJS dependencies (tar-stream, streamx) require Node built-ins; an ESM bundle has no
    // `require` of its own, so give it one.
    banner: {
      js: "import { createRequire as __satCreateRequire } from 'node:module'; const require = __satCreateRequire(import.meta.url);",
    },
    esbuildOptions: (options) => {
      options.conditions = ['sat-source'];
    },
  });
  return join(outDir, 'bundle.mjs');
}

/** Runs `file` as a child process (see {@link startFixture}) and resolves with its messages. */
export function runFixture<M>(
  file: string,
  args: readonly string[],
  options: FixtureOptions = {},
): Promise<M[]> {
  return startFixture<M>(file, args, options).exited;
}

/** Sends `message` to the parent process over IPC (no-op when not started with one). */
export function sendToParent(message: unknown): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!process.send) return resolve();
    process.send(message, undefined, {}, (error) => (error ? reject(error) : resolve()));
  });
}

// ---------------------------------------------------------------------------------------------
// Disk

/** Milliseconds the block devices spent doing I/O (`io_ticks` of /proc/diskstats), summed; undefined off Linux. */
function diskBusyMs(): number | undefined {
  try {
    let total = 0;
    for (const line of readFileSync('/proc/diskstats', 'utf8').split('\n')) {
      const fields = line.trim().split(/\s+/);
      const name = fields[2];
      if (!name || /^(loop|ram|zram)/.test(name)) continue;
      total += Number(fields[12] ?? 0);
    }
    return total;
  } catch {
    return undefined;
  }
}

/**
 * Waits until the disks have been idle (under 2% busy) for `quietSeconds` in a row, at most
 * `maxMs`; resolves to the time waited. A benchmark that reads files just written (or runs just
 * after a large deletion, whose discards the kernel sends later) otherwise measures the
 * write-back of what came before. Returns at once where /proc/diskstats does not exist.
 */
export async function waitForQuietDisk(quietSeconds = 3, maxMs = 120_000): Promise<number> {
  const start = performance.now();
  const first = diskBusyMs();
  if (first === undefined) return 0;
  let last: number = first;
  let quiet = 0;
  while (quiet < quietSeconds && performance.now() - start < maxMs) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const now: number = diskBusyMs() ?? last;
    quiet = now - last < 20 ? quiet + 1 : 0;
    last = now;
  }
  return performance.now() - start;
}

/**
 * Builds every package (`pnpm -s build`) and returns the built `sat` (packages/cli/dist/bin.js):
 * what the benchmarks of installed behaviour run.
 */
export function buildCli(): string {
  const repo = fileURLToPath(new URL('..', import.meta.url));
  const build = spawnSync('pnpm', ['-s', 'build'], {
    cwd: repo,
    stdio: 'ignore',
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
  });
  if (build.status !== 0) throw new Error('pnpm build failed');
  return join(repo, 'packages', 'cli', 'dist', 'bin.js');
}

/** Plants a history into a logs folder (`@sat/core/fixtures`), for the web, review and mongo benches. */
export { type HistoryToWrite, writeHistory } from '@sat/core/fixtures';
