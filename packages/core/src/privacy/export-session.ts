import type { SatConfig } from '../config/config-schema.js';
import { SatError } from '../errors.js';
import type { AnySatEvent } from '../events/envelope.js';
import { openLogStream, readSessionEvents } from '../log/event-reader.js';
import { sessionLogFiles } from '../log/log-files.js';
import { UsageAccumulator } from '../usage/session-usage.js';
import { exportEntries, type SessionExportDocument } from './export-entries.js';
import { sessionHtml } from './export-html.js';
import { sessionMarkdown } from './export-markdown.js';

/** The formats of {@link exportSession}. */
export const EXPORT_FORMATS = ['jsonl', 'md', 'html'] as const;
/** One of {@link EXPORT_FORMATS}. */
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** What {@link exportSession} wrote. */
export interface ExportResult {
  session: string;
  format: ExportFormat;
  /** Events read (jsonl: not counted, the bytes are copied as stored). */
  events: number;
  bytes: number;
}

/**
 * A session's readable document (its events, entries and usage), for the Markdown and HTML
 * exports. Reads the log without quarantining anything.
 *
 * @example
 * const doc = await sessionExportDocument(config, 'b1f2...');
 */
export async function sessionExportDocument(
  config: Pick<SatConfig, 'paths' | 'prices'>,
  session: string,
): Promise<SessionExportDocument> {
  const events: AnySatEvent[] = [];
  const usage = new UsageAccumulator();
  for await (const event of readSessionEvents(config.paths.logs, session, { quarantine: false })) {
    events.push(event);
    usage.add(event);
  }
  return {
    session,
    ...(events[0] ? { start: events[0].ts } : {}),
    ...(events.length > 0 ? { end: events[events.length - 1]!.ts } : {}),
    events: events.length,
    entries: exportEntries(events),
    usage: usage.result(session, config.prices),
  };
}

/**
 * Writes one whole session out through `write`: `jsonl`, the log's bytes exactly as stored
 * (decompressed when the log is closed); `md`, a readable transcript; `html`, the same as one
 * self-contained page (no script, nothing loaded, every text escaped). Throws
 * `SESSION_NOT_FOUND` when the session has no local log.
 *
 * @example
 * await exportSession(config, 'b1f2...', 'md', (chunk) => process.stdout.write(chunk));
 */
export async function exportSession(
  config: Pick<SatConfig, 'paths' | 'prices'>,
  session: string,
  format: ExportFormat,
  write: (chunk: string | Buffer) => void | Promise<void>,
): Promise<ExportResult> {
  const log = openLogStream(sessionLogFiles(config.paths.logs, session));
  if (!log)
    throw new SatError(
      'SESSION_NOT_FOUND',
      `[core] cannot export session ${session}: it has no log in ${config.paths.logs} (see 'sat sessions'; a backed-up one comes back with 'sat restore')`,
      { details: { session } },
    );
  if (format === 'jsonl') {
    let bytes = 0;
    try {
      for await (const chunk of log.source) {
        bytes += chunk.length;
        await write(chunk);
      }
    } finally {
      log.stream.destroy();
    }
    return { session, format, events: 0, bytes };
  }
  log.stream.destroy();
  const doc = await sessionExportDocument(config, session);
  const text = format === 'md' ? sessionMarkdown(doc) : sessionHtml(doc);
  await write(text);
  return { session, format, events: doc.events, bytes: Buffer.byteLength(text) };
}
