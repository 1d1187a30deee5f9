import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import {
  readSessionSummaryFile,
  type SessionSummaryFile,
  sessionSummaryDir,
  sessionSummaryFilePath,
} from '@sat/core/summary-file';
import { formatStatusline, formatSubagentRows } from './format-statusline.js';
import { SEGMENTS } from './segments.js';
import { parseStatuslineInput, type StatuslineInput } from './statusline-input.js';
import { takeStatuslineLock } from './statusline-lock.js';

/** Where one `sat statusline` run reads and writes. */
export interface StatuslineRunOptions {
  /** The arguments after `statusline`: `--subagents`, `--home <dir>`. */
  args: readonly string[];
  env: Record<string, string | undefined>;
  cwd: string;
  readStdin(): Promise<string>;
  write(text: string): void;
  now?: Date;
}

/** What a run did (the CLI prints only `lines`). */
export interface StatuslineRunResult {
  lines: string[];
  /** Another run held the lock: `lines` are the ones it rendered last. */
  busy: boolean;
  /** What went wrong (logged to `<data root>/sat/statusline/statusline.log`, never printed). */
  problems: string[];
}

const SESSION_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const DEFAULT_SEGMENTS = Object.keys(SEGMENTS);
/** The log is rotated (one old copy kept) past this size. */
const LOG_MAX_BYTES = 256 * 1024;

function dataRoot(o: StatuslineRunOptions, input: StatuslineInput): string {
  const at = o.args.indexOf('--home');
  if (at >= 0 && o.args[at + 1]) return resolve(o.cwd, o.args[at + 1]!);
  if (o.env.SAT_HOME) return resolve(o.cwd, o.env.SAT_HOME);
  const project = o.env.CLAUDE_PROJECT_DIR ?? input.projectDir;
  if (project) return join(resolve(project), '.claude');
  let dir = resolve(o.cwd, input.cwd ?? '.');
  for (;;) {
    if (existsSync(join(dir, '.git'))) return join(dir, '.claude');
    const parent = dirname(dir);
    if (parent === dir) return join(resolve(o.cwd, input.cwd ?? '.'), '.claude');
    dir = parent;
  }
}

/** `statusline.segments` from the config file, read as plain JSON (loading core's config is too slow here). */
function configuredSegments(root: string, env: StatuslineRunOptions['env'], problems: string[]): string[] {
  const file = env.SAT_CONFIG ? resolve(env.SAT_CONFIG) : join(root, 'sat.config.json');
  if (!existsSync(file)) return DEFAULT_SEGMENTS;
  try {
    const segments = (JSON.parse(readFileSync(file, 'utf8')) as { statusline?: { segments?: unknown } })
      ?.statusline?.segments;
    if (segments === undefined) return DEFAULT_SEGMENTS;
    if (!Array.isArray(segments)) throw new Error('must be a list of segment names');
    const unknown = segments.filter((s) => typeof s !== 'string' || !(s in SEGMENTS));
    if (unknown.length > 0)
      throw new Error(`unknown segment(s) ${unknown.map((s) => JSON.stringify(s)).join(', ')}`);
    return segments as string[];
  } catch (error) {
    problems.push(
      `[cli] statusline.segments in ${file}: ${(error as Error).message} (use: ${DEFAULT_SEGMENTS.join(', ')}); showing the default segments`,
    );
    return DEFAULT_SEGMENTS;
  }
}

function columnsOf(env: StatuslineRunOptions['env']): number {
  const n = Number.parseInt(env.COLUMNS ?? '', 10);
  return Number.isInteger(n) && n >= 10 ? n : 120;
}

function writeCache(path: string, lines: readonly string[]): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, `${lines.join('\n')}\n`, { mode: 0o600 });
  renameSync(tmp, path);
}

function readCache(path: string): string[] | undefined {
  try {
    return readFileSync(path, 'utf8').replace(/\n$/, '').split('\n');
  } catch {
    return undefined;
  }
}

