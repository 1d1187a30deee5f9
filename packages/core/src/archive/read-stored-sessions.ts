import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TransferProgress } from '../backup/deliver-backup.js';
import { type BackupListing, listBackups } from '../backup/list-backups.js';
import { restoreSession } from '../backup/restore-session.js';
import type { SatConfig } from '../config/config-schema.js';
import { isSatError } from '../errors.js';
import { listSessionIds } from '../log/event-reader.js';
import type { StorageTarget } from '../storage/storage-target.js';
import { archiveStateOf, readArchiveManifestIfAny, samePhase } from './archive-io.js';
import { type ArchiveListing, listArchives } from './list-archives.js';
import { restoreArchive } from './restore-archive.js';

/** Which stored sessions {@link readStoredSessions} reads: any that matches one of the filters given. */
export interface StoredSessionFilter {
  /** Sessions backed up (or archived) under these phases. */
  phases?: readonly (string | number)[];
  /** Backups and archives written at or after this time (a session is backed up after it starts). */
  since?: Date;
  /** These sessions. */
  sessions?: readonly string[];
}

/** Options of {@link readStoredSessions}. */
export interface ReadStoredSessionsOptions extends StoredSessionFilter {
  /** The backup target (folder, Drive, S3). */
  backupTarget?: StorageTarget;
  /** The phase archive target (S3). */
  archiveTarget?: StorageTarget;
  /** Sessions never to read (those already on this machine). */
  exclude?: ReadonlySet<string>;
  /** Download and check progress, per session (the archive's own as `session: 'phase N'`). */
  onProgress?: (progress: TransferProgress) => void;
}

/** A session read from a backup or an archive. */
export interface StoredSessionRead {
  session: string;
  source: 'backup' | 'archive';
  phase: string;
  /** Where it was read from, for people. */
  location: string;
}

/** A session (or a whole listing or archive, `session: null`) that could not be read, and why. */
export interface StoredSessionUnreadable {
  session: string | null;
  source: 'backup' | 'archive';
  location: string;
  code?: string;
  reason: string;
}

/** What {@link readStoredSessions} read. */
export interface StoredSessions {
  /** A log folder holding the sessions read (inside the work folder given), to digest or ingest. */
  logsDir: string;
  read: StoredSessionRead[];
  unreadable: StoredSessionUnreadable[];
}

/** A configuration whose every folder is inside `workDir`: restoring into it touches nothing of the user's. */
function scratchConfig(config: SatConfig, workDir: string): SatConfig {
  const paths = {
    ...config.paths,
    logs: join(workDir, 'logs'),
    state: join(workDir, 'state'),
    analytics: join(workDir, 'analytics'),
    handoffs: join(workDir, 'handoffs'),
  };
  for (const dir of [paths.logs, paths.state, paths.analytics, paths.handoffs])
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  return { ...config, root: workDir, paths };
}

function wanted(filter: StoredSessionFilter, phase: string, modified: Date, session?: string): boolean {
  if (filter.phases?.some((p) => samePhase(p, phase))) return true;
  if (filter.since && modified.getTime() >= filter.since.getTime()) return true;
  return session !== undefined && filter.sessions?.includes(session) === true;
}

function unreadableOf(
  error: unknown,
  base: Omit<StoredSessionUnreadable, 'reason' | 'code'>,
): StoredSessionUnreadable {
  const code = isSatError(error) ? error.code : undefined;
  return {
    ...base,
    ...(code ? { code } : {}),
    reason: error instanceof Error ? error.message : String(error),
  };
}

/** The newest complete backup of each wanted session that is not excluded. */
function backupsToRead(listing: BackupListing[], options: ReadStoredSessionsOptions): BackupListing[] {
  const seen = new Set<string>();
  const out: BackupListing[] = [];
  for (const backup of listing) {
    if (!backup.complete || seen.has(backup.session) || options.exclude?.has(backup.session)) continue;
    if (!wanted(options, backup.phase.replace(/^Phase_/, ''), backup.modified, backup.session)) continue;
    seen.add(backup.session);
    out.push(backup);
  }
  return out;
}

async function readBackups(
  scratch: SatConfig,
  target: StorageTarget,
  options: ReadStoredSessionsOptions,
  out: StoredSessions,
): Promise<void> {
  let listing: BackupListing[];
  try {
    listing = await listBackups(target);
  } catch (error) {
    out.unreadable.push(unreadableOf(error, { session: null, source: 'backup', location: target.location }));
    return;
  }
  for (const backup of backupsToRead(listing, options)) {
    try {
      const result = await restoreSession(scratch, target, backup.session, {
        database: 'skip',
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      });
      out.read.push({
        session: backup.session,
        source: 'backup',
        phase: result.phase,
        location: result.location,
      });
    } catch (error) {
      out.unreadable.push(
        unreadableOf(error, { session: backup.session, source: 'backup', location: target.location }),
      );
    }
  }
}

