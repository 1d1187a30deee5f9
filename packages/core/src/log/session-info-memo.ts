import { existsSync, statSync } from 'node:fs';
import { listSessionIds } from './event-reader.js';
import { sessionLogFiles } from './log-files.js';
import { sessionLogIdentity } from './log-memo.js';
import { compareSessionInfo, type SessionInfo, sessionInfo } from './sessions.js';

/** What `sessionInfo` reads, as one string: the log's identity, the metadata file's and whether the backup marker exists. */
function infoKey(logsDir: string, session: string): string | undefined {
  const identity = sessionLogIdentity(logsDir, session);
  if (!identity) return undefined;
  const files = sessionLogFiles(logsDir, session);
  let meta = '-';
  try {
    const stat = statSync(files.meta);
    meta = `${stat.size}:${stat.mtimeMs}`;
  } catch {}
  return `${identity.file}:${identity.size}:${identity.mtimeMs}|${meta}|${existsSync(files.backupMarker)}`;
}

/**
 * `listSessions` for a long-lived reader: each session's {@link SessionInfo} is kept and read
 * again only when what it is made of changed (its log's size, time or file, its metadata file,
 * its backup marker), at three stats per session instead of reading the logs' first and last
 * lines. The list equals `listSessions(logsDir)`.
 *
 * @example
 * const sessions = new SessionInfoMemo(logsDir);
 * const infos = sessions.list();
 */
export class SessionInfoMemo {
  private readonly known = new Map<string, { key: string; info: SessionInfo }>();
  private listed: { version: string; infos: SessionInfo[] } | undefined;

  constructor(readonly logsDir: string) {}

  /**
   * Every session, oldest first (by first event, then id), as `listSessions` gives them. With
   * `version` (a {@link LogsVersion} taken before this call) equal to the last call's, the last
   * list is returned without looking at the logs.
   */
  list(version?: string): SessionInfo[] {
    if (version !== undefined && this.listed?.version === version)
      return this.listed.infos.map((info) => ({ ...info }));
    const out = this.read();
    this.listed = version === undefined ? undefined : { version, infos: out.map((info) => ({ ...info })) };
    return out;
  }

  private read(): SessionInfo[] {
    const out: SessionInfo[] = [];
    const seen = new Set<string>();
    for (const session of listSessionIds(this.logsDir)) {
      seen.add(session);
      const key = infoKey(this.logsDir, session);
      const known = this.known.get(session);
      if (key !== undefined && known?.key === key) {
        out.push({ ...known.info });
        continue;
      }
      const info = sessionInfo(this.logsDir, session);
      if (!info) {
        this.known.delete(session);
        continue;
      }
      if (key !== undefined) this.known.set(session, { key, info: { ...info } });
      out.push(info);
    }
    for (const session of [...this.known.keys()]) if (!seen.has(session)) this.known.delete(session);
    return out.sort(compareSessionInfo);
  }
}
