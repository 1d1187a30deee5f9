import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  statSync,
} from 'node:fs';
import { join } from 'node:path';
import type { SatConfig } from '../config/config-schema.js';
import { SatError } from '../errors.js';
import { assertSessionId, isValidSessionId } from '../ids.js';
import { writeFileAtomic } from '../log/atomic-file.js';
import { sessionLogFiles } from '../log/log-files.js';
import { sessionOwner } from '../log/session-owner.js';
import { readSessionMeta } from '../log/sessions.js';
import { appendLifecycleEvent } from '../session-state/lifecycle-events.js';
import type { SessionState } from '../session-state/session-state.js';
import { summarizeSessionState } from '../session-state/session-summary.js';
import { loadSessionState, type SessionStateOptions } from '../snapshots/create-snapshot.js';
import { listSnapshots } from '../snapshots/snapshot-queries.js';
import { type HandoffTrigger, handoffTrigger } from '../snapshots/snapshot-triggers.js';
import { type HandoffSection, renderHandoff } from './handoff-markdown.js';
import { estimateTokensFromBytes } from './token-estimate.js';

/** Options of {@link createHandoff}. */
export interface CreateHandoffOptions extends SessionStateOptions {
  /** Largest handoff in estimated tokens. Default `config.handoff.maxTokens` (2,000). */
  maxTokens?: number;
  /** Why it is written (`manual`, `recover`, `pre-compact`, `context-fill`, ...). Default `manual`. */
  trigger?: string;
  /** Write a `handoff` event into the session's log (skipped once the session has ended). Default true. */
  writeEvent?: boolean;
  /** The time to stamp it with. Default now. */
  now?: Date;
}

/** What {@link createHandoff} wrote. */
export interface HandoffResult {
  /** `<paths.handoffs>/<session>-<timestamp>.md` */
  path: string;
  /** `<paths.handoffs>/latest-<session>.md` (same content) */
  latestPath: string;
  /** Estimated tokens of the handoff (see `estimateTokens`). */
  tokens: number;
  /** Estimated tokens of the session's transcript (from its size in bytes). */
  transcriptTokens: number;
  /** What `transcriptTokens` was estimated from: the Claude Code transcript, or (unknown or gone) the event log. */
  transcriptSource: 'transcript' | 'event-log';
  /** The file measured. */
  transcriptFile?: string;
  /** How much smaller the handoff is than the transcript, in percent (negative when larger). */
  savingPercent: number;
  markdown: string;
  /** Sections kept, and those left out to fit in `maxTokens`. */
  sections: HandoffSection[];
  dropped: HandoffSection[];
  /** The `handoff` event written into the log, or why none was. */
  event: { id?: string; skipped?: string };
  /** Problems met (corrupt snapshots skipped, bad log lines). */
  warnings: string[];
}

