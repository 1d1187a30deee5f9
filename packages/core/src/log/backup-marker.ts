import { readFileSync } from 'node:fs';
import { writeFileAtomic } from './atomic-file.js';
import type { SessionLogFiles } from './log-files.js';
import type { SessionMeta } from './sessions.js';

/**
 * Where a session is kept in a phase archive (`sat archive`): set on the session's marker once the
 * archive is uploaded and verified. Markers written before archives existed have none.
 */
export interface ArchiveMarker {
  /** Kind of target (`s3`, `local`). */
  target: string;
  /** Where the archive is, for people (`s3://bucket/SubAgentTracking/Archive/Phase_1/phase.tar.gz`). */
  location: string;
  /** The archive's key on the target. */
  key: string;
  /** The key of the archive's manifest. */
  manifestKey: string;
  phase: string;
  /** SHA-256 and bytes of the whole archive. */
  sha256: string;
  bytes: number;
  /** SHA-256 of this session's bundle inside the archive. */
  bundleSha256: string;
  /** When the archive was verified on the target. */
  at: string;
}

/**
 * `<session>.backup.json`: where a session's bundle went and what it covered. Retention reads it
 * before removing a closed session's local log. A session kept only in a phase archive has a
 * marker whose top-level fields name the archive (without `key`, so backup restores do not take
 * the archive for a session bundle) and whose `archive` says where it is.
 */
export interface BackupMarker {
  /** Kind of target (`local`, `gdrive`, `s3`). */
  target: string;
  /** Where the bundle is, for people (`/mnt/nas/sat/SubAgentTracking/...`); never holds a credential. */
  location: string;
  /** SHA-256 of the bundle. */
  checksum: string;
  /** Bytes of the bundle. */
  bytes: number;
  /** When it was verified on the target. */
  at: string;
  session?: string;
  /** The key of the bundle on the target. */
  key?: string;
  /** The key of its manifest on the target. */
  manifestKey?: string;
  phase?: string;
  /**
   * The log the bundle holds. `closed` with the SHA-256 of the plain bytes (the `sha256` of the
   * session's metadata) covers the closed session; a backup of an open session covers only the
   * events written before it.
   */
  log?: { file: string; closed: boolean; sha256: string; bytes: number; lastSeq: number };
  /** The phase archive that holds the session (absent on markers of plain backups). */
  archive?: ArchiveMarker;
}

/** Reads a session's backup marker, or undefined when there is none (or it is unreadable). */
export function readBackupMarker(files: SessionLogFiles): BackupMarker | undefined {
  try {
    const value = JSON.parse(readFileSync(files.backupMarker, 'utf8')) as BackupMarker;
    return typeof value === 'object' && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Writes a session's backup marker atomically. */
export function writeBackupMarker(files: SessionLogFiles, marker: BackupMarker): void {
  writeFileAtomic(files.backupMarker, `${JSON.stringify(marker, null, 2)}\n`);
}

/**
 * Whether `marker` covers the closed log described by `meta`: its bundle holds the closed log
 * with the same SHA-256. A marker written by an older version (no `log`) is trusted as before.
 *
 * @example
 * markerCoversLog(readBackupMarker(files), readSessionMeta(files)); // true: safe to remove locally
 */
export function markerCoversLog(marker: BackupMarker | undefined, meta: SessionMeta | undefined): boolean {
  if (!marker) return false;
  if (!marker.log) return true;
  return marker.log.closed && meta !== undefined && marker.log.sha256 === meta.sha256;
}