function archiveProgress(options: ReadStoredSessionsOptions, phase: string) {
  const report = options.onProgress;
  if (!report) return {};
  return {
    onProgress: (p: { stage: string; session?: string; bytes: number; total: number }) =>
      report({
        stage: p.stage === 'download' ? 'download' : 'extract',
        session: p.session ?? `phase ${phase}`,
        bytes: p.bytes,
        total: p.total,
      }),
  };
}

async function readArchive(
  scratch: SatConfig,
  target: StorageTarget,
  archive: ArchiveListing,
  options: ReadStoredSessionsOptions,
  out: StoredSessions,
): Promise<void> {
  const base = { source: 'archive' as const, location: `${target.location} ${archive.archiveKey}` };
  const state = archive.state?.state ?? (await archiveStateOf(target, archive.archiveKey));
  if (state === 'archived' || state === 'restoring') {
    out.unreadable.push({
      ...base,
      session: null,
      code: 'ARCHIVED',
      reason: `the archive of phase ${archive.phase} is in a cold tier (${state}); run 'sat archive restore ${archive.phase} --wait' first, then review again`,
    });
    return;
  }
  const have = new Set([...(options.exclude ?? []), ...out.read.map((r) => r.session)]);
  const manifest = await readArchiveManifestIfAny(target, archive.manifestKey);
  const sessions = (manifest?.sessions ?? []).map((s) => s.session).filter((s) => !have.has(s));
  if (sessions.length === 0) return;
  const result = await restoreArchive(scratch, target, archive.phase, {
    sessions,
    ...archiveProgress(options, archive.phase),
  });
  for (const restored of result.sessions)
    out.read.push({
      session: restored.session,
      source: 'archive',
      phase: archive.phase,
      location: base.location,
    });
  for (const failed of result.failed)
    out.unreadable.push({
      ...base,
      session: failed.session,
      ...(failed.code ? { code: failed.code } : {}),
      reason: failed.error,
    });
}

async function readArchives(
  scratch: SatConfig,
  target: StorageTarget,
  options: ReadStoredSessionsOptions,
  out: StoredSessions,
): Promise<void> {
  let listing: ArchiveListing[];
  try {
    listing = await listArchives(target);
  } catch (error) {
    out.unreadable.push(unreadableOf(error, { session: null, source: 'archive', location: target.location }));
    return;
  }
  for (const archive of listing) {
    if (!archive.complete || !wanted(options, archive.phase, archive.modified)) continue;
    try {
      await readArchive(scratch, target, archive, options, out);
    } catch (error) {
      out.unreadable.push(
        unreadableOf(error, {
          session: null,
          source: 'archive',
          location: `${target.location} ${archive.archiveKey}`,
        }),
      );
    }
  }
}

/**
 * Reads the sessions that exist only in backups or phase archives, without restoring them into
 * the user's data: each wanted bundle is downloaded, checked against its manifest (SHA-256 of
 * the bundle and of every file, the same checks as a restore) and its log placed in a log folder
 * inside `workDir`; the user's logs, state, handoffs and database are never touched. Archives in a
 * cold tier are not asked back (that costs money and hours): they are reported as unreadable with
 * the command that brings them back. A listing, bundle or archive that fails is reported with its
 * reason and the others are still read. The caller removes `workDir` when done.
 *
 * @example
 * const stored = await readStoredSessions(config, '/tmp/review-1', { backupTarget, phases: ['2'], exclude: local });
 * const digests = await readSessionDigests(stored.logsDir);
 */
export async function readStoredSessions(
  config: SatConfig,
  workDir: string,
  options: ReadStoredSessionsOptions,
): Promise<StoredSessions> {
  const scratch = scratchConfig(config, workDir);
  const out: StoredSessions = { logsDir: scratch.paths.logs, read: [], unreadable: [] };
  if (options.backupTarget) await readBackups(scratch, options.backupTarget, options, out);
  if (options.archiveTarget) await readArchives(scratch, options.archiveTarget, options, out);
  const present = new Set(listSessionIds(out.logsDir));
  out.read = out.read.filter((r) => present.has(r.session));
  return out;
}
