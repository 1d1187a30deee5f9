import { join } from 'node:path';
import { assertSessionId } from '../ids.js';

/** File-name ending of an open (plain) session log. */
export const PLAIN_EXT = '.jsonl';
/** File-name ending of a closed, compressed session log. */
export const COMPRESSED_EXT = '.jsonl.gz';
/** File-name ending of a closed session's metadata. */
export const META_EXT = '.meta.json';
/** File-name ending of the marker that backup or archive writes when a session is safe elsewhere. */
export const BACKUP_MARKER_EXT = '.backup.json';

/** Every file that belongs to one session's log. */
export interface SessionLogFiles {
  session: string;
  plain: string;
  compressed: string;
  meta: string;
  lock: string;
  quarantine: string;
  backupMarker: string;
}

/** The paths of one session's log files under `logsDir`. */
export function sessionLogFiles(logsDir: string, session: string): SessionLogFiles {
  assertSessionId(session);
  return {
    session,
    plain: join(logsDir, `${session}${PLAIN_EXT}`),
    compressed: join(logsDir, `${session}${COMPRESSED_EXT}`),
    meta: join(logsDir, `${session}${META_EXT}`),
    lock: join(logsDir, '.locks', `${session}.lock`),
    quarantine: join(logsDir, 'quarantine', `${session}${PLAIN_EXT}`),
    backupMarker: join(logsDir, `${session}${BACKUP_MARKER_EXT}`),
  };
}
