import { logsFingerprint } from '@sat/core';
import type { SqliteStore } from '@sat/store-sqlite';
import { openStore } from './analytics.js';
import type { CliContext } from './context.js';

/** The analytics store of a long-lived command (see {@link liveStore}). */
export interface LiveStore {
  /** The store, open, with everything the logs hold now ingested. */
  current(): Promise<SqliteStore>;
  /** Closes the store (a later `current()` opens it again). */
  close(): Promise<void>;
}

/**
 * Keeps the analytics store open for a server's life and brings it up to date with the logs
 * (`ingestLog`) only when they changed since the last ingest: one stat per log
 * (`logsFingerprint`), taken before the ingest, so a line appended meanwhile is ingested next time.
 * Concurrent callers share one open and one ingest; a failed ingest is tried again on the next call.
 *
 * @example
 * const store = liveStore(ctx);
 * const cost = await (await store.current()).costAnalysis({ days: 'all' });
 * await store.close();
 */
export function liveStore(ctx: CliContext): LiveStore {
  let opened: Promise<SqliteStore> | undefined;
  let ingested: string | undefined;
  let ingesting: { print: string; done: Promise<void> } | undefined;
  const ingest = (store: SqliteStore, print: string): Promise<void> => {
    if (ingesting?.print === print) return ingesting.done;
    const done = store.ingestLog().then(() => {
      ingested = print;
    });
    const current = { print, done };
    ingesting = current;
    const clear = () => {
      if (ingesting === current) ingesting = undefined;
    };
    done.then(clear, clear);
    return done;
  };
  return {
    async current() {
      if (!opened) {
        const opening = openStore(ctx);
        opened = opening;
        opening.catch(() => {
          if (opened === opening) opened = undefined;
        });
      }
      const store = await opened;
      const print = logsFingerprint(ctx.config().paths.logs);
      if (print !== ingested) await ingest(store, print);
      return store;
    },
    async close() {
      const store = opened;
      opened = undefined;
      ingested = undefined;
      if (store) await (await store.catch(() => undefined))?.close();
    },
  };
}
