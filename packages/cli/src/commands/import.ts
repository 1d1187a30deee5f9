import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultTranscriptRoot, type ImportResult, importTranscripts } from '@sat/core';
import { refreshAnalytics } from '../analytics.js';
import { importBundles, printBundleImport, splitImportArgs } from '../bundle-import.js';
import type { HandlerOf, OptionsOf } from '../command-spec.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { formatBytes, printJson } from '../output.js';
import { NO_BAR, stderrBars } from '../progress-bar.js';
import type { importCommand } from '../registry.js';

type ImportOptions = OptionsOf<typeof importCommand>;

/** Issues printed on stderr; the rest are counted (all are in `--json`). */
const SHOWN_ISSUES = 20;

/**
 * The bundled sample transcripts (real sessions from marot/spotter, MIT): the package's
 * `fixtures/claude-code/spotter/`, found from this module upwards (source or built).
 */
export function sampleTranscriptsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const name = (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name;
      if (name === '@sat/cli') return join(dir, 'fixtures', 'claude-code', 'spotter');
    }
    const parent = dirname(dir);
    if (parent === dir) throw new UsageError('cannot find the bundled sample transcripts of @sat/cli');
    dir = parent;
  }
}

function transcriptPaths(args: string[], options: ImportOptions): string[] {
  if (options.sample) {
    if (args.length > 0)
      throw new UsageError('--sample imports the bundled sample sessions; give no paths with it');
    return [sampleTranscriptsDir()];
  }
  if (args.length > 0) return args;
  const root = defaultTranscriptRoot();
  if (!existsSync(root)) {
    throw new UsageError(
      `no Claude Code transcripts to import: ${root} does not exist (Claude Code keeps them there; set CLAUDE_CONFIG_DIR if yours live elsewhere). Give a file or folder (sat import <path>), or run 'sat import --sample' to import the bundled sample sessions`,
    );
  }
  return [root];
}

/** The import's progress bar on stderr (only when stderr is a terminal): bytes read of the transcripts. */
async function progressBar(ctx: CliContext): Promise<{
  update(done: number, total: number): void;
  stop(): void;
}> {
  const bars = await stderrBars(ctx);
  const bar = bars?.({
    format: 'importing [{bar}] {percentage}% | {done} of {size} | {rate} | ETA {eta_formatted}',
    etaBuffer: 50,
  });
  if (!bar) return NO_BAR;
  const started = performance.now();
  return {
    update(done, total) {
      if (total === 0) return;
      const seconds = (performance.now() - started) / 1e3;
      bar.update(done, total, {
        done: formatBytes(done),
        size: formatBytes(total),
        rate: seconds > 0 ? `${formatBytes(done / seconds)}/s` : '',
      });
    },
    stop: () => bar.stop(),
  };
}

function summaryLine(result: ImportResult): string {
  const seconds = result.ms / 1e3;
  const rate = seconds > 0 && result.bytes > 0 ? `, ${formatBytes(result.bytes / seconds)}/s` : '';
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return (
    `read ${result.filesRead} of ${plural(result.files, 'transcript file')} (${formatBytes(result.bytes)}; ${result.skippedUnchanged} unchanged, not opened): ` +
    `${plural(result.appended, 'event')} appended to ${plural(result.sessions.length, 'session')}, ${result.duplicatesSkipped} already there; ${seconds.toFixed(1)} s${rate}`
  );
}

/** Imports Claude Code transcripts into the event log and reports what it did. */
async function importTranscriptPaths(
  ctx: CliContext,
  paths: string[],
  includePurged: boolean,
): Promise<ImportResult> {
  const config = ctx.config();
  const bar = await progressBar(ctx);
  try {
    return await importTranscripts({
      paths,
      logsDir: config.paths.logs,
      stateDir: config.paths.state,
      prices: config.prices,
      writer: config.writer,
      includePurged,
      onProgress: (done, total) => bar.update(done, total),
    });
  } finally {
    bar.stop();
  }
}

function noteTranscriptIssues(ctx: CliContext, result: ImportResult): void {
  for (const issue of result.issues.slice(0, SHOWN_ISSUES)) ctx.note(`sat: warning: ${issue.message}`);
  const more = result.issues.length - SHOWN_ISSUES + result.issuesOmitted;
  if (more > 0) ctx.note(`sat: warning: ${more} more problem(s) (all of them are in --json)`);
  const unknown = Object.entries(result.unknownTypes);
  if (unknown.length > 0)
    ctx.note(
      `sat: note: skipped records of types this version does not know: ${unknown.map(([type, n]) => `${type} (${n})`).join(', ')}`,
    );
  if (result.unknownModels.length > 0)
    ctx.note(
      `sat: note: no price for model(s) ${result.unknownModels.join(', ')}: their tokens are counted but not priced (add them under "prices" in sat.config.json)`,
    );
  if (result.purgedSkipped.length > 0)
    ctx.note(
      `sat: note: ${result.purgedSkipped.length} purged session(s) not imported: ${result.purgedSkipped.join(', ')} ('sat import --include-purged' brings them back)`,
    );
}

/** Imports Claude Code transcripts and shared bundles into the event log and reports what it did. */
export const run: HandlerOf<typeof importCommand> = async (ctx, [given], options) => {
  const config = ctx.config();
  const split = options.sample ? { bundles: [], paths: [] } : await splitImportArgs(given);
  const onlyBundles = split.bundles.length > 0 && split.paths.length === 0;
  const paths = onlyBundles ? [] : transcriptPaths(options.sample ? given : split.paths, options);
  const result =
    paths.length > 0 ? await importTranscriptPaths(ctx, paths, options.includePurged === true) : undefined;
  const bundles = await importBundles(config, split.bundles, {
    includePurged: options.includePurged === true,
  });
  // Best effort: the events are in the log whatever happens to the analytics store.
  await refreshAnalytics(ctx);
  if (result) noteTranscriptIssues(ctx, result);
  for (const failure of bundles.failures) ctx.note(`sat: error: ${failure.message}`);
  const code = bundles.failures.length > 0 ? 1 : 0;
  if (options.json) {
    if (split.bundles.length === 0) printJson(ctx, result);
    else printJson(ctx, { ...(result ?? {}), bundles: bundles.results, failures: bundles.failures });
    return code;
  }
  for (const imported of bundles.results) printBundleImport(ctx, imported);
  if (!result) return code;
  ctx.print(summaryLine(result));
  if (result.files === 0)
    ctx.note(
      `sat: no Claude Code transcripts (*.jsonl) found in ${paths.join(', ')}: give a file or folder (sat import <path>), or run 'sat import --sample' to import the bundled sample sessions`,
    );
  if (result.sessions.length > 0 && ctx.out.isTTY)
    ctx.note("see them with 'sat sessions', and one in detail with 'sat show <session>'");
  return code;
};
