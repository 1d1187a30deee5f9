import {
  LogMemo,
  LogsVersion,
  readSessionPhase,
  type SatConfig,
  SessionInfoMemo,
  sessionActivity,
  sessionLogFiles,
} from '@sat/core';
import { type SessionRow, sessionRows, sessionUsageIndex } from './session-rows.js';

/** The session list of a long-lived server (see {@link servedSessions}). */
export interface ServedSessions {
  /** The rows of `sat sessions --json`, as of now. */
  rows(): Promise<SessionRow[]>;
  /** A session's phase of work (`readSessionPhase`). */
  phase(session: string): Promise<string>;
}

/**
 * What `sat serve` keeps to list sessions: the rows and phases as of the log folder's last
 * {@link LogsVersion}, reused while it is unchanged (only each row's activity, which moves with
 * the clock, is worked out again); when it changed, the rows are made again from the usage index
 * and the log facts memo, which read only the logs that changed.
 *
 * @example
 * const sessions = servedSessions(config);
 * const rows = await sessions.rows();
 */
export function servedSessions(config: SatConfig): ServedSessions {
  const logsDir = config.paths.logs;
  const version = new LogsVersion(logsDir);
  const sources = { index: sessionUsageIndex(config), infos: new SessionInfoMemo(logsDir) };
  const phases = new LogMemo<string>(logsDir);
  let listed: { version: string; rows: SessionRow[] } | undefined;
  return {
    async rows() {
      const seen = version.current();
      const now = Date.now();
      if (seen !== undefined && listed?.version === seen)
        return listed.rows.map((row) => ({ ...row, activity: sessionActivity(row, now) }));
      const { rows } = await sessionRows(config, now, { ...sources, version: seen });
      listed = seen === undefined ? undefined : { version: seen, rows };
      return rows;
    },
    phase(session) {
      const seen = version.current();
      return phases.get(session, () => readSessionPhase(sessionLogFiles(logsDir, session)), seen);
    },
  };
}