/** Claude Code's transcript path of a session captured by hooks (first raw payload that names one). */
function rawTranscriptPath(logsDir: string, session: string): string | undefined {
  const file = join(logsDir, 'raw', `${session}.jsonl`);
  if (!existsSync(file)) return undefined;
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(256 * 1024);
    const n = readSync(fd, buf, 0, buf.length, 0);
    for (const line of buf.subarray(0, n).toString('utf8').split('\n')) {
      try {
        const payload = (JSON.parse(line) as { payload?: { transcript_path?: unknown } }).payload;
        if (typeof payload?.transcript_path === 'string' && payload.transcript_path)
          return payload.transcript_path;
      } catch {}
    }
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/**
 * The size of what a session's context was built from, in estimated tokens: its Claude Code
 * transcript (known from `session_start` of an import, or from the hooks' raw payloads) when it
 * still exists, else its event log (uncompressed size).
 */
export function sessionTranscriptTokens(
  config: SatConfig,
  state: Pick<SessionState, 'session' | 'transcript'>,
): { tokens: number; source: 'transcript' | 'event-log'; file?: string } {
  const transcript = state.transcript ?? rawTranscriptPath(config.paths.logs, state.session);
  if (transcript) {
    try {
      const size = statSync(transcript).size;
      return { tokens: estimateTokensFromBytes(size), source: 'transcript', file: transcript };
    } catch {}
  }
  const files = sessionLogFiles(config.paths.logs, state.session);
  if (existsSync(files.plain))
    return {
      tokens: estimateTokensFromBytes(statSync(files.plain).size),
      source: 'event-log',
      file: files.plain,
    };
  const meta = readSessionMeta(files);
  return {
    tokens: estimateTokensFromBytes(meta?.plainBytes ?? 0),
    source: 'event-log',
    ...(meta ? { file: files.compressed } : {}),
  };
}

/** `93.2% smaller`, or `12% larger` for a negative saving. */
function relative(savingPercent: number): string {
  return savingPercent >= 0 ? `${savingPercent}% smaller` : `${Math.round(-savingPercent * 10) / 10}% larger`;
}

function stamp(date: Date): string {
  return date.toISOString().replace(/:/g, '-').replace('.', '-');
}

/** `latest-<session>.md` in the handoffs folder. */
export function latestHandoffPath(config: SatConfig, session: string): string {
  assertSessionId(session);
  return join(config.paths.handoffs, `latest-${session}.md`);
}

/**
 * Writes a Markdown handoff of a session that a person can read and a new agent can resume
 * from: the goal (first prompt), next steps (open todos, last messages, running agents), open
 * errors and failed checks, files changed (with their git hashes on disk at the latest
 * snapshot), agents run and their outcome, decisions with rationale, what was done, tokens and
 * cost so far, and exactly how to resume (`claude --resume <session>`, `sat status`,
 * `sat handoff`). It fits in `maxTokens` estimated tokens (default 2,000; see `estimateTokens`),
 * dropping the least important sections first. Written atomically to
 * `<paths.handoffs>/<session>-<timestamp>.md` and `latest-<session>.md`, then recorded as a
 * `handoff` event in the session's log (unless the session has ended).
 *
 * The saving is measured against the session's transcript: its size in bytes through the same
 * estimator (the sum of the API usage is not the transcript's size).
 *
 * @example
 * const { path, tokens, savingPercent } = await createHandoff(config, session);
 * console.log(`${path}: ${tokens} tokens, ${savingPercent}% smaller than the transcript`);
 */
export async function createHandoff(
  config: SatConfig,
  session: string,
  options: CreateHandoffOptions = {},
): Promise<HandoffResult> {
  const maxTokens = options.maxTokens ?? config.handoff.maxTokens;
  if (!Number.isInteger(maxTokens) || maxTokens < 100)
    throw new SatError('USAGE', `[core] maxTokens must be a whole number >= 100, got ${maxTokens}`);
  const trigger = options.trigger ?? 'manual';
  const now = options.now ?? new Date();
  const loaded = await loadSessionState(config, session, options);
  const { state } = loaded;
  if (state.lastSeq === 0)
    throw new SatError('SESSION_NOT_FOUND', `[core] session ${session} has no events to summarize`, {
      details: { session },
    });
  const warnings = [...loaded.warnings];
  const snapshots = listSnapshots(config, session, { onIssue: (issue) => warnings.push(issue.message) });
  const transcript = sessionTranscriptTokens(config, state);
  const latestPath = latestHandoffPath(config, session);
  const sharedBy = sessionOwner(config.paths.logs, session);
  const saving = (tokens: number) =>
    transcript.tokens > 0 ? Math.round((1 - tokens / transcript.tokens) * 1000) / 10 : 0;
  const rendered = renderHandoff(
    {
      state,
      summary: summarizeSessionState(state, config.prices),
      ...(snapshots.length ? { latestSnapshot: snapshots[snapshots.length - 1]! } : {}),
      latestPath,
      createdAt: now.toISOString(),
      trigger,
      ...(sharedBy ? { sharedBy } : {}),
    },
    maxTokens,
    (tokens) =>
      `_~${tokens.toLocaleString('en-US')} tokens, against ~${transcript.tokens.toLocaleString('en-US')} for the ${transcript.source === 'transcript' ? 'transcript' : 'event log'} (${relative(saving(tokens))}). Written by sat (SubAgent Tracking System)._`,
  );
  mkdirSync(config.paths.handoffs, { recursive: true });
  const path = join(config.paths.handoffs, `${session}-${stamp(now)}.md`);
  writeFileAtomic(path, rendered.markdown);
  writeFileAtomic(latestPath, rendered.markdown);
  const event =
    options.writeEvent === false
      ? { skipped: 'not asked for' }
      : await appendLifecycleEvent(config, session, state.ended, 'handoff', {
          path,
          trigger,
          tokens: rendered.tokens,
        });
  const result: HandoffResult = {
    path,
    latestPath,
    tokens: rendered.tokens,
    transcriptTokens: transcript.tokens,
    transcriptSource: transcript.source,
    savingPercent: saving(rendered.tokens),
    markdown: rendered.markdown,
    sections: rendered.included,
    dropped: rendered.dropped,
    event,
    warnings,
  };
  if (transcript.file) result.transcriptFile = transcript.file;
  return result;
}

/**
 * The path of the newest handoff in `handoffsDir` (the most recently written
 * `latest-<session>.md`), or undefined when there is none. `excludeSession` skips that session's own.
 */
export function newestHandoffFile(
  handoffsDir: string,
  options: { excludeSession?: string } = {},
): string | undefined {
  if (!existsSync(handoffsDir)) return undefined;
  let newest: { file: string; mtime: number } | undefined;
  for (const name of readdirSync(handoffsDir)) {
    if (!name.startsWith('latest-') || !name.endsWith('.md')) continue;
    if (!isValidSessionId(name.slice('latest-'.length, -'.md'.length))) continue;
    if (options.excludeSession && name === `latest-${options.excludeSession}.md`) continue;
    const file = join(handoffsDir, name);
    try {
      const mtime = statSync(file).mtimeMs;
      if (!newest || mtime > newest.mtime || (mtime === newest.mtime && file > newest.file))
        newest = { file, mtime };
    } catch {}
  }
  return newest?.file;
}

/** The handoff a resumed session is given (see {@link handoffToResume}). */
export interface ResumeHandoff {
  /** `<handoffsDir>/latest-<session>.md` */
  file: string;
  /** The session it is the handoff of. */
  session: string;
  /** When it was written (its modification time). */
  writtenAt: Date;
}

/**
 * The handoff to give a session that resumes (or restarts after compaction or /clear): the
 * session's own `latest-<session>.md`; only when the session has none (no valid id, or no
 * handoff of its own) the project's newest. Never any other file of `handoffsDir`.
 *
 * @example
 * const handoff = handoffToResume(config.paths.handoffs, payload.session_id);
 * if (handoff) print(`[sat] handoff ${handoff.file} of session ${handoff.session}`);
 */
export function handoffToResume(handoffsDir: string, session?: unknown): ResumeHandoff | undefined {
  const own = isValidSessionId(session) ? join(handoffsDir, `latest-${session}.md`) : undefined;
  const file = own && existsSync(own) ? own : newestHandoffFile(handoffsDir);
  if (!file) return undefined;
  const stats = statSync(file, { throwIfNoEntry: false });
  if (!stats?.isFile()) return undefined;
  const name = file.slice(handoffsDir.length + 1);
  return { file, session: name.slice('latest-'.length, -'.md'.length), writtenAt: stats.mtime };
}

/**
 * The newest handoff of the project (the most recently written `latest-<session>.md` in
 * `paths.handoffs`), as Markdown, or undefined when there is none. For a SessionStart hook that
 * gives a new session the summary of the last one. `excludeSession` skips that session's own.
 *
 * @example
 * const markdown = latestHandoffForProject(config);
 * if (markdown) process.stdout.write(markdown);
 */
export function latestHandoffForProject(
  config: SatConfig,
  options: { excludeSession?: string } = {},
): string | undefined {
  const file = newestHandoffFile(config.paths.handoffs, options);
  if (!file) return undefined;
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Writes a handoff when one is due ({@link handoffTrigger}: a compaction was announced, or the
 * main agent's context reached `config.handoff.contextFillPercent`), else does nothing. Meant for
 * the hook ingester, after it appended a session's events.
 *
 * @example
 * const { trigger, created } = await handoffIfDue(config, session);
 */
export async function handoffIfDue(
  config: SatConfig,
  session: string,
  options: Omit<CreateHandoffOptions, 'trigger'> = {},
): Promise<{ trigger?: HandoffTrigger; created?: HandoffResult }> {
  const { state } = await loadSessionState(config, session, options);
  const trigger = handoffTrigger(state, config);
  if (!trigger) return {};
  return { trigger, created: await createHandoff(config, session, { ...options, trigger }) };
}
