import { type AnySatEvent, createLiveWatch, type IngestHookResult, type LiveBatch } from '@sat/core';

/** One Server-Sent Events message: `event` (a new event), `session` (seen or closed), `alert` or `issue`. */
export interface StreamMessage {
  /** Increasing within one server run; the `id:` a client sends back as `Last-Event-ID`. */
  id: number;
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
}

/** A running live stream (see {@link createLiveStream}). */
export interface LiveStream {
  /** The kept messages after `lastId` (all kept ones when undefined). */
  since(lastId: number | undefined): StreamMessage[];
  /** Calls `listener` with every new message; returns the unsubscribe function. */
  subscribe(listener: (message: StreamMessage) => void): () => void;
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
 * Watches the spool and the logs with core's `createLiveWatch` and turns what ingest sees into
 * numbered stream messages, kept for replays. The events already in the logs when it starts are
 * read once as the baseline and not sent.
 *
 * @example
 * const live = await createLiveStream({ logsDir, ingest: () => ingestCapture(config) });
 * live.subscribe((m) => console.log(m.type));
 */
export async function createLiveStream(options: LiveStreamOptions): Promise<LiveStream> {
  const keep = options.keep ?? 10_000;
  const kept: StreamMessage[] = [];
  const listeners = new Set<(message: StreamMessage) => void>();
  const known = new Set<string>();
  let next = 1;
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
        const message = { ...partial, id: next++ };
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
    since: (lastId) => (lastId === undefined ? [...kept] : kept.filter((m) => m.id > lastId)),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: () => watch.close(),
  };
}
