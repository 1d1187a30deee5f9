/** A cache of JSON answers (see {@link createResponseCache}). */
export interface ResponseCache {
  /** The cached answer of `key`, or the one `compute` gives (kept when it resolves). */
  get(key: string, compute: () => Promise<unknown>): Promise<unknown>;
  /** Drops every answer (the live stream saw a change). */
  clear(): void;
}

/**
 * Keeps each API answer for at most `ttlMs` (0: nothing is kept), and drops them all on
 * `clear()`, which the server calls whenever the live stream sees a new event or session: what
 * ingest writes shows at once, and what changes with time alone (a session turning idle) or in
 * files the stream does not watch (a backup target) shows within `ttlMs`. Failures are not kept.
 *
 * @example
 * const cache = createResponseCache(2000);
 * await cache.get('/api/sessions', () => api.sessions());
 */
export function createResponseCache(ttlMs: number, now: () => number = Date.now): ResponseCache {
  const entries = new Map<string, { at: number; value: Promise<unknown> }>();
  let generation = 0;
  return {
    get(key, compute) {
      if (ttlMs <= 0) return compute();
      const hit = entries.get(key);
      if (hit && now() - hit.at < ttlMs) return hit.value;
      const started = generation;
      const value = compute();
      entries.set(key, { at: now(), value });
      value.catch(() => {
        if (entries.get(key)?.value === value) entries.delete(key);
      });
      void value.then(
        () => {
          if (started !== generation) entries.delete(key);
        },
        () => undefined,
      );
      return value;
    },
    clear() {
      generation++;
      entries.clear();
    },
  };
}
