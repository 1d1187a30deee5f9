import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { SatConfig } from '../config/config-schema.js';
import { SatError } from '../errors.js';
import { latestHandoffPath } from './create-handoff.js';
import { estimateTokens } from './token-estimate.js';

/** A handoff already written (see {@link readLatestHandoff}). */
export interface StoredHandoff {
  session: string;
  /** `<paths.handoffs>/<session>-<timestamp>.md`, the newest one (`latestPath` when only that exists). */
  path: string;
  /** `<paths.handoffs>/latest-<session>.md` */
  latestPath: string;
  /** When `path` was written (its modification time, ISO 8601). */
  writtenAt: string;
  /** Estimated tokens of the Markdown (see `estimateTokens`). */
  tokens: number;
  markdown: string;
}

/** The timestamp part of a handoff's file name: `2026-12-07T02-35-27-123Z.md`. */
const STAMPED = /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z\.md$/;

/** The newest `<session>-<timestamp>.md` of the handoffs folder (timestamps sort as text). */
function newestStamped(dir: string, session: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  const prefix = `${session}-`;
  const names = readdirSync(dir)
    .filter((name) => name.startsWith(prefix) && STAMPED.test(name.slice(prefix.length)))
    .sort();
  const newest = names.at(-1);
  return newest === undefined ? undefined : join(dir, newest);
}

/**
 * The newest handoff written for `session`, read without writing anything: its newest
 * `<session>-<timestamp>.md` (else `latest-<session>.md`). Throws `NOT_FOUND` when the session has
 * none, naming the folder and how to write one; `INVALID_SESSION_ID` for a malformed id.
 *
 * @example
 * const { path, markdown, writtenAt } = readLatestHandoff(config, session);
 */
export function readLatestHandoff(config: SatConfig, session: string): StoredHandoff {
  const latestPath = latestHandoffPath(config, session);
  const path =
    newestStamped(config.paths.handoffs, session) ?? (existsSync(latestPath) ? latestPath : undefined);
  if (path === undefined)
    throw new SatError(
      'NOT_FOUND',
      `[core] session ${session} has no handoff in ${config.paths.handoffs}: write one with 'sat handoff ${session}' (or POST /api/sessions/${session}/handoff)`,
      { details: { session } },
    );
  let markdown: string;
  let writtenAt: Date;
  try {
    markdown = readFileSync(path, 'utf8');
    writtenAt = statSync(path).mtime;
  } catch (error) {
    throw new SatError('IO_ERROR', `[core] cannot read the handoff ${path}: ${(error as Error).message}`, {
      cause: error,
      details: { session, path },
    });
  }
  return {
    session,
    path,
    latestPath,
    writtenAt: writtenAt.toISOString(),
    tokens: estimateTokens(markdown),
    markdown,
  };
}
