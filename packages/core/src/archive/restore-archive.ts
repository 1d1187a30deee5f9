import { randomUUID } from 'node:crypto';
import { createReadStream, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { BUNDLE_NAME, backupPrefix, MANIFEST_NAME } from '../backup/backup-layout.js';
import { parseManifest } from '../backup/backup-manifest.js';
import { locationOf } from '../backup/deliver-backup.js';
import { downloadChecked } from '../backup/download-checked.js';
import { type RestoreOptions, type RestoreResult, restoreSession } from '../backup/restore-session.js';
import type { SatConfig } from '../config/config-schema.js';
import { isSatError, SatError } from '../errors.js';
import { type ArchiveMarker, readBackupMarker, writeBackupMarker } from '../log/backup-marker.js';
import { sessionLogFiles } from '../log/log-files.js';
import { LocalDirectoryTarget } from '../storage/local-directory-target.js';
import type { StorageTarget } from '../storage/storage-target.js';
import { readArchiveManifestIfAny } from './archive-io.js';
import { archiveKeys } from './archive-layout.js';
import type { ArchiveManifest } from './archive-manifest.js';
import type { ArchiveProgress } from './archive-phase.js';
import { extractArchive } from './archive-reader.js';
import { type ArchiveObjectState, type RestoreTier, supportsArchiveTier } from './archive-tier.js';

/** Options of {@link restoreArchive}. */
export interface RestoreArchiveOptions {
  /** When the archive must first come back from Glacier: wait for it (polling), or return `restoring` at once. Default false. */
  wait?: boolean;
  /** Time between two polls while waiting. Default 60,000 ms (restores take minutes to hours). */
  pollMs?: number;
  /** Give up waiting after this long (`TARGET_UNAVAILABLE`, retryable). Default: no limit. */
  timeoutMs?: number;
  /** Retrieval tier of the restore request. Default `Standard`. */
  tier?: RestoreTier;
  /** Days the restored copy stays readable. Default 7. */
  days?: number;
  /** Told the archive's state at the start and at every poll. */
  onStatus?: (state: ArchiveObjectState) => void;
  onProgress?: (progress: ArchiveProgress) => void;
  /** Overwrite local files that differ from the archive (as `restoreSession`'s `force`). Default false. */
  force?: boolean;
  /** Restore only these sessions of the archive. Default all. */
  sessions?: readonly string[];
  /** Passed to each `restoreSession` (re-ingest into analytics, say). */
  onRestored?: RestoreOptions['onRestored'];
}

/** What {@link restoreArchive} did. */
export interface RestoreArchiveResult {
  phase: string;
  /** `restoring`: the archive is coming back from Glacier, nothing restored yet; `restored`: sessions are back. */
  status: 'restoring' | 'restored';
  archiveKey: string;
  location: string;
  /** The archive's state when the restore began (`archived`, `restoring`, `restored`, `available`). */
  state: ArchiveObjectState;
  /** What the restore request to the service did, when one was needed. */
  request?: 'started' | 'in-progress' | 'already-restored' | 'not-archived';
  bytes?: number;
  sha256?: string;
  /** Each restored session (files byte-identical to the archived ones). */
  sessions: RestoreResult[];
  /** Sessions that could not be restored (a local file differs, say), with why; the others were. */
  failed: Array<{ session: string; code?: string; error: string }>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function stateOf(target: StorageTarget, key: string): Promise<ArchiveObjectState> {
  if (supportsArchiveTier(target)) return target.archiveState(key);
  if (!(await target.stat(key)))
    throw new SatError('NOT_FOUND', `[core] no object ${key} on ${target.location}`, { details: { key } });
  return { state: 'available', storageClass: 'STANDARD' };
}

/**
 * Brings a phase archive back. When it is in an archive tier (S3 Glacier) and not restored yet,
 * asks the target for a restore (`tier`, `days`), then returns `{ status: 'restoring' }` or,
 * with `wait`, polls every `pollMs` until it is readable. Then downloads it, checks its size and
 * SHA-256 against its manifest (a flipped byte → `CHECKSUM_MISMATCH`, nothing restored), takes it
 * apart safely (no absolute paths, no `..`, no links, only listed entries of the listed
 * checksums), and restores each session with `restoreSession` (its files byte-identical; a local
 * file that differs is not overwritten unless `force`). Each restored session's marker names the
 * archive again.
 *
 * @example
 * const result = await restoreArchive(config, s3Target, 1, { wait: true, tier: 'Bulk', onStatus: (s) => console.log(s.state) });
 */
export async function restoreArchive(
  config: SatConfig,
  target: StorageTarget,
  phase: string | number,
  options: RestoreArchiveOptions = {},
): Promise<RestoreArchiveResult> {
  const phaseText = String(phase).trim();
  const { archiveKey, manifestKey } = archiveKeys(phaseText);
  let state: ArchiveObjectState;
  try {
    state = await stateOf(target, archiveKey);
  } catch (error) {
    if (isSatError(error, 'NOT_FOUND'))
      throw new SatError(
        'NOT_FOUND',
        `[core] no archive of phase ${phaseText} on ${target.name} target ${target.location} (see 'sat archive list')`,
        {
          details: { phase: phaseText },
        },
      );
    throw error;
  }
  options.onStatus?.(state);
  const base = {
    phase: phaseText,
    archiveKey,
    location: locationOf(target, archiveKey),
    state,
    sessions: [],
    failed: [],
  };
  let request: RestoreArchiveResult['request'];
  if ((state.state === 'archived' || state.state === 'restoring') && supportsArchiveTier(target)) {
    request =
      state.state === 'restoring'
        ? 'in-progress'
        : (
            await target.requestRestore(archiveKey, {
              days: options.days ?? 7,
              tier: options.tier ?? 'Standard',
            })
          ).status;
    if (!options.wait) return { ...base, status: 'restoring', request };
    const started = Date.now();
    for (;;) {
      const now = await target.archiveState(archiveKey);
      options.onStatus?.(now);
      if (now.state === 'restored' || now.state === 'available') break;
      if (now.state === 'archived') {
        // The restored copy expired (or the request was lost): ask again.
        await target.requestRestore(archiveKey, {
          days: options.days ?? 7,
          tier: options.tier ?? 'Standard',
        });
      }
      if (options.timeoutMs !== undefined && Date.now() - started >= options.timeoutMs) {
        throw new SatError(
          'TARGET_UNAVAILABLE',
          `[core] the archive of phase ${phaseText} is still being restored from ${state.storageClass} after ${Math.round((Date.now() - started) / 1000)} s (run 'sat archive restore ${phaseText} --wait' again later)`,
          { details: { phase: phaseText, retryable: true } },
        );
      }
      await sleep(options.pollMs ?? 60_000);
    }
  }

  const manifest = await readArchiveManifestIfAny(target, manifestKey).catch((error: unknown) => {
    // The manifest beside may itself be archived; the manifest inside the archive is then used.
    if (isSatError(error, 'TARGET_ERROR') && error.details.archived === true) return undefined;
    throw error;
  });
  const stored = await target.stat(archiveKey);
  const expected =
    manifest?.archive ?? (stored ? { bytes: stored.size, sha256: stored.checksum.sha256 } : undefined);
  if (!expected)
    throw new SatError('NOT_FOUND', `[core] no archive of phase ${phaseText} on ${target.location}`);

  const workDir = join(config.paths.state, '.restore-work', randomUUID());
  mkdirSync(join(workDir, 'entries'), { recursive: true });
  try {
    const file = join(workDir, 'phase.tar.gz');
    const where = `archive ${archiveKey} on ${target.name} target ${target.location}`;
    const got = await downloadChecked(
      target,
      archiveKey,
      file,
      expected,
      where,
      `phase ${phaseText}`,
      (bytes) => options.onProgress?.({ stage: 'download', bytes, total: expected.bytes }),
    );
    const { manifest: inner, entries } = await extractArchive(
      file,
      join(workDir, 'entries'),
      where,
      manifest,
    );
    const wanted = options.sessions ? new Set(options.sessions) : undefined;
    const chosen = inner.sessions.filter((s) => !wanted || wanted.has(s.session));
    if (wanted && chosen.length !== wanted.size) {
      const missing = [...wanted].filter((s) => !inner.sessions.some((x) => x.session === s));
      throw new SatError(
        'NOT_FOUND',
        `[core] the archive of phase ${phaseText} holds no session ${missing.join(', ')}`,
      );
    }
    const result: RestoreArchiveResult = {
      ...base,
      status: 'restored',
      request,
      bytes: got.size,
      sha256: got.checksum.sha256,
      sessions: [],
      failed: [],
    };
    for (const s of chosen) {
      // Each session's bundle goes through restoreSession, from a private folder laid out as a backup target.
      const stagingDir = join(workDir, 'targets', s.session);
      mkdirSync(stagingDir, { recursive: true });
      const staging = new LocalDirectoryTarget({ dir: stagingDir, fsync: false });
      const bundleManifest = parseManifest(
        readFileSync(entries.get(s.manifestPath)!.staged, 'utf8'),
        `${where}: ${s.manifestPath}`,
      );
      const prefix = backupPrefix(bundleManifest.phase, s.session);
      await staging.put(`${prefix}${BUNDLE_NAME}`, createReadStream(entries.get(s.bundle.path)!.staged));
      await staging.put(`${prefix}${MANIFEST_NAME}`, readFileSync(entries.get(s.manifestPath)!.staged));
      const files = sessionLogFiles(config.paths.logs, s.session);
      const before = readBackupMarker(files);
      try {
        const restored = await restoreSession(config, staging, s.session, {
          force: options.force,
          onRestored: options.onRestored,
          onProgress: (p) =>
            options.onProgress?.({ stage: 'restore', session: s.session, bytes: p.bytes, total: p.total }),
        });
        result.sessions.push({ ...restored, location: `${locationOf(target, archiveKey)}#${s.bundle.path}` });
        markArchived(files, before, inner, s, target, archiveKey, manifestKey, expected);
      } catch (error) {
        if (!isSatError(error)) throw error;
        result.failed.push({ session: s.session, code: error.code, error: error.message });
      }
    }
    return result;
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** After a restore, the session's marker names the archive (never the private staging folder). */
function markArchived(
  files: ReturnType<typeof sessionLogFiles>,
  before: ReturnType<typeof readBackupMarker>,
  manifest: ArchiveManifest,
  s: ArchiveManifest['sessions'][number],
  target: StorageTarget,
  archiveKey: string,
  manifestKey: string,
  archive: { bytes: number; sha256: string },
): void {
  if (!s.log.closed) return;
  const info: ArchiveMarker = {
    target: target.name,
    location: locationOf(target, archiveKey),
    key: archiveKey,
    manifestKey,
    phase: manifest.phase,
    sha256: archive.sha256,
    bytes: archive.bytes,
    bundleSha256: s.bundle.sha256,
    at: new Date().toISOString(),
  };
  const keep = before && before.log?.sha256 === s.log.sha256 && before.key !== undefined;
  writeBackupMarker(
    files,
    keep
      ? { ...before, archive: info }
      : {
          target: info.target,
          location: info.location,
          checksum: info.sha256,
          bytes: info.bytes,
          at: info.at,
          session: s.session,
          phase: manifest.phase,
          log: { ...s.log },
          archive: info,
        },
  );
}
