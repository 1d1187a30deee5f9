/**
 * `@sat/core/summary-file`: the reader of the per-session summary file the pipeline writes, for
 * views that must start fast (`sat statusline`). Imports nothing of core but types.
 *
 * @module @sat/core/summary-file
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';

// This file imports nothing of core but types: `sat statusline` loads it (through the
// `@sat/core/summary-file` subpath) without loading the rest of core.

/** Version of the {@link SessionSummaryFile} shape. */
export const SESSION_SUMMARY_FILE_VERSION = 1;

/** Largest summary file a reader accepts, in bytes (a real one is a few kilobytes). */
export const SESSION_SUMMARY_MAX_BYTES = 256 * 1024;

/** One sub-agent still running, as the per-session summary file lists it. */
export interface SummaryRunningAgent {
  agent: string;
  agentId?: string;
  startedAt: string;
  /** Tool calls it made so far. */
  tools: number;
  /** Tokens the usage model counts for this agent name in the session (all its runs). */
  agentTokens: number;
  /** Runs of this agent name in the session (so `agentTokens` can be read as shared). */
  agentRuns: number;
}

/** A current alert (an `alert` event of the last hour), newest last. */
export interface SummaryAlert {
  at: string;
  level: 'info' | 'warning' | 'critical';
  kind: string;
  message: string;
}

/**
 * The small per-session file ingest keeps up to date for live views (`sat statusline`): what
 * `sat status` shows, already summed up, so a reader never opens SQLite or replays the log.
 * Written atomically to `<data root>/sat/statusline/<session>.json`.
 */
export interface SessionSummaryFile {
  /** {@link SESSION_SUMMARY_FILE_VERSION}. */
  v: number;
  session: string;
  writtenAt: string;
  lastSeq: number;
  lastEventAt?: string;
  ended: boolean;
  /** sat's own cost (USD) from the usage model, priced with the configured table. */
  cost: number;
  /** Tokens sat could not price (models missing from the price table). */
  unpricedTokens: number;
  totalTokens: number;
  context?: { percent: number; tokens: number; window: number };
  agents: { running: number; completed: number; failed: number };
  running: SummaryRunningAgent[];
  errors: { open: number; failedValidations: number };
  lastBackup?: { at: string; target: string };
  lastHandoff?: { at: string; path: string };
  /** Context fill at which a handoff is due (`handoff.contextFillPercent`). */
  handoffAtPercent: number;
  alerts: SummaryAlert[];
  /** `statusline.segments` from the config, when set. */
  segments?: string[];
}

/** The folder of the per-session summary files under a data root. */
export function sessionSummaryDir(root: string): string {
  return join(root, 'sat', 'statusline');
}

/**
 * Where a session's summary file lives.
 *
 * @example
 * sessionSummaryFilePath('/p/.claude', 's1'); // '/p/.claude/sat/statusline/s1.json'
 */
export function sessionSummaryFilePath(root: string, session: string): string {
  return join(sessionSummaryDir(root), `${session}.json`);
}

/** What {@link readSessionSummaryFile} found. */
export interface ReadSummaryResult {
  summary?: SessionSummaryFile;
  /** Bytes read from disk. */
  bytes: number;
  /** Why there is no summary (missing, too large, not JSON, another version). */
  problem?: string;
}

/**
 * Reads a per-session summary file with one open and one read, never more than
 * {@link SESSION_SUMMARY_MAX_BYTES}. Never throws: a missing or bad file is a `problem`.
 *
 * @example
 * const { summary, problem } = readSessionSummaryFile(sessionSummaryFilePath(root, 's1'));
 */
export function readSessionSummaryFile(path: string): ReadSummaryResult {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { bytes: 0, problem: code === 'ENOENT' ? `no summary yet (${path})` : `${path}: ${code}` };
  }
  try {
    const size = fstatSync(fd).size;
    if (size > SESSION_SUMMARY_MAX_BYTES)
      return { bytes: 0, problem: `${path} is ${size} bytes (more than ${SESSION_SUMMARY_MAX_BYTES})` };
    const buf = Buffer.alloc(size);
    const bytes = size > 0 ? readSync(fd, buf, 0, size, 0) : 0;
    let value: unknown;
    try {
      value = JSON.parse(buf.toString('utf8', 0, bytes));
    } catch (error) {
      return { bytes, problem: `${path} is not JSON (${(error as Error).message})` };
    }
    const v = (value as { v?: unknown } | null)?.v;
    if (v !== SESSION_SUMMARY_FILE_VERSION)
      return { bytes, problem: `${path} has version ${String(v)}, not ${SESSION_SUMMARY_FILE_VERSION}` };
    return { summary: value as SessionSummaryFile, bytes };
  } finally {
    closeSync(fd);
  }
}
