import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { BUNDLE_NAME, backupPrefix, phaseSegment } from '../backup/backup-layout.js';
import type { BackupManifest } from '../backup/backup-manifest.js';
import { writeSessionBundle } from '../backup/bundle-writer.js';
import { locationOf } from '../backup/deliver-backup.js';
import { listBackups } from '../backup/list-backups.js';
import { readBackupManifest } from '../backup/read-manifest.js';
import { readSessionPhase } from '../backup/session-phase.js';
import { collectSessionSources } from '../backup/session-sources.js';
import { uploadVerified } from '../backup/verified-upload.js';
import type { SatConfig } from '../config/config-schema.js';
import { SatError } from '../errors.js';
import {
  type ArchiveMarker,
  type BackupMarker,
  markerCoversLog,
  readBackupMarker,
  writeBackupMarker,
} from '../log/backup-marker.js';
import { sessionLogFiles } from '../log/log-files.js';
import { listSessions, readSessionMeta } from '../log/sessions.js';
import { ChecksumStream } from '../storage/checksum-stream.js';
import { checksumMismatchError } from '../storage/storage-errors.js';
import type { StorageTarget } from '../storage/storage-target.js';
import { readArchiveManifestIfAny, readBackUnlessArchived, samePhase } from './archive-io.js';
import { type ArchiveKeys, archivedSessionPaths, archiveKeys } from './archive-layout.js';
import { ARCHIVE_FORMAT, type ArchivedSession, type ArchiveManifest } from './archive-manifest.js';
import type { ArchiveState } from './archive-tier.js';
import { type ArchiveEntrySource, writeArchive } from './archive-writer.js';

/** Progress of an archive or restore: stage, session (when one), bytes done and in all. */
export interface ArchiveProgress {
  stage: 'bundle' | 'fetch' | 'pack' | 'upload' | 'verify' | 'download' | 'restore';
  session?: string;
  bytes: number;
  total: number;
}

/** Options of {@link archivePhase}. */
export interface ArchivePhaseOptions {
  /**
   * The backup target (local folder, Drive): sessions of the phase that are no longer in the
   * local logs are taken from their newest complete backup there.
   */
  backupTarget?: StorageTarget;
  /** Read the archive back after upload (skipped when it is already in an archive tier). Default true. */
  readBack?: boolean;
  /** gzip level, 1-9. Default 6. */
  level?: number;
  /** Called as bytes move (bundle, upload, verify, download stages), for a progress bar. */
  onProgress?: (progress: ArchiveProgress) => void;
}

/** One session of {@link ArchivePhaseResult}. */
export interface ArchivedSessionResult {
  session: string;
  /** `local`: bundled now from the local files; `backup`: the bundle taken from the backup target. */
  source: 'local' | 'backup';
  /** Bytes and SHA-256 of its bundle inside the archive. */
  bytes: number;
  sha256: string;
  files: number;
  /** Whether its marker now names the archive (only sessions with a local log have one). */
  marked: boolean;
}

/** What {@link archivePhase} did. */
export interface ArchivePhaseResult {
  phase: string;
  /** `uploaded`: sent and verified; `unchanged`: the target already held an archive of exactly these sessions. */
  status: 'uploaded' | 'unchanged';
  target: string;
  /** Where the archive is, for people. */
  location: string;
  archiveKey: string;
  manifestKey: string;
  bytes: number;
  sha256: string;
  md5: string;
  sessions: ArchivedSessionResult[];
  /** Sessions of the phase left out (still open), with why. */
  skipped: Array<{ session: string; reason: string }>;
  /** How the upload was verified: checksums always; a read-back unless the object is already archived. */
  verified: { checksums: true; readBack: boolean; state: ArchiveState };
  warnings: string[];
}

/** A session bundle ready to go into the archive. */
interface PreparedSession {
  session: string;
  source: 'local' | 'backup';
  bundleFile: string;
  manifest: BackupManifest & { bundle: NonNullable<BackupManifest['bundle']> };
}

