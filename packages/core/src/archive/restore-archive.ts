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
import { poll } from '../retry.js';
import { LocalDirectoryTarget } from '../storage/local-directory-target.js';
import type { StorageTarget } from '../storage/storage-target.js';
import { readArchiveManifestIfAny } from './archive-io.js';
import { type ArchiveKeys, archiveKeys } from './archive-layout.js';
import type { ArchivedSession, ArchiveManifest } from './archive-manifest.js';
import type { ArchiveProgress } from './archive-phase.js';
import { extractArchive, type StagedArchiveEntry } from './archive-reader.js';
import {
  type ArchiveObjectState,
  type ArchiveTierTarget,
  type RestoreTier,
  supportsArchiveTier,
} from './archive-tier.js';

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
  /** Called as bytes move (bundle, upload, verify, download stages), for a progress bar. */
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

async function stateOf(target: StorageTarget, key: string): Promise<ArchiveObjectState> {
  if (supportsArchiveTier(target)) return target.archiveState(key);
  if (!(await target.stat(key)))
    throw new SatError('NOT_FOUND', `[core] no object ${key} on ${target.location}`, { details: { key } });
  return { state: 'available', storageClass: 'STANDARD' };
}

/** The archive's state; NOT_FOUND naming the phase when there is no archive. */
async function archiveStateOrMissing(
  target: StorageTarget,
  archiveKey: string,
  phase: string,
): Promise<ArchiveObjectState> {
  try {
    return await stateOf(target, archiveKey);
  } catch (error) {
    if (!isSatError(error, 'NOT_FOUND')) throw error;
    throw new SatError(
      'NOT_FOUND',
      `[core] no archive of phase ${phase} on ${target.name} target ${target.location} (see 'sat archive list')`,
      { details: { phase } },
    );
  }
}

/**
 * Asks for the archive's restore from its archive tier and, with `wait`, polls until it is
 * readable (asking again when a restored copy expired meanwhile). Returns what the request did
 * and whether the archive is readable now.
 */
async function bringBack(
  target: ArchiveTierTarget,
  archiveKey: string,
  phase: string,
  state: ArchiveObjectState,
  options: RestoreArchiveOptions,
): Promise<{ request: NonNullable<RestoreArchiveResult['request']>; readable: boolean }> {
  const ask = { days: options.days ?? 7, tier: options.tier ?? 'Standard' } as const;
  const request =
    state.state === 'restoring' ? 'in-progress' : (await target.requestRestore(archiveKey, ask)).status;
  if (!options.wait) return { request, readable: false };
  const started = Date.now();
  const pollMs = options.pollMs ?? 60_000;
  const ready = await poll(
    async () => {
      const now = await target.archiveState(archiveKey);
      options.onStatus?.(now);
      if (now.state === 'restored' || now.state === 'available') return now;
      // The restored copy expired (or the request was lost): ask again.
      if (now.state === 'archived') await target.requestRestore(archiveKey, ask);
      return undefined;
    },
    { baseMs: pollMs, maxMs: pollMs, jitter: 'none', deadlineMs: options.timeoutMs },
  );
  if (!ready) {
    throw new SatError(
      'TARGET_UNAVAILABLE',
      `[core] the archive of phase ${phase} is still being restored from ${state.storageClass} after ${Math.round((Date.now() - started) / 1000)} s (run 'sat archive restore ${phase} --wait' again later)`,
      { details: { phase, retryable: true } },
    );
  }
  return { request, readable: true };
}

/** The manifest beside the archive (unless it is itself archived) and the size and SHA-256 the archive must have. */
async function expectedArchive(
  target: StorageTarget,
  keys: ArchiveKeys,
  phase: string,
): Promise<{ manifest?: ArchiveManifest; expected: { bytes: number; sha256: string } }> {
  const manifest = await readArchiveManifestIfAny(target, keys.manifestKey).catch((error: unknown) => {
    // The manifest beside may itself be archived; the manifest inside the archive is then used.
    if (isSatError(error, 'TARGET_ERROR') && error.details.archived === true) return undefined;
    throw error;
  });
  const stored = await target.stat(keys.archiveKey);
  const expected =
    manifest?.archive ?? (stored ? { bytes: stored.size, sha256: stored.checksum.sha256 } : undefined);
  if (!expected) throw new SatError('NOT_FOUND', `[core] no archive of phase ${phase} on ${target.location}`);
  return { manifest, expected };
}

