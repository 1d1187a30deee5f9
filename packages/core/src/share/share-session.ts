import { once } from 'node:events';
import { chmodSync, createWriteStream, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { SHARED_MANIFEST_FORMAT, type SharedBy } from '../backup/backup-manifest.js';
import { writeBundle } from '../backup/bundle-writer.js';
import { readSessionPhase } from '../backup/session-phase.js';
import { workFolderName } from '../backup/work-leftovers.js';
import type { SatConfig } from '../config/config-schema.js';
import { SatError } from '../errors.js';
import { assertSessionId } from '../ids.js';
import { type ReadIssue, readSessionEvents } from '../log/event-reader.js';
import { sessionLogFiles } from '../log/log-files.js';
import { sessionInfo } from '../log/sessions.js';
import { openBundleFile } from './bundle-file.js';
import { redactPrompts } from './redact-prompts.js';

/** Options of {@link shareSession}. */
export interface ShareOptions {
  /** The bundle file to write. Default `./<session>.sat.tgz`. */
  out?: string;
  /** Drop the text of prompts and responses (see `redactPrompts`). Default false. */
  redactPrompts?: boolean;
  /** The sharing time recorded in the manifest. Default now. */
  now?: Date;
  /** Told about bad lines of the log (they are left out of the bundle). */
  onIssue?: (issue: ReadIssue) => void;
}

/** What {@link shareSession} wrote. */
export interface ShareResult {
  session: string;
  /** The bundle file (absolute). */
  file: string;
  /** The bundle's id (its manifest's SHA-256). */
  id: string;
  bytes: number;
  sha256: string;
  events: number;
  shared: SharedBy;
}

/** Writes the session's events (optionally without their prompt text) as a plain log in `workDir`. */
async function writeSharedLog(
  config: SatConfig,
  session: string,
  file: string,
  options: ShareOptions,
): Promise<{ events: number; lastSeq: number }> {
  const out = createWriteStream(file, { mode: 0o600 });
  let events = 0;
  let lastSeq = 0;
  const read = options.onIssue ? { quarantine: false, onIssue: options.onIssue } : { quarantine: false };
  try {
    for await (const event of readSessionEvents(config.paths.logs, session, read)) {
      const shared = options.redactPrompts ? redactPrompts(event) : event;
      if (!out.write(`${JSON.stringify(shared)}\n`)) await once(out, 'drain');
      events++;
      lastSeq = Math.max(lastSeq, event.seq);
    }
  } finally {
    out.end();
    await once(out, 'close');
  }
  return { events, lastSeq };
}

/**
 * Writes a session's bundle for someone else: the backup format (a tar.gz ending with its
 * manifest, every file's size and SHA-256 listed) holding only the session's log, its manifest of
 * format `sat-backup/2` naming the sharer (`config.identity`) and the time. Secrets were redacted
 * at ingest; `redactPrompts` also drops prompt and response text. The bundle is written beside
 * `out`, read back and checked like an import would, and only then renamed to `out` (mode 0600).
 * Throws `SESSION_NOT_FOUND` for an unknown session.
 *
 * @example
 * const { file, id } = await shareSession(config, 'b1f2', { redactPrompts: true });
 */
export async function shareSession(
  config: SatConfig,
  session: string,
  options: ShareOptions = {},
): Promise<ShareResult> {
  assertSessionId(session);
  if (!sessionInfo(config.paths.logs, session))
    throw new SatError(
      'SESSION_NOT_FOUND',
      `[core] no log for session ${session} in ${config.paths.logs} (see 'sat sessions')`,
      { details: { session } },
    );
  const file = resolve(options.out ?? `${session}.sat.tgz`);
  const workDir = join(config.paths.state, '.backup-work', workFolderName());
  mkdirSync(workDir, { recursive: true, mode: 0o700 });
  const partial = join(dirname(file), `.${session}.sat.tgz.${workFolderName()}.part`);
  try {
    const log = join(workDir, `${session}.jsonl`);
    const { events, lastSeq } = await writeSharedLog(config, session, log, options);
    const shared: SharedBy = {
      user: config.identity.user,
      machine: config.identity.machine,
      at: (options.now ?? new Date()).toISOString(),
      redactPrompts: options.redactPrompts === true,
    };
    const phase = await readSessionPhase(sessionLogFiles(config.paths.logs, session));
    const path = `logs/${session}.jsonl`;
    await writeBundle(
      [{ path, kind: 'log', file: log }],
      {
        session,
        phase,
        log: { file: path, closed: false, sha256: '', bytes: 0, lastSeq },
        warnings: [],
        shared,
      },
      partial,
      { format: SHARED_MANIFEST_FORMAT },
    );
    const checked = await openBundleFile(config, partial, join(workDir, 'check'));
    chmodSync(partial, 0o600);
    renameSync(partial, file);
    return { session, file, id: checked.id, bytes: checked.bytes, sha256: checked.sha256, events, shared };
  } finally {
    rmSync(partial, { force: true });
    rmSync(workDir, { recursive: true, force: true });
  }
}
