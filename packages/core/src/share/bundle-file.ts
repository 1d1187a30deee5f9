import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync, renameSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { MANIFEST_NAME } from '../backup/backup-layout.js';
import { type BackupManifest, parseManifest } from '../backup/backup-manifest.js';
import { extractBundle } from '../backup/bundle-reader.js';
import { assertWithinCap, expansionGuard } from '../backup/restore-limits.js';
import { checkEntryHeader, readLimited, readTarGz, refuseEntry } from '../backup/tar-extract.js';
import type { SatConfig } from '../config/config-schema.js';
import { describeSystemError, SatError } from '../errors.js';
import type { AnySatEvent } from '../events/envelope.js';
import { isValidSessionId } from '../ids.js';
import { type ReadIssue, readSessionEvents } from '../log/event-reader.js';
import { checksumOf } from '../storage/checksum-stream.js';

const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;

/** A bundle file that passed every check, taken apart into a private staging folder. */
export interface OpenedBundle {
  file: string;
  /** The bundle's id: the SHA-256 of its manifest (`meta.origin.bundle` of the events it brings). */
  id: string;
  bytes: number;
  sha256: string;
  manifest: BackupManifest;
  /** A logs folder holding only the bundle's log, named as the session's log. */
  logsDir: string;
}

/**
 * The id of a bundle: the SHA-256 of its manifest as the bundle writer writes it (the manifest
 * lists every file's SHA-256, so the id names the bundle's whole content).
 *
 * @example
 * bundleId(manifest); // '3f1c…' (64 hex digits)
 */
export function bundleId(manifest: BackupManifest): string {
  return createHash('sha256')
    .update(`${JSON.stringify(manifest, null, 2)}\n`)
    .digest('hex');
}

/** The manifest inside a bundle file, every entry's header checked on the way (no link, no `..`). */
async function innerManifest(file: string, where: string): Promise<BackupManifest> {
  let manifest: BackupManifest | undefined;
  const rules = {
    describeLink: (type: 'link' | 'symlink', target: string) =>
      `a ${type === 'link' ? 'hard' : 'symbolic'} link to ${JSON.stringify(target)} (bundles hold only regular files)`,
    directories: true,
  };
  await readTarGz(file, where, 'bundle', async (header, stream) => {
    checkEntryHeader(header, where, rules);
    if (header.name !== MANIFEST_NAME) {
      // A damaged bundle fails the whole read; the skipped entry must not raise it a second time.
      stream.on('error', () => undefined);
      stream.resume();
      return;
    }
    if (manifest) throw refuseEntry(where, header.name, 'appears twice');
    const text = await readLimited(stream, MAX_MANIFEST_BYTES, () =>
      refuseEntry(where, header.name, 'the manifest is too large'),
    );
    manifest = parseManifest(text.toString('utf8'), `${where} (${MANIFEST_NAME})`);
  });
  if (!manifest)
    throw new SatError(
      'INVALID_BUNDLE',
      `[core] ${where} has no ${MANIFEST_NAME}: it is not a sat bundle (make one with 'sat share <session>'); nothing was imported`,
      { details: { file } },
    );
  return manifest;
}

/** The manifest's log entry, which must be the session's own log. */
function logEntry(manifest: BackupManifest, where: string): { path: string; compressed: boolean } {
  const { session } = manifest;
  if (!isValidSessionId(session))
    throw new SatError(
      'INVALID_BUNDLE',
      `[core] ${where}: ${JSON.stringify(session)} is not a session id; nothing was imported`,
    );
  const path = manifest.log.file;
  const allowed = [`logs/${session}.jsonl`, `logs/${session}.jsonl.gz`];
  if (!allowed.includes(path) || !manifest.files.some((f) => f.path === path && f.kind === 'log'))
    throw new SatError(
      'INVALID_BUNDLE',
      `[core] ${where}: its log ${JSON.stringify(path)} is not the log of session ${session} (${allowed.join(' or ')}); nothing was imported`,
    );
  return { path, compressed: path.endsWith('.gz') };
}

/**
 * Checks a bundle file and takes it apart into `workDir` (private, removed by the caller): its
 * entries must be plain relative paths and regular files (no `..`, no links, no devices), its
 * manifest must be one this version reads, its files must add up to less than the restore limit
 * (`backup.restoreMaxBytes`, else the free disk space) and must expand to no more than that, and
 * every file must have the size and SHA-256 the manifest lists. Throws `NOT_FOUND`,
 * `INVALID_BUNDLE` or `CHECKSUM_MISMATCH`; nothing outside `workDir` is written.
 *
 * @example
 * const opened = await openBundleFile(config, 'b1f2.sat.tgz', workDir);
 * opened.manifest.shared?.user; // 'ana'
 */
export async function openBundleFile(
  config: SatConfig,
  file: string,
  workDir: string,
): Promise<OpenedBundle> {
  const where = `bundle ${file}`;
  let bytes: number;
  try {
    bytes = statSync(file).size;
  } catch (error) {
    throw new SatError('NOT_FOUND', `[core] cannot read ${where}: ${describeSystemError(error)}`, {
      cause: error,
      details: { file },
    });
  }
  const manifest = await innerManifest(file, where);
  const log = logEntry(manifest, where);
  const { size, checksum } = await checksumOf(createReadStream(file));
  const stored = { key: basename(file), bytes: size, sha256: checksum.sha256, md5: checksum.md5 };
  mkdirSync(join(workDir, 'files'), { recursive: true, mode: 0o700 });
  assertWithinCap(config, { ...manifest, bundle: stored }, workDir, where);
  // Every entry is held to its listed size, so the bundle expands to at most what its manifest
  // declares (checked above against the limit and the disk): a plain JSONL log compresses more
  // than the 10x a backup bundle is allowed, and must not be refused for it.
  const declared = manifest.files.reduce((sum, f) => sum + f.bytes, 0);
  const guard = expansionGuard(config, Math.max(bytes, Math.ceil(declared / 10) + 1), workDir, where);
  const staged = await extractBundle(file, manifest, join(workDir, 'files'), where, guard);
  const logsDir = join(workDir, 'logs');
  mkdirSync(logsDir, { mode: 0o700 });
  const stagedLog = staged.find((s) => s.entry.path === log.path)!;
  renameSync(stagedLog.staged, join(logsDir, basename(log.path)));
  return { file, id: bundleId(manifest), bytes: size, sha256: checksum.sha256, manifest, logsDir };
}

/**
 * The events of an opened bundle's log, in its order; bad lines are told to `onIssue` and skipped.
 *
 * @example
 * const events = await bundleEvents(opened, (issue) => console.warn(issue.message));
 */
export async function bundleEvents(
  opened: OpenedBundle,
  onIssue?: (issue: ReadIssue) => void,
): Promise<AnySatEvent[]> {
  const events: AnySatEvent[] = [];
  const options = onIssue ? { quarantine: false, onIssue } : { quarantine: false };
  for await (const event of readSessionEvents(opened.logsDir, opened.manifest.session, options))
    events.push(event);
  return events;
}