function readInput(text: string, problems: string[]): StatuslineInput {
  if (text.trim() === '') {
    problems.push('[cli] statusline: nothing on stdin (Claude Code sends its statusline JSON there)');
    return {};
  }
  try {
    return parseStatuslineInput(text);
  } catch (error) {
    problems.push(
      `[cli] statusline: stdin is not Claude Code's statusline JSON: ${(error as Error).message}`,
    );
    return {};
  }
}

function render(o: StatuslineRunOptions, input: StatuslineInput, root: string, problems: string[]): string[] {
  let summary: SessionSummaryFile | undefined;
  if (input.sessionId && SESSION_ID.test(input.sessionId)) {
    const read = readSessionSummaryFile(sessionSummaryFilePath(root, input.sessionId));
    if (read.summary) summary = read.summary;
    else if (read.problem) problems.push(`[cli] statusline: ${read.problem}`);
  } else if (input.sessionId)
    problems.push(`[cli] statusline: invalid session_id ${JSON.stringify(input.sessionId)}`);
  const frame = {
    input,
    ...(summary && { summary }),
    segments: configuredSegments(root, o.env, problems),
    columns: columnsOf(o.env),
    color: !o.env.NO_COLOR,
    now: o.now ?? new Date(),
  };
  return o.args.includes('--subagents') ? formatSubagentRows(frame) : formatStatusline(frame);
}

/** The line from Claude Code's data alone (no summary file, no config). */
function stdinOnly(input: StatuslineInput, env: StatuslineRunOptions['env'], now: Date): string[] {
  return formatStatusline({
    input,
    segments: DEFAULT_SEGMENTS,
    columns: columnsOf(env),
    color: !env.NO_COLOR,
    now,
  });
}

function logProblems(dir: string, problems: readonly string[], now: Date): void {
  if (problems.length === 0 || !existsSync(dir)) return;
  try {
    const log = join(dir, 'statusline.log');
    if (existsSync(log) && statSync(log).size > LOG_MAX_BYTES) renameSync(log, `${log}.1`);
    appendFileSync(log, problems.map((p) => `${now.toISOString()} ${p}\n`).join(''), { mode: 0o600 });
  } catch {
    // Nowhere left to report to: the line is printed all the same.
  }
}

/**
 * One `sat statusline` run, as Claude Code's `statusLine` (or, with `--subagents`, its
 * `subagentStatusLine`) runs it: reads the statusline JSON from stdin and the session's summary
 * file, prints the line(s) and nothing else, and always succeeds. While another run holds the
 * pid lock it prints the lines that run rendered last. Problems go to `statusline.log` beside
 * the summary files.
 *
 * @example
 * await runStatusline({ args: [], env: process.env, cwd: process.cwd(), readStdin, write: (t) => process.stdout.write(t) });
 */
export async function runStatusline(o: StatuslineRunOptions): Promise<StatuslineRunResult> {
  const problems: string[] = [];
  const now = o.now ?? new Date();
  const input = readInput(await o.readStdin().catch(() => ''), problems);
  let lines: string[] = [];
  let busy = false;
  let dir: string | undefined;
  try {
    const root = dataRoot(o, input);
    dir = sessionSummaryDir(root);
    // Once sat is set up here (`<root>/sat` holds the capture script), the lock and log have a home.
    if (!existsSync(dir) && existsSync(dirname(dir))) mkdirSync(dir, { mode: 0o700 });
    const variant = o.args.includes('--subagents') ? 'subagents' : 'line';
    const cache = join(
      dir,
      `${input.sessionId && SESSION_ID.test(input.sessionId) ? input.sessionId : '-'}.${variant}`,
    );
    const release = existsSync(dir) ? takeStatuslineLock(join(dir, `statusline-${variant}.lock`)) : () => {};
    if (!release) {
      busy = true;
      lines = readCache(cache) ?? stdinOnly(input, o.env, now);
    } else {
      try {
        lines = render(o, input, root, problems);
        if (existsSync(dir)) writeCache(cache, lines);
      } finally {
        release();
      }
    }
  } catch (error) {
    problems.push(`[cli] statusline: ${(error as Error).message}`);
    if (lines.length === 0) lines = stdinOnly(input, o.env, now);
  }
  o.write(`${lines.join('\n')}\n`);
  if (dir) logProblems(dir, problems, now);
  return { lines, busy, problems };
}