/** The sessions of the archive to restore: all, or those asked for (NOT_FOUND naming any it lacks). */
function chooseSessions(
  inner: ArchiveManifest,
  phase: string,
  sessions?: readonly string[],
): ArchivedSession[] {
  if (!sessions) return inner.sessions;
  const wanted = new Set(sessions);
  const chosen = inner.sessions.filter((s) => wanted.has(s.session));
  if (chosen.length !== wanted.size) {
    const missing = [...wanted].filter((s) => !inner.sessions.some((x) => x.session === s));
    throw new SatError(
      'NOT_FOUND',
      `[core] the archive of phase ${phase} holds no session ${missing.join(', ')}`,
    );
  }
  return chosen;
}

/** What one session's restore from the archive needs. */
interface SessionFromArchive {
  config: SatConfig;
  target: StorageTarget;
  keys: ArchiveKeys;
  inner: ArchiveManifest;
  expected: { bytes: number; sha256: string };
  entries: Map<string, StagedArchiveEntry>;
  workDir: string;
  where: string;
  options: RestoreArchiveOptions;
}

/**
 * Restores one session of the archive with `restoreSession`, from a private folder laid out as a
 * backup target, then points its marker at the archive.
 */
async function restoreFromArchive(input: SessionFromArchive, s: ArchivedSession): Promise<RestoreResult> {
  const { config, target, keys, entries, options } = input;
  const stagingDir = join(input.workDir, 'targets', s.session);
  mkdirSync(stagingDir, { recursive: true });
  const staging = new LocalDirectoryTarget({ dir: stagingDir, fsync: false });
  const manifestFile = entries.get(s.manifestPath)!.staged;
  const bundleManifest = parseManifest(
    readFileSync(manifestFile, 'utf8'),
    `${input.where}: ${s.manifestPath}`,
  );
  const prefix = backupPrefix(bundleManifest.phase, s.session);
  await staging.put(`${prefix}${BUNDLE_NAME}`, createReadStream(entries.get(s.bundle.path)!.staged));
  await staging.put(`${prefix}${MANIFEST_NAME}`, readFileSync(manifestFile));
  const files = sessionLogFiles(config.paths.logs, s.session);
  const before = readBackupMarker(files);
  const restored = await restoreSession(config, staging, s.session, {
    force: options.force,
    onRestored: options.onRestored,
    onProgress: (p) =>
      options.onProgress?.({ stage: 'restore', session: s.session, bytes: p.bytes, total: p.total }),
  });
  markArchived(files, before, input.inner, s, target, keys.archiveKey, keys.manifestKey, input.expected);
  return { ...restored, location: `${locationOf(target, keys.archiveKey)}#${s.bundle.path}` };
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
  const keys = archiveKeys(phaseText);
  const { archiveKey } = keys;
  const state = await archiveStateOrMissing(target, archiveKey, phaseText);
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
    const back = await bringBack(target, archiveKey, phaseText, state, options);
    request = back.request;
    if (!back.readable) return { ...base, status: 'restoring', request };
  }
  const { manifest, expected } = await expectedArchive(target, keys, phaseText);
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
    const chosen = chooseSessions(inner, phaseText, options.sessions);
    const result: RestoreArchiveResult = {
      ...base,
      status: 'restored',
      request,
      bytes: got.size,
      sha256: got.checksum.sha256,
      sessions: [],
      failed: [],
    };
    const input: SessionFromArchive = {
      config,
      target,
      keys,
      inner,
      expected,
      entries,
      workDir,
      where,
      options,
    };
    for (const s of chosen) {
      try {
        result.sessions.push(await restoreFromArchive(input, s));
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