function sha256Of(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The sessions of `phase` in the local logs: those to archive, and the open ones left out. */
async function localSessionsOf(
  config: SatConfig,
  phase: string,
): Promise<{ sessions: string[]; open: string[] }> {
  const sessions: string[] = [];
  const open: string[] = [];
  for (const info of await listSessions(config.paths.logs)) {
    const own = await readSessionPhase(sessionLogFiles(config.paths.logs, info.session));
    if (!samePhase(own, phase)) continue;
    if (info.status === 'active') open.push(info.session);
    else sessions.push(info.session);
  }
  return { sessions, open };
}

async function bundleLocal(
  config: SatConfig,
  session: string,
  workDir: string,
  options: ArchivePhaseOptions,
): Promise<PreparedSession> {
  mkdirSync(workDir, { recursive: true });
  // No database copy: one per session would repeat the same file, and the log rebuilds it.
  const found = await collectSessionSources(config, session, { workDir });
  const phase = await readSessionPhase(sessionLogFiles(config.paths.logs, session));
  const bundleFile = join(workDir, BUNDLE_NAME);
  const written = await writeSessionBundle(found, phase, bundleFile, {
    level: options.level,
    onProgress: (bytes, total) => options.onProgress?.({ stage: 'bundle', session, bytes, total }),
  });
  return {
    session,
    source: 'local',
    bundleFile,
    manifest: {
      ...written.manifest,
      bundle: {
        key: `${backupPrefix(phase, session)}${BUNDLE_NAME}`,
        bytes: written.bytes,
        sha256: written.checksum.sha256,
        md5: written.checksum.md5,
      },
    },
  };
}

async function fetchFromBackup(
  target: StorageTarget,
  session: string,
  keys: { bundleKey: string; manifestKey: string },
  workDir: string,
  options: ArchivePhaseOptions,
): Promise<PreparedSession> {
  mkdirSync(workDir, { recursive: true });
  const manifest = await readBackupManifest(target, keys.manifestKey);
  if (manifest.session !== session || !manifest.bundle)
    throw new SatError(
      'INVALID_BUNDLE',
      `[core] ${keys.manifestKey} on ${target.location} is not a manifest of session ${session}`,
    );
  const bundle = manifest.bundle;
  const bundleFile = join(workDir, BUNDLE_NAME);
  const digest = new ChecksumStream({
    onProgress: (bytes) => options.onProgress?.({ stage: 'fetch', session, bytes, total: bundle.bytes }),
  });
  await pipeline(await target.get(keys.bundleKey), digest, createWriteStream(bundleFile, { mode: 0o600 }));
  const got = digest.result();
  if (got.size !== bundle.bytes || got.checksum.sha256 !== bundle.sha256) {
    throw checksumMismatchError(
      'core',
      `backup ${keys.bundleKey} on ${target.name} target ${target.location}`,
      { sha256: bundle.sha256, size: bundle.bytes },
      { sha256: got.checksum.sha256, size: got.size },
      'it does not match its manifest; back the session up again, or archive without it',
    );
  }
  return { session, source: 'backup', bundleFile, manifest: { ...manifest, bundle } };
}

/** The marker a session gets once the archive holding it is verified. */
function archiveMarkerFor(
  existing: BackupMarker | undefined,
  archive: ArchiveMarker,
  log: BackupManifest['log'],
  session: string,
  coversExisting: boolean,
): BackupMarker {
  if (existing && coversExisting) return { ...existing, archive };
  return {
    target: archive.target,
    location: archive.location,
    checksum: archive.sha256,
    bytes: archive.bytes,
    at: archive.at,
    session,
    phase: archive.phase,
    log: { ...log },
    archive,
  };
}

/** The sessions of a phase to archive: closed local ones, and those only on the backup target. */
interface PhaseSessions {
  local: string[];
  remote: Map<string, { bundleKey: string; manifestKey: string }>;
  skipped: Array<{ session: string; reason: string }>;
}

/** Finds the sessions of `phase`; NOT_FOUND when there is none to archive. */
async function sessionsToArchive(
  config: SatConfig,
  phase: string,
  backupTarget: StorageTarget | undefined,
): Promise<PhaseSessions> {
  const local = await localSessionsOf(config, phase);
  const localSet = new Set([...local.sessions, ...local.open]);
  const remote = new Map<string, { bundleKey: string; manifestKey: string }>();
  if (backupTarget) {
    const segment = phaseSegment(phase).slice('Phase_'.length);
    for (const backup of await listBackups(backupTarget)) {
      if (
        !backup.complete ||
        backup.phase !== segment ||
        localSet.has(backup.session) ||
        remote.has(backup.session)
      )
        continue;
      remote.set(backup.session, { bundleKey: backup.bundleKey, manifestKey: backup.manifestKey });
    }
  }
  const skipped = local.open.map((session) => ({
    session,
    reason: 'still open: end it, then archive the phase again',
  }));
  if (local.sessions.length === 0 && remote.size === 0) {
    throw new SatError(
      'NOT_FOUND',
      `[core] no closed session of phase ${phase} in ${config.paths.logs}${backupTarget ? ` or on ${backupTarget.location}` : ''}${skipped.length ? ` (${skipped.length} still open)` : ''} (see 'sat sessions' and 'sat phase')`,
      { details: { phase } },
    );
  }
  return { local: local.sessions, remote, skipped };
}

/** Refuses (CONFLICT) to replace an archive holding sessions that would be lost. */
function refuseLosingSessions(
  existing: ArchiveManifest | undefined,
  found: PhaseSessions,
  phase: string,
  target: StorageTarget,
): void {
  if (!existing) return;
  const wanted = new Set([...found.local, ...found.remote.keys()]);
  const lost = existing.sessions.map((s) => s.session).filter((s) => !wanted.has(s));
  if (lost.length === 0) return;
  throw new SatError(
    'CONFLICT',
    `[core] the archive of phase ${phase} on ${target.location} holds ${lost.length} session(s) that are neither in the local logs nor on the backup target (${lost.slice(0, 3).join(', ')}${lost.length > 3 ? ', …' : ''}); archiving again would drop them: restore the archive first ('sat archive restore ${phase}'), then archive again`,
    { details: { phase, sessions: lost } },
  );
}

/**
 * The entries of the archive (each session's bundle and manifest, the manifest written beside
 * the bundle in `workDir`) and the sessions its manifest lists.
 */
function archiveContents(
  prepared: readonly PreparedSession[],
  workDir: string,
): { entries: ArchiveEntrySource[]; sessions: ArchivedSession[]; warnings: string[] } {
  const entries: ArchiveEntrySource[] = [];
  const sessions: ArchivedSession[] = [];
  const warnings: string[] = [];
  for (const item of prepared) {
    const paths = archivedSessionPaths(item.session);
    const { bundle } = item.manifest;
    const manifestText = Buffer.from(`${JSON.stringify(item.manifest, null, 2)}\n`);
    const manifestFile = join(workDir, 's', item.session, 'manifest.json');
    writeFileSync(manifestFile, manifestText, { mode: 0o600 });
    entries.push({ path: paths.bundle, file: item.bundleFile, bytes: bundle.bytes, sha256: bundle.sha256 });
    entries.push({
      path: paths.manifest,
      file: manifestFile,
      bytes: manifestText.length,
      sha256: sha256Of(manifestText),
    });
    sessions.push({
      session: item.session,
      source: item.source,
      bundle: { path: paths.bundle, bytes: bundle.bytes, sha256: bundle.sha256, md5: bundle.md5 },
      manifestPath: paths.manifest,
      log: item.manifest.log,
      files: item.manifest.files,
      warnings: item.manifest.warnings,
    });
    if (!item.manifest.log.closed)
      warnings.push(`${item.session}: its backup holds the log of an open session (the events up to then)`);
  }
  return { entries, sessions, warnings };
}

/** Where the archive went and how it was verified. */
interface StoredArchive {
  status: ArchivePhaseResult['status'];
  info: { bytes: number; sha256: string; md5: string };
  verified: ArchivePhaseResult['verified'];
}

/** The archive already on the target when it holds exactly these sessions' bundles, intact. */
async function unchangedArchive(
  target: StorageTarget,
  keys: ArchiveKeys,
  existing: ArchiveManifest | undefined,
  sessions: readonly ArchivedSession[],
): Promise<StoredArchive | undefined> {
  const archive = existing?.archive;
  if (!archive) return undefined;
  const same =
    JSON.stringify(existing.sessions.map((s) => [s.session, s.bundle.sha256])) ===
    JSON.stringify(sessions.map((s) => [s.session, s.bundle.sha256]));
  if (!same) return undefined;
  const stored = await target.stat(keys.archiveKey);
  if (!stored || stored.size !== archive.bytes || stored.checksum.sha256 !== archive.sha256) return undefined;
  const check = await readBackUnlessArchived(target, keys.archiveKey, archive);
  return {
    status: 'unchanged',
    info: archive,
    verified: { checksums: true, readBack: check.readBack, state: check.state },
  };
}

/** Writes the archive, uploads and verifies it, then puts its manifest beside it. */
async function uploadArchive(
  target: StorageTarget,
  keys: ArchiveKeys,
  manifest: ArchiveManifest,
  entries: readonly ArchiveEntrySource[],
  workDir: string,
  options: ArchivePhaseOptions,
): Promise<StoredArchive> {
  const archiveFile = join(workDir, 'phase.tar.gz');
  const written = await writeArchive(entries, manifest, archiveFile, {
    level: options.level,
    onProgress: (bytes, total) => options.onProgress?.({ stage: 'pack', bytes, total }),
  });
  const info = { bytes: written.bytes, sha256: written.checksum.sha256, md5: written.checksum.md5 };
  await uploadVerified(target, keys.archiveKey, () => createReadStream(archiveFile), info, {
    contentType: 'application/gzip',
    metadata: { format: ARCHIVE_FORMAT, phase: manifest.phase, sessions: String(manifest.sessions.length) },
    readBack: false,
    onProgress: (_stage, bytes, total) => options.onProgress?.({ stage: 'upload', bytes, total }),
  });
  const check =
    options.readBack === false
      ? { readBack: false, state: 'available' as ArchiveState }
      : await readBackUnlessArchived(target, keys.archiveKey, info, (bytes) =>
          options.onProgress?.({ stage: 'verify', bytes, total: info.bytes }),
        );
  const beside = Buffer.from(
    `${JSON.stringify({ ...manifest, archive: { key: keys.archiveKey, ...info } }, null, 2)}\n`,
  );
  const besideSha = sha256Of(beside);
  await uploadVerified(
    target,
    keys.manifestKey,
    () => beside,
    { bytes: beside.length, sha256: besideSha },
    { contentType: 'application/json', readBack: false },
  );
  await readBackUnlessArchived(target, keys.manifestKey, { bytes: beside.length, sha256: besideSha });
  return {
    status: 'uploaded',
    info,
    verified: { checksums: true, readBack: check.readBack, state: check.state },
  };
}

/** Points the marker of each local closed session whose log the archive holds at the archive. */
function markSessions(
  config: SatConfig,
  target: StorageTarget,
  keys: ArchiveKeys,
  phase: string,
  sessions: readonly ArchivedSession[],
  info: StoredArchive['info'],
): ArchivedSessionResult[] {
  const at = new Date().toISOString();
  return sessions.map((s) => {
    const files = sessionLogFiles(config.paths.logs, s.session);
    const meta = readSessionMeta(files);
    const marked = meta !== undefined && s.log.closed && s.log.sha256 === meta.sha256;
    if (marked) {
      const existingMarker = readBackupMarker(files);
      const archive: ArchiveMarker = {
        target: target.name,
        location: locationOf(target, keys.archiveKey),
        key: keys.archiveKey,
        manifestKey: keys.manifestKey,
        phase,
        sha256: info.sha256,
        bytes: info.bytes,
        bundleSha256: s.bundle.sha256,
        at,
      };
      writeBackupMarker(
        files,
        archiveMarkerFor(existingMarker, archive, s.log, s.session, markerCoversLog(existingMarker, meta)),
      );
    }
    return {
      session: s.session,
      source: s.source,
      bytes: s.bundle.bytes,
      sha256: s.bundle.sha256,
      files: s.files.length,
      marked,
    };
  });
}

/**
 * Archives every session of phase `phase` into ONE tar.gz on `target` (typically S3):
 * each closed session of the phase in the local logs is bundled exactly as `sat backup` bundles
 * it (log, metadata, raw hook payloads, snapshots, handoffs; an ended session is closed first,
 * an open one is left out), and each session of the phase that is no longer local is taken from
 * its newest complete backup on `options.backupTarget`. The archive holds every session's bundle
 * and manifest and ends with a `sat-archive/1` manifest listing every session and file with its
 * size and SHA-256; it goes to `SubAgentTracking/Archive/Phase_<N>/phase.tar.gz` with the
 * manifest beside it, is verified (checksums, then a read-back unless it is already in an
 * archive tier), and then each local session's marker names the archive, so retention and
 * {@link pruneArchivedPhase} may remove local and backup copies. An archive of exactly the same
 * sessions is not sent again. Refuses (`CONFLICT`) to replace an archive holding a session that
 * is neither local nor on the backup target.
 *
 * @example
 * const result = await archivePhase(config, s3Target, 1, { backupTarget: localTarget });
 * console.log(result.location, result.sessions.length);
 */
export async function archivePhase(
  config: SatConfig,
  target: StorageTarget,
  phase: string | number,
  options: ArchivePhaseOptions = {},
): Promise<ArchivePhaseResult> {
  const phaseText = String(phase).trim();
  if (phaseText === '')
    throw new SatError('USAGE', '[core] archivePhase: give the phase to archive (a number or a name)');
  const keys = archiveKeys(phaseText);
  const found = await sessionsToArchive(config, phaseText, options.backupTarget);
  const existing = await readArchiveManifestIfAny(target, keys.manifestKey);
  refuseLosingSessions(existing, found, phaseText, target);

  const workDir = join(config.paths.state, '.archive-work', randomUUID());
  mkdirSync(workDir, { recursive: true });
  try {
    const prepared: PreparedSession[] = [];
    for (const session of found.local)
      prepared.push(await bundleLocal(config, session, join(workDir, 's', session), options));
    for (const [session, keysOfBackup] of found.remote)
      prepared.push(
        await fetchFromBackup(
          options.backupTarget!,
          session,
          keysOfBackup,
          join(workDir, 's', session),
          options,
        ),
      );
    prepared.sort((a, b) => a.session.localeCompare(b.session));
    const { entries, sessions, warnings } = archiveContents(prepared, workDir);
    const manifest: ArchiveManifest = {
      format: ARCHIVE_FORMAT,
      phase: phaseText,
      createdAt: new Date().toISOString(),
      sessions,
      warnings,
    };
    const stored =
      (await unchangedArchive(target, keys, existing, sessions)) ??
      (await uploadArchive(target, keys, manifest, entries, workDir, options));
    return {
      phase: phaseText,
      status: stored.status,
      target: target.name,
      location: locationOf(target, keys.archiveKey),
      archiveKey: keys.archiveKey,
      manifestKey: keys.manifestKey,
      bytes: stored.info.bytes,
      sha256: stored.info.sha256,
      md5: stored.info.md5,
      sessions: markSessions(config, target, keys, phaseText, sessions, stored.info),
      skipped: found.skipped,
      verified: stored.verified,
      warnings,
    };
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}
