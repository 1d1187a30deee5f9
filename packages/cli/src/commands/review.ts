import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import {
  type AnalyticsStore,
  digestCacheDir,
  listSessionIds,
  readSessionDigests,
  reviewPhase,
  type SessionDigest,
  type StoredSessions,
} from '@sat/core';
import { foldTeamActivity } from '@sat/core/projections';
import type { SqliteStore } from '@sat/store-sqlite';
import { openSqliteStoreOf } from '../analytics.js';
import type { HandlerOf } from '../command-spec.js';
import type { CliContext } from '../context.js';
import { printJson } from '../output.js';
import type { reviewCommand } from '../registry.js';
import type { ReviewReport } from '../review/review-document.js';
import { type ResolvedRequest, resolveRequest } from '../review/review-scope.js';
import { resolveSession } from '../session-arg.js';

const NO_STORED: StoredSessions = { logsDir: '', read: [], unreadable: [] };

interface Gathered {
  request: ResolvedRequest;
  digests: SessionDigest[];
  stored: StoredSessions;
  store: SqliteStore;
}

/** The scope, every session's digest (local, then stored), and a store holding them all. */
async function gather(
  ctx: CliContext,
  args: [string | undefined, string | undefined],
  options: { days?: string; session?: string; localOnly?: boolean },
  workDir: string,
  local: SqliteStore,
): Promise<Gathered> {
  const config = ctx.config();
  const now = Date.now();
  const digests = await readSessionDigests(config.paths.logs, { cacheDir: digestCacheDir(config) });
  const localIds = new Set(listSessionIds(config.paths.logs));
  // An id that is not on this machine may still be in a backup: it is kept as given.
  const given = options.session;
  const session =
    given === undefined
      ? undefined
      : await resolveSession(config.paths.logs, given).catch((error) => {
          if (given === 'active') throw error;
          return given;
        });
  const request = resolveRequest(
    { scope: args[0], phase: args[1], days: options.days, session },
    digests,
    now,
  );
  if (options.localOnly || ('session' in request.scope && localIds.has(request.scope.session)))
    return { request, digests, stored: NO_STORED, store: local };
  const { gatherStoredSessions, storeWithStored, storedFilterOf } = await import(
    '../review/review-sources.js'
  );
  const stored = await gatherStoredSessions(
    ctx,
    storedFilterOf(request.scope, digests, now),
    localIds,
    join(workDir, 'stored'),
  );
  if (stored.read.length === 0) return { request, digests, stored, store: local };
  ctx.note(
    `sat: read ${stored.read.length} session${stored.read.length === 1 ? '' : 's'} from backups and archives (not restored)`,
  );
  const extra = await readSessionDigests(stored.logsDir);
  return {
    request,
    digests: [...digests, ...extra],
    stored,
    store: await storeWithStored(ctx, local, stored, workDir),
  };
}

function reportOf(
  review: Awaited<ReturnType<typeof reviewPhase>>,
  g: Gathered,
  localIds: ReadonlySet<string>,
): ReviewReport {
  const inScope = new Set(review.sessions);
  const from = (source: 'backup' | 'archive') =>
    g.stored.read.filter((r) => r.source === source && inScope.has(r.session)).length;
  return {
    ...review,
    generatedAt: new Date().toISOString(),
    sources: {
      local: review.sessions.filter((s) => localIds.has(s)).length,
      backup: from('backup'),
      archive: from('archive'),
      unreadable: g.stored.unreadable,
    },
  };
}

/** The charts of the HTML page, as SVG by name. */
async function charts(
  store: AnalyticsStore,
  g: Gathered,
  report: ReviewReport,
): Promise<Record<string, string>> {
  const [
    { renderSvg },
    { agentPerformanceSpec },
    { errorHeatmapSpec },
    { errorsByAgent },
    { usageSeriesSpec },
  ] = await Promise.all([
    import('../charts/render-chart.js'),
    import('../charts/agent-performance-spec.js'),
    import('../charts/error-heatmap-spec.js'),
    import('../charts/error-cells.js'),
    import('../charts/usage-series-spec.js'),
  ]);
  const today = report.generatedAt.slice(0, 10);
  const agents = await store.agentPerformance(g.request.query);
  const cells = await errorsByAgent(store, g.request.query);
  const specs: Record<string, object> = {
    agents: agentPerformanceSpec(agents, today),
    errors: errorHeatmapSpec({ by: 'agent', filters: agents.filters, cells }, today),
    perDay: usageSeriesSpec(
      'Tokens and cost per day',
      report.scope,
      report.series.byDay.map((d) => ({ key: d.day, tokens: d.tokens, costUsd: d.costUsd })),
    ),
    perSession: usageSeriesSpec(
      'Tokens and cost per session',
      report.scope,
      report.series.bySession.map((s) => ({
        key: s.session.slice(-8),
        tokens: s.tokens,
        costUsd: s.costUsd,
      })),
    ),
  };
  const out: Record<string, string> = {};
  for (const [name, spec] of Object.entries(specs)) out[name] = await renderSvg(spec);
  return out;
}

function writePrivate(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, text, { mode: 0o600 });
}

/** `sat review [phase <N>] [--days D] [--session S]`: the review of a scope, written and summarised. */
export const run: HandlerOf<typeof reviewCommand> = async (ctx, args, options) => {
  const config = ctx.config();
  const workDir = mkdtempSync(join(tmpdir(), 'sat-review-'));
  const local = await openSqliteStoreOf(ctx);
  let g: Gathered | undefined;
  let report: ReviewReport;
  let svgs: Record<string, string> = {};
  try {
    await local.ingestLog();
    g = await gather(ctx, [args[0], args[1]], options, workDir, local);
    const review = await reviewPhase(g.store, g.request.scope, { digests: g.digests, prices: config.prices });
    report = reportOf(review, g, new Set(listSessionIds(config.paths.logs)));
    if (options.team) {
      const activity = await g.store.team(g.request.query);
      report.team = foldTeamActivity(activity, () => activity.filters.from ?? 'all');
    }
    if (options.html !== undefined) svgs = await charts(g.store, g, report);
  } finally {
    if (g && g.store !== local) await g.store.close();
    await local.close();
    rmSync(workDir, { recursive: true, force: true });
  }
  const { reviewDocument } = await import('../review/review-document.js');
  const { renderMarkdown } = await import('../review/render-markdown.js');
  const doc = reviewDocument(report);
  const mdFile = options.out ? resolve(options.out) : join(config.root, 'reviews', `${g.request.stem}.md`);
  writePrivate(mdFile, renderMarkdown(doc));
  let htmlFile: string | undefined;
  if (options.html !== undefined) {
    const { renderHtml } = await import('../review/render-html.js');
    htmlFile =
      typeof options.html === 'string' ? resolve(options.html) : mdFile.replace(/\.md$/i, '') + '.html';
    writePrivate(htmlFile, renderHtml(doc, svgs));
  }
  if (options.json) {
    printJson(ctx, { ...report, files: { markdown: mdFile, ...(htmlFile ? { html: htmlFile } : {}) } });
    return 0;
  }
  const { printReviewSummary } = await import('../review/review-summary.js');
  printReviewSummary(ctx, report, [mdFile, ...(htmlFile ? [htmlFile] : [])]);
  return 0;
};
