import {
  closeSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  openSync,
  readSync,
  rmSync,
  statSync,
} from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { type BundleImportResult, importBundle, isSatError, type SatConfig, workFolderName } from '@sat/core';
import { loadAdapter } from './adapter-loader.js';
import { backupTarget } from './backup-target.js';
import type { CliContext } from './context.js';
import { formatBytes, formatTime } from './output.js';

/** A `sat import` argument that names a bundle: a file holding one, or a Drive file. */
export type BundleSource = { file: string } | { driveFileId: string; link: string };

/** A bundle that could not be imported, and why (nothing of it was written). */
export interface BundleFailure {
  source: string;
  code: string;
  message: string;
}

const DRIVE_LIKE = /^(https:\/\/(drive|docs)\.google\.com\/|[A-Za-z0-9_][A-Za-z0-9_-]{24,43}$)/;

/** True when `file` is a regular file that starts like a gzip stream (every bundle does; transcripts are JSONL). */
function looksLikeBundle(file: string): boolean {
  if (!existsSync(file) || !statSync(file).isFile()) return false;
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(2);
    return readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

/**
 * Splits `sat import`'s arguments into bundles (a file whose bytes are a gzip stream, or a Google
 * Drive link or file id that is not a local path) and transcript paths (the rest).
 *
 * @example
 * await splitImportArgs(['b1f2.sat.tgz', '~/.claude/projects']); // one bundle, one transcript folder
 */
export async function splitImportArgs(
  args: readonly string[],
): Promise<{ bundles: BundleSource[]; paths: string[] }> {
  const bundles: BundleSource[] = [];
  const paths: string[] = [];
  for (const arg of args) {
    if (looksLikeBundle(arg)) bundles.push({ file: arg });
    else if (!existsSync(arg) && DRIVE_LIKE.test(arg)) {
      const { driveFileId } = await loadAdapter(
        '@sat/backup-gdrive',
        'importing from a Google Drive link',
        () => import('@sat/backup-gdrive'),
      );
      const id = driveFileId(arg);
      if (id) bundles.push({ driveFileId: id, link: arg });
      else paths.push(arg);
    } else paths.push(arg);
  }
  return { bundles, paths };
}

interface DownloadingTarget {
  download(fileId: string): Promise<{ stream: NodeJS.ReadableStream; name: string; size: number }>;
}

/** Downloads a Drive file into `dir` (checked against Drive's size and MD5) and returns its path. */
async function downloadBundle(config: SatConfig, fileId: string, dir: string): Promise<string> {
  const target = (await backupTarget(config, { target: 'gdrive' })) as unknown as DownloadingTarget;
  const { stream } = await target.download(fileId);
  const file = join(dir, 'download.sat.tgz');
  await pipeline(stream, createWriteStream(file, { mode: 0o600 }));
  return file;
}

/**
 * Imports each bundle (see core's `importBundle`), one after another: a bundle that fails is
 * reported in `failures` and the others still go in.
 *
 * @example
 * const { results, failures } = await importBundles(config, bundles, { includePurged: false });
 */
export async function importBundles(
  config: SatConfig,
  bundles: readonly BundleSource[],
  options: { includePurged?: boolean },
): Promise<{ results: BundleImportResult[]; failures: BundleFailure[] }> {
  const results: BundleImportResult[] = [];
  const failures: BundleFailure[] = [];
  for (const bundle of bundles) {
    const source = 'file' in bundle ? bundle.file : bundle.link;
    const dir = join(config.paths.state, '.restore-work', workFolderName());
    try {
      let file = 'file' in bundle ? bundle.file : undefined;
      if (!file) {
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        file = await downloadBundle(config, (bundle as { driveFileId: string }).driveFileId, dir);
      }
      const result = await importBundle(config, file, options);
      results.push('file' in bundle ? result : { ...result, bundle: { ...result.bundle, file: source } });
    } catch (error) {
      if (!isSatError(error)) throw error;
      failures.push({ source, code: error.code, message: error.message });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return { results, failures };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * Prints what a bundle held (who shared it, from which machine, when, its session, events and
 * size) and what its import did.
 *
 * @example
 * printBundleImport(ctx, result);
 */
export function printBundleImport(ctx: CliContext, r: BundleImportResult): void {
  const b = r.bundle;
  const who = b.shared
    ? `${b.shared.user}@${b.shared.machine} on ${formatTime(b.shared.at)}`
    : 'a backup (no sharer named)';
  const redacted = b.shared?.redactPrompts ? '; prompt and response text left out' : '';
  ctx.print(
    `bundle ${b.file}: session ${b.session}, shared by ${who}, ${plural(b.events, 'event')}, ${formatBytes(b.bytes)}${redacted}`,
  );
  if (r.status === 'purged') {
    ctx.print(
      `  not imported: session ${b.session} was purged here (pass --include-purged to bring it back)`,
    );
    return;
  }
  if (r.reusedSessionId)
    ctx.print(
      `  session id ${r.reusedSessionId} is used here by a different session: imported as ${r.session}`,
    );
  ctx.print(
    `  merged into session ${r.session}: ${plural(r.appended, 'event')} appended, ${r.alreadyPresent} already there`,
  );
  if (r.conflicts.length > 0)
    ctx.note(
      `sat: warning: ${plural(r.conflicts.length, 'event')} of ${b.file} differ from the local ones with the same id (${r.conflicts
        .slice(0, 3)
        .map((c) => c.id)
        .join(
          ', ',
        )}${r.conflicts.length > 3 ? ', …' : ''}): the local versions stay, the bundle's are kept in ${r.conflicts[0]!.file}`,
    );
  for (const issue of r.issues.slice(0, 5)) ctx.note(`sat: warning: ${b.file}: ${issue} (skipped)`);
}
