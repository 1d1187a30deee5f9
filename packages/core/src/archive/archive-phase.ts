import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { BUNDLE_NAME, backupPrefix, phaseSegment } from '../backup/backup-layout.js';
import { type BackupManifest, parseManifest } from '../backup/backup-manifest.js';
import { writeSessionBundle } from '../backup/bundle-writer.js';
import { locationOf } from '../backup/deliver-backup.js';
import { listBackups } from '../backup/list-backups.js';
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
import {
  readArchiveManifestIfAny,
  readBackUnlessArchived,
  readSmallObject,
  samePhase,
} from './archive-io.js';
import { archivedSessionPaths, archiveKeys } from './archive-layout.js';
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
  const manifest = parseManifest(
    (await readSmallObject(target, keys.manifestKey)).toString('utf8'),
    keys.manifestKey,
  );
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
  const { archiveKey, manifestKey } = archiveKeys(phaseText);
  const local = await localSessionsOf(config, phaseText);
  const localSet = new Set([...local.sessions, ...local.open]);
  const remote = new Map<string, { bundleKey: string; manifestKey: string }>();
  if (options.backupTarget) {
    const segment = phaseSegment(phaseText).slice('Phase_'.length);
    for (const backup of await listBackups(options.backupTarget)) {
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
      `[core] no closed session of phase ${phaseText} in ${config.paths.logs}${options.backupTarget ? ` or on ${options.backupTarget.location}` : ''}${skipped.length ? ` (${skipped.length} still open)` : ''} (see 'sat sessions' and 'sat phase')`,
      { details: { phase: phaseText } },
    );
  }
  const existing = await readArchiveManifestIfAny(target, manifestKey);
  if (existing) {
    const wanted = new Set([...local.sessions, ...remote.keys()]);
    const lost = existing.sessions.map((s) => s.session).filter((s) => !wanted.has(s));
    if (lost.length > 0) {
      throw new SatError(
        'CONFLICT',
        `[core] the archive of phase ${phaseText} on ${target.location} holds ${lost.length} session(s) that are neither in the local logs nor on the backup target (${lost.slice(0, 3).join(', ')}${lost.length > 3 ? ', …' : ''}); archiving again would drop them: restore the archive first ('sat archive restore ${phaseText}'), then archive again`,
        { details: { phase: phaseText, sessions: lost } },
      );
    }
  }

  const workDir = join(config.paths.state, '.archive-work', randomUUID());
  mkdirSync(workDir, { recursive: true });
  try {
    const prepared: PreparedSession[] = [];
    for (const session of local.sessions)
      prepared.push(await bundleLocal(config, session, join(workDir, 's', session), options));
    for (const [session, keys] of remote)
      prepared.push(
        await fetchFromBackup(options.backupTarget!, session, keys, join(workDir, 's', session), options),
      );
    prepared.sort((a, b) => a.session.localeCompare(b.session));

    const entries: ArchiveEntrySource[] = [];
    const sessions: ArchivedSession[] = [];
    const warnings: string[] = [];
    for (const item of prepared) {
      const paths = archivedSessionPaths(item.session);
      const manifestText = Buffer.from(`${JSON.stringify(item.manifest, null, 2)}\n`);
      const manifestFile = join(workDir, 's', item.session, 'manifest.json');
      writeFileSync(manifestFile, manifestText, { mode: 0o600 });
      entries.push({
        path: paths.bundle,
        file: item.bundleFile,
        bytes: item.manifest.bundle.bytes,
        sha256: item.manifest.bundle.sha256,
      });
      entries.push({
        path: paths.manifest,
        file: manifestFile,
        bytes: manifestText.length,
        sha256: sha256Of(manifestText),
      });
      sessions.push({
        session: item.session,
        source: item.source,
        bundle: {
          path: paths.bundle,
          bytes: item.manifest.bundle.bytes,
          sha256: item.manifest.bundle.sha256,
          md5: item.manifest.bundle.md5,
        },
        manifestPath: paths.manifest,
        log: item.manifest.log,
        files: item.manifest.files,
        warnings: item.manifest.warnings,
      });
      if (!item.manifest.log.closed)
        warnings.push(`${item.session}: its backup holds the log of an open session (the events up to then)`);
    }
    const manifest: ArchiveManifest = {
      format: ARCHIVE_FORMAT,
      phase: phaseText,
      createdAt: new Date().toISOString(),
      sessions,
      warnings,
    };

    const same =
      existing?.archive !== undefined &&
      JSON.stringify(existing.sessions.map((s) => [s.session, s.bundle.sha256])) ===
        JSON.stringify(sessions.map((s) => [s.session, s.bundle.sha256]));
    const stored = same ? await target.stat(archiveKey) : undefined;
    let status: ArchivePhaseResult['status'] = 'uploaded';
    let archiveInfo: { bytes: number; sha256: string; md5: string };
    let verified: ArchivePhaseResult['verified'];
    if (
      same &&
      existing?.archive &&
      stored &&
      stored.size === existing.archive.bytes &&
      stored.checksum.sha256 === existing.archive.sha256
    ) {
      status = 'unchanged';
      archiveInfo = existing.archive;
      const check = await readBackUnlessArchived(target, archiveKey, existing.archive);
      verified = { checksums: true, readBack: check.readBack, state: check.state };
    } else {
      const archiveFile = join(workDir, 'phase.tar.gz');
      const written = await writeArchive(entries, manifest, archiveFile, {
        level: options.level,
        onProgress: (bytes, total) => options.onProgress?.({ stage: 'pack', bytes, total }),
      });
      archiveInfo = { bytes: written.bytes, sha256: written.checksum.sha256, md5: written.checksum.md5 };
      await uploadVerified(target, archiveKey, () => createReadStream(archiveFile), archiveInfo, {
        contentType: 'application/gzip',
        metadata: { format: ARCHIVE_FORMAT, phase: phaseText, sessions: String(sessions.length) },
        readBack: false,
        onProgress: (_stage, bytes, total) => options.onProgress?.({ stage: 'upload', bytes, total }),
      });
      const check =
        options.readBack === false
          ? { readBack: false, state: 'available' as ArchiveState }
          : await readBackUnlessArchived(target, archiveKey, archiveInfo, (bytes) =>
              options.onProgress?.({ stage: 'verify', bytes, total: archiveInfo.bytes }),
            );
      verified = { checksums: true, readBack: check.readBack, state: check.state };
      const beside = Buffer.from(
        `${JSON.stringify({ ...manifest, archive: { key: archiveKey, ...archiveInfo } }, null, 2)}\n`,
      );
      const besideSha = sha256Of(beside);
      await uploadVerified(
        target,
        manifestKey,
        () => beside,
        { bytes: beside.length, sha256: besideSha },
        { contentType: 'application/json', readBack: false },
      );
      await readBackUnlessArchived(target, manifestKey, { bytes: beside.length, sha256: besideSha });
    }

    const at = new Date().toISOString();
    const results: ArchivedSessionResult[] = [];
    for (const s of sessions) {
      const files = sessionLogFiles(config.paths.logs, s.session);
      const meta = readSessionMeta(files);
      let marked = false;
      if (meta && s.log.closed && s.log.sha256 === meta.sha256) {
        const existingMarker = readBackupMarker(files);
        const archive: ArchiveMarker = {
          target: target.name,
          location: locationOf(target, archiveKey),
          key: archiveKey,
          manifestKey,
          phase: phaseText,
          sha256: archiveInfo.sha256,
          bytes: archiveInfo.bytes,
          bundleSha256: s.bundle.sha256,
          at,
        };
        writeBackupMarker(
          files,
          archiveMarkerFor(existingMarker, archive, s.log, s.session, markerCoversLog(existingMarker, meta)),
        );
        marked = true;
      }
      results.push({
        session: s.session,
        source: s.source,
        bytes: s.bundle.bytes,
        sha256: s.bundle.sha256,
        files: s.files.length,
        marked,
      });
    }
    return {
      phase: phaseText,
      status,
      target: target.name,
      location: locationOf(target, archiveKey),
      archiveKey,
      manifestKey,
      bytes: archiveInfo.bytes,
      sha256: archiveInfo.sha256,
      md5: archiveInfo.md5,
      sessions: results,
      skipped,
      verified,
      warnings,
    };
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}
