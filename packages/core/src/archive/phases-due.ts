import { phaseSegment } from '../backup/backup-layout.js';
import { listBackups } from '../backup/list-backups.js';
import { readSessionPhase } from '../backup/session-phase.js';
import type { SatConfig } from '../config/config-schema.js';
import { markerCoversLog, readBackupMarker } from '../log/backup-marker.js';
import { sessionLogFiles } from '../log/log-files.js';
import { listSessions, readSessionMeta } from '../log/sessions.js';
import type { StorageTarget } from '../storage/storage-target.js';
import { comparePhases, readArchiveManifestIfAny, samePhase } from './archive-io.js';
import { archiveKeys } from './archive-layout.js';

/** Options of {@link phasesDueForArchive}. */
export interface PhasesDueOptions {
  /** The newest phases that are never due. Default `config.archive.keepPhases` (2). */
  keepPhases?: number;
  /** Also count the sessions backed up there (and no longer local). */
  backupTarget?: StorageTarget;
  /** The archive target: a session its phase archive already holds is not pending. */
  archiveTarget?: StorageTarget;
}

/** One phase {@link phasesDueForArchive} found. */
export interface PhaseDue {
  phase: string;
  /** Sessions of the phase not archived yet. */
  pending: string[];
  /** Sessions of the phase still open (an archive leaves them out). */
  open: string[];
}

/**
 * The policy "phases older than the last `keepPhases` are archived": every phase (in natural
 * order: 2 before 10) older than the newest `keepPhases` that has at least one closed session
 * not yet in its phase archive. A local session counts as archived when its marker names an
 * archive of its phase that holds its closed log; with `archiveTarget`, a session listed in the
 * phase's archive manifest counts too.
 *
 * @example
 * for (const due of await phasesDueForArchive(config)) await archivePhase(config, target, due.phase);
 */
export async function phasesDueForArchive(
  config: SatConfig,
  options: PhasesDueOptions = {},
): Promise<PhaseDue[]> {
  const keep = options.keepPhases ?? config.archive.keepPhases;
  const phases = new Map<string, PhaseDue & { archived: Set<string> }>();
  const slot = (phase: string) => {
    const key = phaseSegment(phase);
    let entry = phases.get(key);
    if (!entry) {
      entry = { phase, pending: [], open: [], archived: new Set() };
      phases.set(key, entry);
    }
    return entry;
  };
  const local = new Set<string>();
  for (const info of await listSessions(config.paths.logs)) {
    local.add(info.session);
    const files = sessionLogFiles(config.paths.logs, info.session);
    const phase = await readSessionPhase(files);
    const entry = slot(phase);
    if (info.status === 'active') {
      entry.open.push(info.session);
      continue;
    }
    const marker = readBackupMarker(files);
    const archived =
      marker?.archive !== undefined &&
      samePhase(marker.archive.phase, phase) &&
      markerCoversLog({ ...marker, log: marker.log }, readSessionMeta(files));
    if (archived) entry.archived.add(info.session);
    else entry.pending.push(info.session);
  }
  if (options.backupTarget) {
    for (const backup of await listBackups(options.backupTarget)) {
      if (!backup.complete || local.has(backup.session)) continue;
      const entry = slot(backup.phase);
      if (!entry.pending.includes(backup.session)) entry.pending.push(backup.session);
    }
  }
  const ordered = [...phases.values()].sort((a, b) => comparePhases(a.phase, b.phase));
  const older = ordered.slice(0, Math.max(0, ordered.length - Math.max(0, keep)));
  const out: PhaseDue[] = [];
  for (const entry of older) {
    if (options.archiveTarget && entry.pending.length > 0) {
      const manifest = await readArchiveManifestIfAny(
        options.archiveTarget,
        archiveKeys(entry.phase).manifestKey,
      ).catch(() => undefined);
      const inArchive = new Set(manifest?.sessions.map((s) => s.session) ?? []);
      entry.pending = entry.pending.filter((s) => !inArchive.has(s) || local.has(s));
    }
    if (entry.pending.length > 0)
      out.push({ phase: entry.phase, pending: entry.pending.sort(), open: entry.open.sort() });
  }
  return out;
}
