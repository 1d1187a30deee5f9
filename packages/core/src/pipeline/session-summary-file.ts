import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import type { SatConfig } from '../config/config-schema.js';
import { latestHandoffPath } from '../handoff/create-handoff.js';
import { writeFileAtomic } from '../log/atomic-file.js';
import { sessionLogFiles } from '../log/log-files.js';
import type { SessionState } from '../session-state/session-state.js';
import { type SessionStateSummary, summarizeSessionState } from '../session-state/session-summary.js';
import { loadSessionState } from '../snapshots/create-snapshot.js';
import {
  SESSION_SUMMARY_FILE_VERSION,
  type SessionSummaryFile,
  type SummaryAlert,
  sessionSummaryDir,
  sessionSummaryFilePath,
} from './session-summary-reader.js';

/** How far back an `alert` event still counts as current. */
const ALERT_WINDOW_MS = 60 * 60 * 1000;
/** The end of a live log scanned for alerts. */
const ALERT_TAIL_BYTES = 128 * 1024;
const MAX_ALERTS = 3;

/** What {@link buildSessionSummaryFile} is made from. */
export interface SummaryFileInput {
  state: SessionState;
  /** `summarizeSessionState(state, config.prices)`: the numbers `sat status` shows. */
  summary: SessionStateSummary;
  handoffAtPercent: number;
  lastHandoff?: { at: string; path: string };
  alerts?: SummaryAlert[];
  segments?: readonly string[];
  now?: Date;
}

/**
 * The per-session summary file of a session's state, from the same summary `sat status` prints
 * (no token or cost maths of its own). Pure.
 *
 * @example
 * const file = buildSessionSummaryFile({ state, summary: summarizeSessionState(state), handoffAtPercent: 80 });
 */
export function buildSessionSummaryFile(input: SummaryFileInput): SessionSummaryFile {
  const { state, summary } = input;
  const file: SessionSummaryFile = {
    v: SESSION_SUMMARY_FILE_VERSION,
    session: state.session,
    writtenAt: (input.now ?? new Date()).toISOString(),
    lastSeq: state.lastSeq,
    ended: state.ended,
    cost: summary.cost,
    unpricedTokens: summary.unpricedTokens,
    totalTokens: summary.totalTokens,
    agents: {
      running: summary.agents.running,
      completed: summary.agents.completed,
      failed: summary.agents.failed,
    },
    running: state.agents.running.map((run) => {
      const usage = summary.byAgent[run.agent];
      const t = usage?.tokens;
      return {
        agent: run.agent,
        ...(run.agentId !== undefined && { agentId: run.agentId }),
        startedAt: run.startedAt,
        tools: run.tools ?? 0,
        agentTokens: t ? t.input + t.output + t.cacheCreation + t.cacheRead : 0,
        agentRuns: state.agents.byAgent[run.agent]?.invocations ?? 1,
      };
    }),
    errors: { open: summary.openErrors, failedValidations: summary.failedValidations },
    handoffAtPercent: input.handoffAtPercent,
    alerts: input.alerts ?? [],
  };
  if (state.lastEventAt !== undefined) file.lastEventAt = state.lastEventAt;
  if (summary.context)
    file.context = {
      percent: summary.context.percent,
      tokens: summary.context.tokens,
      window: summary.context.window,
    };
  if (state.lastBackup) file.lastBackup = { at: state.lastBackup.ts, target: state.lastBackup.target };
  if (input.lastHandoff) file.lastHandoff = input.lastHandoff;
  if (input.segments) file.segments = [...input.segments];
  return file;
}

/** The `alert` events of the last hour at the end of a session's plain log, newest last. */
function recentAlerts(config: SatConfig, session: string, now: Date): SummaryAlert[] {
  const { plain } = sessionLogFiles(config.paths.logs, session);
  if (!existsSync(plain)) return [];
  const fd = openSync(plain, 'r');
  let text: string;
  try {
    const size = fstatSync(fd).size;
    const start = Math.max(0, size - ALERT_TAIL_BYTES);
    const buf = Buffer.alloc(size - start);
    const n = readSync(fd, buf, 0, buf.length, start);
    text = buf.toString('utf8', 0, n);
  } finally {
    closeSync(fd);
  }
  const alerts: SummaryAlert[] = [];
  for (const line of text.split('\n')) {
    if (!line.includes('"type":"alert"')) continue;
    try {
      const event = JSON.parse(line) as { ts: string; data: Omit<SummaryAlert, 'at'> };
      if (now.getTime() - Date.parse(event.ts) > ALERT_WINDOW_MS) continue;
      const { level, kind, message } = event.data;
      alerts.push({ at: event.ts, level, kind, message: message.slice(0, 200) });
    } catch {
      // A torn first line of the tail, or a line being written: the next ingest reads it whole.
    }
  }
  return alerts.slice(-MAX_ALERTS);
}

function lastHandoffOf(config: SatConfig, state: SessionState): { at: string; path: string } | undefined {
  const latest = latestHandoffPath(config, state.session);
  const fileAt = existsSync(latest) ? statSync(latest).mtime.toISOString() : undefined;
  if (state.lastHandoff && (!fileAt || state.lastHandoff.ts >= fileAt))
    return { at: state.lastHandoff.ts, path: state.lastHandoff.path };
  return fileAt ? { at: fileAt, path: latest } : undefined;
}

/** What {@link writeSessionSummaryFiles} did. */
export interface WriteSummariesResult {
  written: string[];
  warnings: string[];
}

/**
 * Rewrites the per-session summary file (`<data root>/sat/statusline/<session>.json`) of each
 * session, from its state as `sat status` loads it (latest snapshot plus the events after it).
 * Best effort: a session that fails is a warning, the others are still written.
 *
 * @example
 * const { written, warnings } = await writeSessionSummaryFiles(config, ['s1']);
 */
export async function writeSessionSummaryFiles(
  config: SatConfig,
  sessions: readonly string[],
  now: Date = new Date(),
): Promise<WriteSummariesResult> {
  const result: WriteSummariesResult = { written: [], warnings: [] };
  if (sessions.length === 0) return result;
  try {
    mkdirSync(sessionSummaryDir(config.root), { recursive: true, mode: 0o700 });
  } catch (error) {
    result.warnings.push(`statusline summaries: ${(error as Error).message}`);
    return result;
  }
  for (const session of sessions) {
    try {
      const { state } = await loadSessionState(config, session);
      const handoff = lastHandoffOf(config, state);
      const file = buildSessionSummaryFile({
        state,
        summary: summarizeSessionState(state, config.prices),
        handoffAtPercent: config.handoff.contextFillPercent,
        ...(handoff && { lastHandoff: handoff }),
        alerts: recentAlerts(config, session, now),
        segments: config.statusline.segments,
        now,
      });
      writeFileAtomic(sessionSummaryFilePath(config.root, session), `${JSON.stringify(file)}\n`);
      result.written.push(session);
    } catch (error) {
      result.warnings.push(`statusline summary of ${session}: ${(error as Error).message}`);
    }
  }
  return result;
}
