import { closeSync, openSync, readdirSync, readSync, realpathSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { describeSystemError, SatError } from '../errors.js';

/** A transcript file found by {@link discoverTranscripts}. */
export interface TranscriptFile {
  /** Absolute path (symbolic links resolved). */
  path: string;
  /**
   * `main`: a session's own transcript (`<project>/<sessionId>.jsonl`); `subagent`: a sub-agent's
   * (`<sessionId>/subagents/agent-<agentId>.jsonl`, the compaction run `agent-acompact-*` included).
   */
  kind: 'main' | 'subagent';
  size: number;
  mtimeMs: number;
  /** For a sub-agent file: the agent id its name gives (`agent-a7be2f0.jsonl` -> `a7be2f0`). */
  agentIdFromName?: string;
}

/** What the first lines of a transcript say (see {@link peekTranscript}). */
export interface TranscriptHead {
  sessionId?: string;
  agentId?: string;
  cwd?: string;
  gitBranch?: string;
  /** The first record's `timestamp`. */
  firstTs?: string;
  /** True when a record of the head is a sidechain (sub-agent) record. */
  isSidechain: boolean;
}

const SUBAGENT_FILE = /^agent-(.+)\.jsonl$/;

/**
 * Where Claude Code keeps its transcripts: `$CLAUDE_CONFIG_DIR/projects`, else
 * `~/.claude/projects`.
 *
 * @example
 * defaultTranscriptRoot({ CLAUDE_CONFIG_DIR: '/cfg' }) // '/cfg/projects'
 */
export function defaultTranscriptRoot(env: Record<string, string | undefined> = process.env): string {
  const configDir = env.CLAUDE_CONFIG_DIR?.trim();
  return join(configDir ? resolve(configDir) : join(homedir(), '.claude'), 'projects');
}

function subagentId(path: string): string | undefined {
  const match = SUBAGENT_FILE.exec(basename(path));
  return match && basename(dirname(path)) === 'subagents' ? match[1] : undefined;
}

/**
 * Finds the transcripts under `paths` (files, or folders searched recursively for `*.jsonl`),
 * each once, sorted by path. A file in a `subagents` folder named `agent-<id>.jsonl` is a
 * sub-agent transcript; any other `.jsonl` is a main one. A path given explicitly is taken
 * whatever its name. Throws `SatError('IO_ERROR')` naming a path that does not exist or cannot
 * be read.
 *
 * @example
 * const files = discoverTranscripts([defaultTranscriptRoot()]);
 */
export function discoverTranscripts(paths: readonly string[]): TranscriptFile[] {
  const found = new Map<string, TranscriptFile>();
  const add = (path: string, size: number, mtimeMs: number, resolved = false): void => {
    const real = resolved ? path : realpathSync.native(path);
    if (found.has(real)) return;
    const agentId = subagentId(real);
    const file: TranscriptFile = { path: real, kind: agentId ? 'subagent' : 'main', size, mtimeMs };
    if (agentId) file.agentIdFromName = agentId;
    found.set(real, file);
  };
  const walk = (dir: string): void => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      throw unreadable(dir, error);
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if ((entry.isFile() || entry.isSymbolicLink()) && entry.name.endsWith('.jsonl')) {
        try {
          const stat = statSync(path);
          // Below a resolved folder, only a link needs resolving.
          if (stat.isFile()) add(path, stat.size, stat.mtimeMs, !entry.isSymbolicLink());
        } catch {
          // Removed while we looked (Claude Code prunes old transcripts), or a dangling link.
        }
      }
    }
  };
  for (const given of paths) {
    const path = resolve(given);
    let stat: import('node:fs').Stats;
    try {
      stat = statSync(path);
    } catch (error) {
      throw unreadable(path, error);
    }
    if (stat.isDirectory()) walk(realpathSync.native(path));
    else add(path, stat.size, stat.mtimeMs);
  }
  return [...found.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function unreadable(path: string, error: unknown): SatError {
  const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
  return new SatError(
    'IO_ERROR',
    missing
      ? `[core] cannot import ${path}: no such file or folder (give a transcript file or a folder of them, such as ~/.claude/projects)`
      : `[core] cannot import ${path}: ${describeSystemError(error)}`,
    { cause: error, details: { path } },
  );
}

/**
 * Reads the first records of a transcript (at most `maxBytes`, default 1 MiB) for its session id,
 * agent id, working folder, git branch and first timestamp, without reading the whole file.
 * Lines that are not JSON are passed over; a file that cannot be read gives an empty head.
 *
 * @example
 * peekTranscript('~/.claude/projects/-home-me-app/491e126e.jsonl').sessionId // '491e126e-...'
 */
export function peekTranscript(path: string, maxBytes = 1024 * 1024): TranscriptHead {
  const head: TranscriptHead = { isSidechain: false };
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return head;
  }
  try {
    const chunk = Buffer.allocUnsafe(64 * 1024);
    let carry = Buffer.alloc(0);
    let position = 0;
    let lines = 0;
    while (position < maxBytes && lines < 200) {
      const n = readSync(fd, chunk, 0, chunk.length, position);
      if (n === 0) break;
      position += n;
      let data = carry.length ? Buffer.concat([carry, chunk.subarray(0, n)]) : chunk.subarray(0, n);
      let from = 0;
      for (let nl = data.indexOf(10); nl !== -1; nl = data.indexOf(10, from)) {
        lines++;
        noteHead(head, data.subarray(from, nl));
        from = nl + 1;
        if (isComplete(head)) return head;
      }
      data = data.subarray(from);
      carry = Buffer.from(data);
    }
    if (carry.length) noteHead(head, carry);
    return head;
  } catch {
    return head;
  } finally {
    closeSync(fd);
  }
}

function isComplete(head: TranscriptHead): boolean {
  return (
    head.sessionId !== undefined &&
    head.firstTs !== undefined &&
    head.cwd !== undefined &&
    head.gitBranch !== undefined
  );
}

function noteHead(head: TranscriptHead, bytes: Buffer): void {
  let record: Record<string, unknown>;
  try {
    const value = JSON.parse(bytes.toString('utf8')) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return;
    record = value as Record<string, unknown>;
  } catch {
    return;
  }
  const text = (key: string): string | undefined => {
    const value = record[key];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  head.sessionId ??= text('sessionId');
  head.agentId ??= text('agentId');
  head.cwd ??= text('cwd');
  head.gitBranch ??= text('gitBranch');
  const ts = text('timestamp');
  if (head.firstTs === undefined && ts !== undefined && !Number.isNaN(Date.parse(ts))) head.firstTs = ts;
  if (record.isSidechain === true) head.isSidechain = true;
}
