import { LogsVersion, logsFingerprint } from '@sat/core';
import type { CliStore } from './analytics.js';
import { openStore } from './analytics.js';
import type { CliContext } from './context.js';

/** The analytics store of a long-lived command (see {@link liveStore}). */
export interface LiveStore {
  /** The store, open, with everything the logs hold now ingested. */
  current(): Promise<CliStore>;
  /**
   * The answer of a query on the current store, reused until the next ingest: `key` must name
   * everything the answer depends on besides the store's content (the query, its filters, the day).
   */
  answer<T>(key: string, query: (store: CliStore) => Promise<T>): Promise<T>;
  /** Closes the store (a later `current()` opens it again). */
  close(): Promise<void>;
}

const MAX_ANSWERS = 200;

/**
 * Keeps the analytics store open for a server's life and brings it up to date with the logs
 * (`ingestLog`) only when they changed since the last ingest: a {@link LogsVersion} equal to the
 * last one means nothing changed, else one stat per log (`logsFingerprint`), taken before the
 * ingest, so a line appended meanwhile is ingested next time. Query answers are kept until the
 * next ingest. Concurrent callers share one open and one ingest; a failed ingest is tried again
 * on the next call.
 *
 * @example
 * const store = liveStore(ctx);
 * const cost = await (await store.current()).costAnalysis({ days: 'all' });
 * await store.close();
 */
export function liveStore(ctx: CliContext): LiveStore {
  let opened: Promise<CliStore> | undefined;
  let ingested: { print: string; version: string | undefined } | undefined;
  let ingesting: { print: string; done: Promise<void> } | undefined;
  let generation = 0;
  const answers = new Map<string, Promise<unknown>>();
  let version: LogsVersion | undefined;
  const ingest = (store: CliStore, print: string, seen: string | undefined): Promise<void> => {
    if (ingesting?.print === print) return ingesting.done;
    generation++;
    answers.clear();
    const done = store.ingestLog().then(() => {
      ingested = { print, version: seen };
    });
    const current = { print, done };
    ingesting = current;
    const clear = () => {
      if (ingesting === current) ingesting = undefined;
    };
    done.then(clear, clear);
    return done;
  };
  const open = (): Promise<CliStore> => {
    if (!opened) {
      const opening = openStore(ctx);
      opened = opening;
      opening.catch(() => {
        if (opened === opening) opened = undefined;
      });
    }
    return opened;
  };
  const current = async (): Promise<CliStore> => {
    const store = await open();
    const logsDir = ctx.config().paths.logs;
    version ??= new LogsVersion(logsDir);
    const seen = version.current();
    if (seen !== undefined && ingested?.version === seen && !ingesting) return store;
    const print = logsFingerprint(logsDir);
    if (print !== ingested?.print || ingesting) await ingest(store, print, seen);
    else ingested = { print, version: seen };
    return store;
  };
  return {
    current,
    async answer<T>(key: string, query: (store: CliStore) => Promise<T>): Promise<T> {
      const store = await current();
      const kept = answers.get(key);
      if (kept) return kept as Promise<T>;
      const started = generation;
      const value = query(store);
      if (answers.size >= MAX_ANSWERS) answers.clear();
      answers.set(key, value);
      const forget = () => {
        if (answers.get(key) === value) answers.delete(key);
      };
      value.then(() => {
        if (started !== generation) forget();
      }, forget);
      return value;
    },
    async close() {
      const store = opened;
      opened = undefined;
      ingested = undefined;
      answers.clear();
      generation++;
      if (store) await (await store.catch(() => undefined))?.close();
    },
  };
}
