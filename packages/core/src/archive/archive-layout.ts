import { BACKUP_ROOT, phaseSegment } from '../backup/backup-layout.js';

/** The folder phase archives go under on a target (a lifecycle rule moves what is under it to Glacier). */
export const ARCHIVE_ROOT = `${BACKUP_ROOT}/Archive`;
/** {@link ARCHIVE_ROOT} as a key prefix (with its trailing `/`). */
export const ARCHIVE_ROOT_PREFIX = `${ARCHIVE_ROOT}/`;
/** Name of a phase's archive on the target. */
export const ARCHIVE_NAME = 'phase.tar.gz';
/** Name of a phase archive's manifest, beside the archive and as the archive's last entry. */
export const ARCHIVE_MANIFEST_NAME = 'manifest.json';

/** The keys of one phase's archive and of its manifest. */
export interface ArchiveKeys {
  /** `SubAgentTracking/Archive/Phase_<N>/phase.tar.gz` */
  archiveKey: string;
  /** `SubAgentTracking/Archive/Phase_<N>/manifest.json` */
  manifestKey: string;
}

/**
 * Where phase `phase`'s archive and manifest go.
 *
 * @example
 * archiveKeys(2).archiveKey; // 'SubAgentTracking/Archive/Phase_2/phase.tar.gz'
 */
export function archiveKeys(phase: string | number): ArchiveKeys {
  const folder = `${ARCHIVE_ROOT}/${phaseSegment(phase)}/`;
  return { archiveKey: `${folder}${ARCHIVE_NAME}`, manifestKey: `${folder}${ARCHIVE_MANIFEST_NAME}` };
}

/** Splits an archive key into its phase (as written after `Phase_`) and file; undefined for other keys. */
export function parseArchiveKey(key: string): { phase: string; file: string } | undefined {
  const match = /^SubAgentTracking\/Archive\/Phase_([^/]+)\/([^/]+)$/.exec(key);
  return match ? { phase: match[1]!, file: match[2]! } : undefined;
}

/** Paths of one session's bundle and manifest inside a phase archive. */
export function archivedSessionPaths(session: string): { bundle: string; manifest: string } {
  return { bundle: `sessions/${session}/bundle.tar.gz`, manifest: `sessions/${session}/manifest.json` };
}
