import { randomBytes } from 'node:crypto';
import { type AnySatEvent, createLiveWatch, type IngestHookResult, type LiveBatch } from '@sat/core';

/** One Server-Sent Events message: `event` (a new event), `session` (seen or closed), `alert` or `issue`. */
export interface StreamMessage {
  /**
   * `<runId>-<n>`: the server run, then a number increasing within it; the `id:` a client sends
   * back as `Last-Event-ID`.
   */
  id: string;
  type: 'event' | 'session' | 'alert' | 'issue';
  data: unknown;
}

/** Options of {@link createLiveStream}. */
export interface LiveStreamOptions {
  logsDir: string;
  /** What each tick runs on the spool, as in `createLiveWatch` (the CLI passes `ingestCapture`). */
  ingest?: boolean | (() => Promise<IngestHookResult>);
  /** How many recent messages are kept for `Last-Event-ID` replays. Default 10 000. */
  keep?: number;
  /** The live watcher's polling fallback. Default 250 ms. */
  pollMs?: number;
  /** The id of this server run, the first part of every message id. Default: random (letters and digits). */
  runId?: string;
}

/**
 * What a client missed after its `Last-Event-ID` (see {@link LiveStream.since}): the kept messages
 * after it, or, when they cannot be told (another server run, older than what is kept), `reset`
 * with why: the client refetches its state, then takes the new messages.
 */
export interface Replay {
  messages: StreamMessage[];
  reset?: { reason: string; id: string };
}

/** A running live stream (see {@link createLiveStream}). */
export interface LiveStream {
  /** This server run's id (`<runId>-<n>` are its message ids). */
  readonly runId: string;
  /** The kept messages after `lastId` (all kept ones when undefined), or a reset (see {@link Replay}). */
  since(lastId: string | undefined): Replay;
  /** Calls `listener` with every new message; returns the unsubscribe function. */
  subscribe(listener: (message: StreamMessage) => void): () => void;
  /** Stops watching the logs and drops every subscriber. */
  close(): void;
}

function toMessages(batch: LiveBatch, known: Set<string>): Omit<StreamMessage, 'id'>[] {
  const out: Omit<StreamMessage, 'id'>[] = [];
  for (const event of batch.events as AnySatEvent[]) {
    if (!known.has(event.session)) {
      known.add(event.session);
      out.push({ type: 'session', data: { session: event.session, change: 'seen' } });
    }
    out.push({ type: 'event', data: event });
    if (event.type === 'alert') out.push({ type: 'alert', data: event });
    if (event.type === 'session_end')
      out.push({ type: 'session', data: { session: event.session, change: 'ended' } });
  }
  for (const session of batch.closed) out.push({ type: 'session', data: { session, change: 'closed' } });
  for (const issue of batch.issues) out.push({ type: 'issue', data: issue });
  return out;
}

/**
 * What was missed after `lastId`, given the kept messages (numbered `first`, `first + 1`, ...)
 * and the last number given out (`last`).
 */
function replay(
  runId: string,
  kept: readonly StreamMessage[],
  last: number,
  lastId: string | undefined,
): Replay {
  if (lastId === undefined) return { messages: [...kept] };
  const current = `${runId}-${last}`;
  const match = /^(.+)-(\d+)$/.exec(lastId);
  if (!match || match[1] !== runId)
    return {
      messages: [],
      reset: {
        reason: `Last-Event-ID ${lastId} is not of this server run (${runId}): the server restarted; refetch the state`,
        id: current,
      },
    };
  const n = Number(match[2]);
  const first = last - kept.length + 1;
  if (n > last || n < first - 1)
    return {
      messages: [],
      reset: {
        reason:
          n > last
            ? `Last-Event-ID ${lastId} is ahead of this server run's last message (${current}); refetch the state`
            : `the messages after ${lastId} are no longer kept (the oldest kept is ${runId}-${first}); refetch the state`,
        id: current,
      },
    };
  return { messages: kept.slice(n - first + 1) };
}

/**
 * Watches the spool and the logs with core's `createLiveWatch` and turns what ingest sees into
 * stream messages numbered `<runId>-<n>`, kept for replays. The events already in the logs when it
 * starts are read once as the baseline and not sent.
 *
 * @example
 * const live = await createLiveStream({ logsDir, ingest: () => ingestCapture(config) });
 * live.subscribe((m) => console.log(m.id, m.type));
 */
export async function createLiveStream(options: LiveStreamOptions): Promise<LiveStream> {
  const keep = options.keep ?? 10_000;
  const runId = options.runId ?? newRunId();
  const kept: StreamMessage[] = [];
  const listeners = new Set<(message: StreamMessage) => void>();
  const known = new Set<string>();
  let last = 0;
  let baseline = true;
  const watch = createLiveWatch({
    logsDir: options.logsDir,
    ingest: options.ingest ?? true,
    pollMs: options.pollMs ?? 250,
    onBatch: (batch) => {
      if (baseline) {
        for (const event of batch.events) known.add(event.session);
        return;
      }
      for (const partial of toMessages(batch, known)) {
        const message = { ...partial, id: `${runId}-${++last}` };
        kept.push(message);
        if (kept.length > keep) kept.shift();
        for (const listener of listeners) listener(message);
      }
    },
  });
  await watch.tick();
  baseline = false;
  watch.start();
  return {
    runId,
    since: (lastId) => replay(runId, kept, last, lastId),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: () => watch.close(),
  };
}

/** A run id: the start time and 4 random bytes, base 36 (no `-`, so `<runId>-<n>` splits at the last one). */
function newRunId(): string {
  return `${Date.now().toString(36)}${randomBytes(4).readUInt32BE(0).toString(36)}`;
}
