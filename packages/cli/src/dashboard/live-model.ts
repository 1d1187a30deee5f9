import {
  type AnySatEvent,
  emptySessionState,
  type LiveBatch,
  type LiveIssue,
  newTokensOf,
  type PendingToolCall,
  reduceSession,
  type SessionState,
} from '@sat/core';

/** How much of each session's recent history the dashboard keeps. */
export const LIVE_LIMITS = Object.freeze({ recentEvents: 200, latencies: 60, minutes: 30, issues: 50 });

/** One session as the dashboard knows it: its reduced state and its recent history. */
export interface LiveSession {
  state: SessionState;
  /** The latest events, oldest first (at most {@link LIVE_LIMITS}.recentEvents). */
  recent: AnySatEvent[];
  /** New tokens (core's `newTokensOf`) gained per minute, keyed by epoch minute. */
  tokensPerMinute: Map<number, number>;
  /** Durations of the latest tool calls, oldest first. */
  latencies: number[];
  /** When the dashboard first saw an event of it (epoch ms). */
  firstSeenAt: number;
  closed: boolean;
}

/** Everything the dashboard has gathered from the live watcher. */
export interface LiveModel {
  sessions: Map<string, LiveSession>;
  inFlight: PendingToolCall[];
  /** The latest problems reported (bad spool files, malformed log lines), newest last. */
  issues: LiveIssue[];
  /** All problems reported since the start. */
  issueCount: number;
  /** When the latest batch was applied (epoch ms). */
  updatedAt: number;
}

/** An empty {@link LiveModel}. */
export function emptyLiveModel(): LiveModel {
  return { sessions: new Map(), inFlight: [], issues: [], issueCount: 0, updatedAt: 0 };
}

function sessionOf(model: LiveModel, id: string, now: number): LiveSession {
  let live = model.sessions.get(id);
  if (!live) {
    live = {
      state: emptySessionState(id),
      recent: [],
      tokensPerMinute: new Map(),
      latencies: [],
      firstSeenAt: now,
      closed: false,
    };
    model.sessions.set(id, live);
  }
  return live;
}

function applyEvent(live: LiveSession, event: AnySatEvent): void {
  const before = newTokensOf(live.state);
  live.state = reduceSession(live.state, event);
  const gained = newTokensOf(live.state) - before;
  if (gained > 0) {
    const minute = Math.floor(Date.parse(event.ts) / 60_000);
    live.tokensPerMinute.set(minute, (live.tokensPerMinute.get(minute) ?? 0) + gained);
    for (const key of live.tokensPerMinute.keys())
      if (key < minute - LIVE_LIMITS.minutes) live.tokensPerMinute.delete(key);
  }
  if (event.type === 'tool_usage' && event.data.duration_ms !== undefined) {
    live.latencies.push(event.data.duration_ms);
    if (live.latencies.length > LIVE_LIMITS.latencies) live.latencies.shift();
  }
  live.recent.push(event);
  if (live.recent.length > LIVE_LIMITS.recentEvents) live.recent.shift();
}

/**
 * Folds one batch of the live watcher into the model: each event through core's session
 * reducer (so every figure is the one `sat status` shows), the calls in flight, the problems.
 *
 * @example
 * const model = emptyLiveModel();
 * applyLiveBatch(model, await watch.tick(), Date.now());
 */
export function applyLiveBatch(model: LiveModel, batch: LiveBatch, now: number): LiveModel {
  for (const event of batch.events) applyEvent(sessionOf(model, event.session, now), event);
  for (const id of batch.closed) {
    const live = model.sessions.get(id);
    if (live) live.closed = true;
  }
  model.inFlight = batch.inFlight;
  model.issueCount += batch.issues.length;
  model.issues.push(...batch.issues);
  if (model.issues.length > LIVE_LIMITS.issues)
    model.issues.splice(0, model.issues.length - LIVE_LIMITS.issues);
  model.updatedAt = now;
  return model;
}
