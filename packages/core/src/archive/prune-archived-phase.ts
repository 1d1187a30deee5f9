import { createReadStream, existsSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { localPathOf } from '../backup/backup-layout.js';
import type { BackupManifest } from '../backup/backup-manifest.js';
import { listBackups } from '../backup/list-backups.js';
import { readBackupManifest } from '../backup/read-manifest.js';
import type { SatConfig } from '../config/config-schema.js';
import { SatError } from '../errors.js';
import { readBackupMarker, writeBackupMarker } from '../log/backup-marker.js';
import { sessionLogFiles } from '../log/log-files.js';
import { checksumOf } from '../storage/checksum-stream.js';
import type { StorageTarget } from '../storage/storage-target.js';
import { readArchiveManifestIfAny } from './archive-io.js';
import { archiveKeys } from './archive-layout.js';
import type { ArchivedSession } from './archive-manifest.js';

/** Options of {@link pruneArchivedPhase}. */
export interface PruneArchivedPhaseOptions {
  /** Remove the phase's session backups from this target (Drive, the local backup folder) when the archive covers them. */
  backupTarget?: StorageTarget;
  /** Remove the sessions' local files (log, metadata, raw payloads, snapshots, handoffs) whose bytes the archive holds. */
  removeLocal: boolean;
  /** Only report what would be removed. Default false. */
  dryRun?: boolean;
}

/** What {@link pruneArchivedPhase} removed (or, with `dryRun`, would remove) and kept. */
export interface PruneArchivedPhaseResult {
  phase: string;
  archiveKey: string;
  dryRun: boolean;
  removedBackups: Array<{ session: string; bundleKey: string; bytes: number }>;
  keptBackups: Array<{ session: string; bundleKey: string; reason: string }>;
  removedLocal: Array<{ session: string; files: string[]; bytes: number }>;
  keptLocal: Array<{ session: string; file: string; reason: string }>;
}

/** Whether every file of a backup is in the archived bundle (its log may be an earlier, open state of the archived one). */
function backupCovered(archived: ArchivedSession, backup: BackupManifest): string | undefined {
  if (backup.bundle?.sha256 === archived.bundle.sha256) return undefined;
  const inArchive = new Map(archived.files.map((f) => [f.path, f.sha256]));
  for (const file of backup.files) {
    if (file.kind === 'database') continue; // archives leave the database out: the log rebuilds it
    if (file.kind === 'log' || file.kind === 'log-meta') continue; // checked below, by the log's content
    if (inArchive.get(file.path) !== file.sha256) return `${file.path} differs from the archived copy`;
  }
  const log = backup.log;
  if (
    log.closed
      ? log.sha256 !== archived.log.sha256
      : !archived.log.closed || log.lastSeq > archived.log.lastSeq
  )
    return 'its log is not the archived one';
  return undefined;
}

function removeEmptyFolders(dir: string, stop: string): void {
  for (let folder = dir; folder.startsWith(stop) && folder !== stop; folder = dirname(folder)) {
    try {
      if (readdirSync(folder).length > 0) return;
      rmdirSync(folder);
    } catch {
      return;
    }
  }
}

/**
 * Removes the copies a verified phase archive makes redundant, never the only copy: first the
 * archive on `target` is checked (it and its manifest exist, its size and SHA-256 are the
 * manifest's); then, for each archived session, its backups on `options.backupTarget` whose
 * every file is in the archive, and (with `removeLocal`) each local file whose bytes are the
 * archived bytes (SHA-256 compared file by file; the analytics database is never removed). A
 * local file that differs is kept and reported. The session's marker stays and names the
 * archive, so `sat archive restore` brings the session back.
 *
 * @example
 * const { removedLocal } = await pruneArchivedPhase(config, s3Target, 1, { backupTarget, removeLocal: true });
 */
export async function pruneArchivedPhase(
  config: SatConfig,
  target: StorageTarget,
  phase: string | number,
  options: PruneArchivedPhaseOptions,
): Promise<PruneArchivedPhaseResult> {
  const phaseText = String(phase).trim();
  const { archiveKey, manifestKey } = archiveKeys(phaseText);
  const manifest = await readArchiveManifestIfAny(target, manifestKey);
  const stored = await target.stat(archiveKey);
  if (!manifest?.archive || !stored) {
    throw new SatError(
      'NOT_FOUND',
      `[core] phase ${phaseText} has no complete archive on ${target.location}: nothing was removed (run 'sat archive phase ${phaseText}' first)`,
      { details: { phase: phaseText } },
    );
  }
  if (stored.size !== manifest.archive.bytes || stored.checksum.sha256 !== manifest.archive.sha256) {
    throw new SatError(
      'CHECKSUM_MISMATCH',
      `[core] the archive of phase ${phaseText} on ${target.location} does not match its manifest (${stored.size} bytes, expected ${manifest.archive.bytes}): nothing was removed (archive the phase again)`,
      { details: { phase: phaseText } },
    );
  }
  const result: PruneArchivedPhaseResult = {
    phase: phaseText,
    archiveKey,
    dryRun: options.dryRun === true,
    removedBackups: [],
    keptBackups: [],
    removedLocal: [],
    keptLocal: [],
  };
  const archived = new Map(manifest.sessions.map((s) => [s.session, s]));

  if (options.backupTarget) {
    const backup = options.backupTarget;
    for (const listing of await listBackups(backup)) {
      const s = archived.get(listing.session);
      if (!s || !listing.complete) continue;
      const backupManifest = await readBackupManifest(backup, listing.manifestKey);
      const why = backupCovered(s, backupManifest);
      if (why) {
        result.keptBackups.push({ session: s.session, bundleKey: listing.bundleKey, reason: why });
        continue;
      }
      if (!options.dryRun) {
        await backup.delete(listing.bundleKey);
        await backup.delete(listing.manifestKey);
      }
      result.removedBackups.push({ session: s.session, bundleKey: listing.bundleKey, bytes: listing.bytes });
    }
  }

  for (const s of manifest.sessions) {
    const logFiles = sessionLogFiles(config.paths.logs, s.session);
    const marker = readBackupMarker(logFiles);
    // The marker's top-level place was a backup that is gone now: it names the archive instead.
    if (
      !options.dryRun &&
      marker?.archive &&
      result.removedBackups.some((b) => b.session === s.session && b.bundleKey === marker.key)
    ) {
      const { key: _key, manifestKey: _manifestKey, ...rest } = marker;
      writeBackupMarker(logFiles, {
        ...rest,
        target: marker.archive.target,
        location: marker.archive.location,
        checksum: marker.archive.sha256,
        bytes: marker.archive.bytes,
      });
    }
    if (!options.removeLocal) continue;
    const removed: string[] = [];
    let bytes = 0;
    for (const file of s.files) {
      if (file.kind === 'database') continue;
      const local = localPathOf(config, s.session, file.path).file;
      if (!existsSync(local)) continue;
      const { checksum, size } = await checksumOf(createReadStream(local));
      if (checksum.sha256 !== file.sha256) {
        result.keptLocal.push({ session: s.session, file: local, reason: 'differs from the archived copy' });
        continue;
      }
      if (!options.dryRun) {
        rmSync(local, { force: true });
        if (file.kind === 'snapshot')
          removeEmptyFolders(dirname(local), join(config.paths.state, 'snapshots'));
      }
      removed.push(local);
      bytes += size;
    }
    // An open-form log left beside the archived closed one would shadow nothing but is not covered: keep it.
    if (existsSync(logFiles.plain) && !removed.includes(logFiles.plain))
      result.keptLocal.push({
        session: s.session,
        file: logFiles.plain,
        reason: 'an open log the archive does not hold',
      });
    if (removed.length > 0) result.removedLocal.push({ session: s.session, files: removed, bytes });
  }
  return result;
}
