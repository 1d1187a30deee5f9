import { existsSync, mkdirSync, rmSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { SatConfig } from '../config/config-schema.js';
import { SatError } from '../errors.js';
import { assertSessionId } from '../ids.js';
import { fsyncDir } from '../log/atomic-file.js';
import { readBackupMarker, writeBackupMarker } from '../log/backup-marker.js';
import { sessionLogFiles } from '../log/log-files.js';
import type { StorageTarget } from '../storage/storage-target.js';
import { type BundleFileKind, localPathOf } from './backup-layout.js';
import type { BackupManifest, BundleFile } from './backup-manifest.js';
import { extractBundle, type StagedFile } from './bundle-reader.js';
import { locationOf, type TransferProgress } from './deliver-backup.js';
import { downloadChecked } from './download-checked.js';
import { findSessionBackup } from './list-backups.js';
import { compareWithBackup } from './local-difference.js';
import { readBackupManifest } from './read-manifest.js';
import { commitMoves, type StagedMove } from './restore-commit.js';
import {
  assertWithinCap,
  bundleTimeRange,
  clampedTime,
  expansionGuard,
  firstEventTime,
} from './restore-limits.js';
import { workFolderName } from './work-leftovers.js';

type StoredBundle = NonNullable<BackupManifest['bundle']>;

/** Options of {@link restoreSession}. */
export interface RestoreOptions {
  /** Overwrite local files that differ from the backup. Default false: refuse, changing nothing. */
  force?: boolean;
  /**
   * The analytics database in the bundle: `if-missing` (default) restores it only where there is
   * none (a local database is newer, and the log rebuilds it), `overwrite` replaces it, `skip`.
   */
  database?: 'if-missing' | 'overwrite' | 'skip';
  /** Called as bytes move (bundle, upload, verify, download stages), for a progress bar. */
  onProgress?: (progress: TransferProgress) => void;
  /** Called with the result once every file is in place (the CLI re-ingests the session into analytics here). */
  onRestored?: (result: RestoreResult) => void | Promise<void>;
}

/** One file of a restore. */
export interface RestoredFile {
  /** Path inside the bundle. */
  path: string;
  /** Where it is on this machine. */
  file: string;
  kind: BundleFileKind;
  bytes: number;
  sha256: string;
  /** `restored`: written; `overwritten`: replaced a different file (force); `unchanged`: already identical; `skipped`: see `reason`. */
  action: 'restored' | 'overwritten' | 'unchanged' | 'skipped';
  reason?: string;
}

/** What {@link restoreSession} did. */
export interface RestoreResult {
  session: string;
  phase: string;
  /** Where the bundle came from, for people. */
  location: string;
  bundleKey: string;
  bytes: number;
  sha256: string;
  createdAt?: string;
  files: RestoredFile[];
  warnings: string[];
}

/** One file of the bundle: where it goes on this machine. */
interface PlannedFile {
  file: BundleFile;
  local: string;
  kind: BundleFileKind;
}

/** The session's backup on `target` and its manifest; NOT_FOUND or INVALID_BUNDLE otherwise. */
async function locateBackup(
  config: SatConfig,
  target: StorageTarget,
  session: string,
): Promise<{ bundleKey: string; manifestKey: string; manifest: BackupManifest & { bundle: StoredBundle } }> {
  const found = await findSessionBackup(
    target,
    session,
    readBackupMarker(sessionLogFiles(config.paths.logs, session)),
  );
  if (!found) {
    throw new SatError(
      'NOT_FOUND',
      `[core] no backup of session ${session} on ${target.name} target ${target.location} (see 'sat backups')`,
      { details: { session } },
    );
  }
  const manifest = await readBackupManifest(target, found.manifestKey);
  if (manifest.session !== session || !manifest.bundle) {
    throw new SatError(
      'INVALID_BUNDLE',
      `[core] ${found.manifestKey} is not a manifest of session ${session}`,
    );
  }
  return { ...found, manifest: { ...manifest, bundle: manifest.bundle } };
}

/** What the restore does with each file (decided before any is changed), and what stands in its way. */
async function decideFiles(
  config: SatConfig,
  session: string,
  plan: readonly PlannedFile[],
  options: RestoreOptions,
): Promise<{ files: RestoredFile[]; conflicts: string[]; alternates: string[] }> {
  const files: RestoredFile[] = [];
  const conflicts: string[] = [];
  const alternates: string[] = [];
  const logs = sessionLogFiles(config.paths.logs, session);
  const policy = options.database ?? 'if-missing';
  for (const item of plan) {
    const record: RestoredFile = {
      path: item.file.path,
      file: item.local,
      kind: item.kind,
      bytes: item.file.bytes,
      sha256: item.file.sha256,
      action: 'restored',
    };
    if (
      item.kind === 'database' &&
      (policy === 'skip' || (policy === 'if-missing' && existsSync(record.file)))
    ) {
      const reason =
        policy === 'skip'
          ? 'not asked for'
          : 'a local analytics database exists (the restored log rebuilds its rows)';
      files.push({ ...record, action: 'skipped', reason });
      continue;
    }
    if (existsSync(record.file)) {
      const openLog = item.kind === 'log' && record.file === logs.plain;
      const comparison = await compareWithBackup(record.file, item.file, openLog);
      if (comparison.same) files.push({ ...record, action: 'unchanged' });
      else {
        if (!options.force) conflicts.push(`${item.file.path} (${record.file}: ${comparison.difference})`);
        files.push({ ...record, action: 'overwritten' });
      }
      continue;
    }
    if (item.kind === 'log') {
      // The session's log in its other form (open vs closed) would shadow or be shadowed by this one.
      const others = record.file === logs.compressed ? [logs.plain] : [logs.compressed, logs.meta];
      const present = others.filter((other) => existsSync(other));
      if (present.length > 0 && !options.force)
        conflicts.push(`${item.file.path} (the session has a local log ${present[0]})`);
      alternates.push(...present);
    }
    files.push(record);
  }
  return { files, conflicts, alternates };
}

/** Downloads and checks the bundle as a whole, then takes it apart into `workDir/files`. */
async function stageBundle(
  config: SatConfig,
  target: StorageTarget,
  backup: Awaited<ReturnType<typeof locateBackup>>,
  session: string,
  workDir: string,
  options: RestoreOptions,
): Promise<StagedFile[]> {
  const { manifest, bundleKey } = backup;
  const where = `backup ${bundleKey} on ${target.name} target ${target.location}`;
  const downloaded = join(workDir, 'bundle.tar.gz');
  await downloadChecked(
    target,
    bundleKey,
    downloaded,
    manifest.bundle,
    where,
    `session ${session}`,
    (bytes) => options.onProgress?.({ stage: 'download', session, bytes, total: manifest.bundle.bytes }),
  );
  const total = manifest.files.reduce((sum, f) => sum + f.bytes, 0);
  const guard = expansionGuard(config, manifest.bundle.bytes, workDir, where);
  let extracted = 0;
  return extractBundle(downloaded, manifest, join(workDir, 'files'), where, (n) => {
    guard(n);
    extracted += n;
    options.onProgress?.({ stage: 'extract', session, bytes: extracted, total });
  });
}

/** The staged files to move into place, each with its time clamped to the bundle's own time range. */
function plannedMoves(
  manifest: BackupManifest,
  files: readonly RestoredFile[],
  staged: readonly StagedFile[],
  where: string,
): StagedMove[] {
  const log = staged.find((file) => file.entry.kind === 'log');
  const first = log ? firstEventTime(log.staged, log.entry.path.endsWith('.gz')) : undefined;
  const range = bundleTimeRange(manifest, first);
  const moves: StagedMove[] = [];
  for (const [i, record] of files.entries()) {
    if (record.action !== 'restored' && record.action !== 'overwritten') continue;
    const entry = staged[i]!;
    moves.push({
      staged: entry.staged,
      file: record.file,
      mtime: clampedTime(entry.entry.mtime, range, where, entry.entry.path),
    });
  }
  return moves;
}

/** The marker of a restored closed session that has none: it names the backup it came from. */
function markRestored(
  config: SatConfig,
  target: StorageTarget,
  session: string,
  backup: Awaited<ReturnType<typeof locateBackup>>,
): void {
  const { manifest, bundleKey, manifestKey } = backup;
  const logs = sessionLogFiles(config.paths.logs, session);
  if (!manifest.log.closed || readBackupMarker(logs)) return;
  writeBackupMarker(logs, {
    target: target.name,
    location: locationOf(target, bundleKey),
    checksum: manifest.bundle.sha256,
    bytes: manifest.bundle.bytes,
    at: new Date().toISOString(),
    session,
    key: bundleKey,
    manifestKey,
    phase: manifest.phase,
    log: { ...manifest.log },
  });
}

/**
 * Restores one session from `target`: finds its backup (the location in its backup marker, else
 * the newest under `SubAgentTracking/`), downloads the bundle and checks its SHA-256 against
 * the manifest, takes it apart safely into a staging folder (refusing absolute paths, `..`,
 * links, anything the manifest does not list and any path that is not the session's own; checking
 * every file's size and SHA-256; refusing a manifest whose total exceeds `restoreCap`), and
 * only then moves the files in place, byte-identical, with their times clamped to the bundle's own
 * time range; a failure on any file undoes the others. A local file that differs is not
 * overwritten unless `force`: the restore is refused and nothing changes. A damaged bundle
 * restores nothing (`CHECKSUM_MISMATCH`).
 *
 * @example
 * const { files } = await restoreSession(config, target, 's1', { onRestored: reingest });
 */
export async function restoreSession(
  config: SatConfig,
  target: StorageTarget,
  session: string,
  options: RestoreOptions = {},
): Promise<RestoreResult> {
  assertSessionId(session);
  const backup = await locateBackup(config, target, session);
  const { manifest, bundleKey } = backup;
  // Every path is checked against the layout before anything is downloaded.
  const plan = manifest.files.map((entry): PlannedFile => {
    const local = localPathOf(config, session, entry.path);
    return { file: entry, local: local.file, kind: local.kind };
  });
  const where = `backup ${bundleKey} on ${target.name} target ${target.location}`;
  mkdirSync(config.paths.state, { recursive: true, mode: 0o700 });
  assertWithinCap(config, manifest, config.paths.state, where);
  const workDir = join(config.paths.state, '.restore-work', workFolderName());
  mkdirSync(join(workDir, 'files'), { recursive: true, mode: 0o700 });
  try {
    const staged = await stageBundle(config, target, backup, session, workDir, options);
    const { files, conflicts, alternates } = await decideFiles(config, session, plan, options);
    if (conflicts.length > 0) {
      throw new SatError(
        'CONFLICT',
        `[core] not restoring session ${session}: ${conflicts.length} local file(s) differ from the backup: ${conflicts.join(', ')}; nothing was changed (pass --force to overwrite them)`,
        { details: { session, conflicts } },
      );
    }
    commitMoves(plannedMoves(manifest, files, staged, where), join(workDir, 'aside'));
    for (const other of alternates) if (!files.some((f) => f.file === other)) unlinkSync(other);
    if (alternates.length > 0) fsyncDir(config.paths.logs);
    markRestored(config, target, session, backup);
    const result: RestoreResult = {
      session,
      phase: manifest.phase,
      location: locationOf(target, bundleKey),
      bundleKey,
      bytes: manifest.bundle.bytes,
      sha256: manifest.bundle.sha256,
      createdAt: manifest.createdAt,
      files,
      warnings: manifest.warnings,
    };
    await options.onRestored?.(result);
    return result;
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}
