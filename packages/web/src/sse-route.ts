import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { LiveStream, StreamMessage } from './live-stream.js';

/** How often an idle stream sends a `: heartbeat` comment. */
export const HEARTBEAT_MS = 15_000;

function lastEventId(c: Context): string | undefined {
  const text = c.req.header('last-event-id') ?? c.req.query('lastEventId');
  return text === undefined || text.trim() === '' ? undefined : text.trim();
}

/**
 * `GET /api/stream`: Server-Sent Events of the live stream; a `Last-Event-ID` header (or
 * `?lastEventId=`) first resends the kept messages after it, or, when it is of another server run
 * or older than what is kept, sends `event: reset` (data: `{ reason }`, id: the run's latest) so
 * the client refetches its state; then the new messages.
 *
 * @example
 * app.get('/api/stream', (c) => streamRoute(c, live, 15_000));
 */
export function streamRoute(c: Context, live: LiveStream, heartbeatMs = HEARTBEAT_MS): Response {
  return streamSSE(c, async (stream) => {
    const queue: StreamMessage[] = [];
    let wake: (() => void) | undefined;
    const push = (message: StreamMessage) => {
      queue.push(message);
      wake?.();
    };
    const unsubscribe = live.subscribe(push);
    const from = lastEventId(c);
    const missed = from === undefined ? undefined : live.since(from);
    let open = true;
    stream.onAbort(() => {
      open = false;
      wake?.();
    });
    const beat = setInterval(() => void stream.write(': heartbeat\n\n'), heartbeatMs);
    try {
      await stream.write(': connected\n\n');
      if (missed?.reset)
        await stream.writeSSE({
          id: missed.reset.id,
          event: 'reset',
          data: JSON.stringify({ reason: missed.reset.reason }),
        });
      queue.unshift(...(missed?.messages ?? []));
      while (open) {
        const message = queue.shift();
        if (message) {
          await stream.writeSSE({
            id: message.id,
            event: message.type,
            data: JSON.stringify(message.data),
          });
          continue;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    } finally {
      clearInterval(beat);
      unsubscribe();
    }
  });
}
