import { existsSync } from 'node:fs';
import type { SatConfig } from '../config/config-schema.js';
import type { EventPayloads } from '../events/payloads.js';
import { EventWriter } from '../log/event-writer.js';
import { sessionLogFiles } from '../log/log-files.js';

/** What became of a lifecycle event (`snapshot`, `handoff`, `alert`) that was to go into the session's log. */
export interface LifecycleEventResult {
  /** The event's id, when it was written. */
  id?: string;
  /** Why it was not written (the session has ended or is closed, or the write failed). */
  skipped?: string;
}

/**
 * Appends a `snapshot`, `handoff` or `alert` event to a session's log, unless the session has ended
 * (nothing may follow its `session_end`) or its log is closed. A failed write is returned as
 * `skipped`, never thrown: the snapshot or handoff itself is already safe on disk (an alert is
 * tried again at the next ingest).
 */
export async function appendLifecycleEvent<T extends 'snapshot' | 'handoff' | 'alert'>(
  config: SatConfig,
  session: string,
  ended: boolean,
  type: T,
  data: EventPayloads[T],
): Promise<LifecycleEventResult> {
  if (ended) return { skipped: 'the session has ended (no event is written after its session_end)' };
  const files = sessionLogFiles(config.paths.logs, session);
  if (existsSync(files.compressed)) return { skipped: 'the session log is closed' };
  if (!existsSync(files.plain)) return { skipped: 'the session has no log' };
  const writer = new EventWriter({ logsDir: config.paths.logs, ...config.writer });
  try {
    const id = writer.append<T>({ type, session, data });
    await writer.flush();
    // The snapshot or handoff is already durable; this event is fsynced only when the config asks
    // for every batch to be (writer.fsync).
    writer.forget(session, { fsync: config.writer.fsync });
    await writer.close();
    return { id };
  } catch (error) {
    try {
      await writer.close();
    } catch {}
    return { skipped: `the ${type} event could not be written: ${(error as Error).message}` };
  }
}
