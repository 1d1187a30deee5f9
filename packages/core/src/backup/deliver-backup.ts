import { createReadStream } from 'node:fs';
import type { SatConfig } from '../config/config-schema.js';
import { isSatError } from '../errors.js';
import { type BackupMarker, writeBackupMarker } from '../log/backup-marker.js';
import { EventWriter } from '../log/event-writer.js';
import { sessionLogFiles } from '../log/log-files.js';
import { sessionInfo } from '../log/sessions.js';
import { checksumOf } from '../storage/checksum-stream.js';
import type { StorageTarget } from '../storage/storage-target.js';
import { BUNDLE_NAME, backupPrefix, MANIFEST_NAME } from './backup-layout.js';
import { type BackupManifest, parseManifest } from './backup-manifest.js';
import { uploadVerified } from './verified-upload.js';

/** A bundle made and ready to go to a target (now, or later from the queue). */
export interface PreparedBackup {
  session: string;
  phase: string;
  /** The manifest that goes beside the bundle (with `bundle` and `createdAt`). */
  manifest: BackupManifest & { bundle: NonNullable<BackupManifest['bundle']> };
  /** The bundle file on this machine. */
  bundleFile: string;
  /** What started the backup (`manual`, `handoff`, `context-warning`, `session-end`); recorded in the `backup` event. */
  trigger?: string;
}

/** Progress of a transfer: which stage, bytes done, bytes in all. */
export interface TransferProgress {
  stage: 'bundle' | 'upload' | 'verify' | 'download' | 'extract';
  session: string;
  bytes: number;
  total: number;
}

/** What delivering a prepared backup did. */
export interface Delivery {
  /** `uploaded`: sent and verified; `unchanged`: the target already held this very bundle (nothing sent). */
  status: 'uploaded' | 'unchanged';
  bundleKey: string;
  manifestKey: string;
  /** Where the bundle is, for people. */
  location: string;
  marker: BackupMarker;
  /** Whether a `backup` event was appended (the session was still open). */
  eventAppended: boolean;
}

/** The human-readable place of `key` on `target`. */
export function locationOf(target: StorageTarget, key: string): string {
  return `${target.location.replace(/\/+$/, '')}/${key}`;
}

async function readManifestIfAny(target: StorageTarget, key: string): Promise<BackupManifest | undefined> {
  if (!(await target.stat(key))) return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of await target.get(key)) chunks.push(chunk as Buffer);
  try {
    return parseManifest(Buffer.concat(chunks).toString('utf8'), key);
  } catch (error) {
    if (isSatError(error, 'INVALID_BUNDLE')) return undefined;
    throw error;
  }
}

/**
 * Sends a prepared bundle and its manifest to `target` and verifies both (reported checksums,
 * then a read-back), unless the target already holds a bundle with the same SHA-256 (then
 * nothing is sent again). Then writes the session's backup marker and, when the session is still
 * open, appends a `backup` event to it.
 */
export async function deliverBackup(
  config: SatConfig,
  target: StorageTarget,
  prepared: PreparedBackup,
  options: { onProgress?: (progress: TransferProgress) => void; readBack?: boolean } = {},
): Promise<Delivery> {
  const prefix = backupPrefix(prepared.phase, prepared.session);
  const bundleKey = `${prefix}${BUNDLE_NAME}`;
  const manifestKey = `${prefix}${MANIFEST_NAME}`;
  const bundle = prepared.manifest.bundle;
  const progress = (stage: 'upload' | 'verify', bytes: number, total: number): void =>
    options.onProgress?.({ stage, session: prepared.session, bytes, total });

  const existing = await target.stat(bundleKey);
  const same = existing?.size === bundle.bytes && existing.checksum.sha256 === bundle.sha256;
  let status: Delivery['status'] = 'unchanged';
  if (!same) {
    await uploadVerified(
      target,
      bundleKey,
      () => createReadStream(prepared.bundleFile, { highWaterMark: 1024 * 1024 }),
      bundle,
      {
        contentType: 'application/gzip',
        metadata: { session: prepared.session, phase: prepared.phase, sha256: bundle.sha256 },
        readBack: options.readBack,
        onProgress: progress,
      },
    );
    status = 'uploaded';
  }
  const remoteManifest = same ? await readManifestIfAny(target, manifestKey) : undefined;
  if (!same || remoteManifest?.bundle?.sha256 !== bundle.sha256) {
    const text = Buffer.from(`${JSON.stringify(prepared.manifest, null, 2)}\n`);
    const { checksum } = await checksumOf(text);
    await uploadVerified(
      target,
      manifestKey,
      () => text,
      { bytes: text.length, ...checksum },
      {
        contentType: 'application/json',
        metadata: { session: prepared.session, phase: prepared.phase },
        readBack: options.readBack,
      },
    );
  }

  const files = sessionLogFiles(config.paths.logs, prepared.session);
  const location = locationOf(target, bundleKey);
  const log = prepared.manifest.log;
  const marker: BackupMarker = {
    target: target.name,
    location,
    checksum: bundle.sha256,
    bytes: bundle.bytes,
    at: new Date().toISOString(),
    session: prepared.session,
    key: bundleKey,
    manifestKey,
    phase: prepared.phase,
    log: { file: log.file, closed: log.closed, sha256: log.sha256, bytes: log.bytes, lastSeq: log.lastSeq },
  };
  writeBackupMarker(files, marker);

  let eventAppended = false;
  if (status === 'uploaded' && sessionInfo(config.paths.logs, prepared.session)?.status === 'active') {
    const writer = new EventWriter({ logsDir: config.paths.logs, ...config.writer });
    writer.append({
      type: 'backup',
      session: prepared.session,
      data: {
        target: target.name,
        location,
        checksum: bundle.sha256,
        bytes: bundle.bytes,
        ...(prepared.trigger ? { trigger: prepared.trigger } : {}),
      },
    });
    await writer.close();
    eventAppended = true;
  }
  return { status, bundleKey, manifestKey, location, marker, eventAppended };
}
