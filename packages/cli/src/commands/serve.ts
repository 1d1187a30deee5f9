import {
  type AlertMemo,
  type AnySatEvent,
  createHandoff,
  describeOwner,
  ingestCapture,
  LogMemo,
  listAlerts,
  readLatestHandoff,
  readSessionEvents,
  receiveOtlp,
  type SatConfig,
  SatError,
  type SessionOverview,
  sessionOverview,
} from '@sat/core';
import type { AnalyticsQuery } from '@sat/core/projections';
import type { PageApi, WebApi } from '@sat/web';
import type { CliStore } from '../analytics.js';
import { backupTarget } from '../backup-target.js';
import type { HandlerOf } from '../command-spec.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { liveStore } from '../live-store.js';
import type { serveCommand } from '../registry.js';
import { type ServedSessions, servedSessions } from '../served-sessions.js';
import { resolveSession } from '../session-arg.js';
import { loadWeb } from '../web-loader.js';
import { alertMemo, parseAlertDays } from './alerts.js';
import { backupsListing } from './backups.js';
import { chartData } from './chart.js';
import { eventMatches } from './events.js';
import { snapshotListing } from './snapshot.js';
import { queryReport, REPORT_QUERIES } from './stats.js';
import { statusReport } from './status.js';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/** Runs `fn`, turning the CLI's user errors into SatErrors: a missing session is `SESSION_NOT_FOUND`, the rest `USAGE`. */
async function asSatError<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    const code = /^no session matches/.test(error.message) ? 'SESSION_NOT_FOUND' : 'USAGE';
    throw new SatError(code, error.message, { cause: error });
  }
}

/** What `sat serve` keeps between requests, so an answer reads only the logs that changed. */
interface ServeMemos {
  overviews: LogMemo<SessionOverview>;
  events: LogMemo<AnySatEvent[]>;
  alerts: AlertMemo;
}

function serveMemos(config: SatConfig): ServeMemos {
  const logsDir = config.paths.logs;
  return {
    overviews: new LogMemo(logsDir, { maxEntries: 64 }),
    events: new LogMemo(logsDir, { maxEntries: 8 }),
    alerts: alertMemo(config),
  };
}

async function readAll(logsDir: string, session: string): Promise<AnySatEvent[]> {
  const out: AnySatEvent[] = [];
  for await (const event of readSessionEvents(logsDir, session)) out.push(event);
  return out;
}

/** A {@link WebApi} that holds an open analytics store: `close` releases it. */
export type CliWebApi = WebApi & PageApi & { close(): Promise<void> };

/**
 * The queries of `sat serve`, answered with the functions the CLI commands use for `--json`, so
 * each answer equals the command's output. It lives as long as the server: the session usage
 * index, the analytics store (ingested only when a log changed) and what each log gave (phase,
 * overview, events, alerts, digests) are kept and read again only for a log that changed.
 *
 * @example
 * const api = cliWebApi(ctx);
 * const app = createWebApp({ api });
 * await api.close();
 */
export function cliWebApi(ctx: CliContext): CliWebApi {
  const config = () => ctx.config();
  const logs = () => config().paths.logs;
  const session = (id: string) => asSatError(() => resolveSession(logs(), id));
  let memos: ServeMemos | undefined;
  const memo = () => {
    memos ??= serveMemos(config());
    return memos;
  };
  let listing: ServedSessions | undefined;
  const sessions = () => {
    listing ??= servedSessions(config());
    return listing;
  };
  const store = liveStore(ctx);
  return {
    sessions: async () => (await sessions().rows()) as unknown as Array<Record<string, unknown>>,
    sessionPhase: (id) => sessions().phase(id),
    show: async (id) => {
      const found = await session(id);
      const overview = await memo().overviews.get(found, () =>
        sessionOverview(logs(), found, { prices: config().prices }),
      );
      return { ...overview, owner: describeOwner(overview.origin, config().identity) };
    },
    events: async (id, filters) => {
      const found = await session(id);
      const events = await memo().events.get(found, () => readAll(logs(), found));
      return events.filter((event) => eventMatches(event, filters)) as unknown as Array<
        Record<string, unknown>
      >;
    },
    stats: (report, filters) =>
      asSatError(async () => {
        const day = new Date().toISOString().slice(0, 10);
        const run = (s: CliStore, q: AnalyticsQuery) =>
          store.answer<unknown>(`${report} ${day} ${JSON.stringify(q)}`, () => REPORT_QUERIES[report](s, q));
        return (await queryReport<unknown>(ctx, run, undefined, filters, store.current)).result;
      }),
    alerts: (filters) =>
      asSatError(async () => {
        const days = parseAlertDays(filters.days);
        const id = filters.session ? await session(filters.session) : undefined;
        const listing = await listAlerts(config(), {
          ...(days !== undefined ? { days } : {}),
          ...(id ? { session: id } : {}),
          memo: memo().alerts,
        });
        memo().alerts.save();
        return listing;
      }),
    snapshots: async (id) => snapshotListing(config(), await session(id)),
    handoff: async (id) => readLatestHandoff(config(), await session(id)),
    createHandoff: async (id) => createHandoff(config(), await session(id), { trigger: 'manual' }),
    backups: async () => (await backupsListing(config(), await backupTarget(config()), false)).json,
    close: () => store.close(),
    chart: (kind, filters) => asSatError(() => chartData(ctx, kind, filters)),
    status: async (id) => (await statusReport(ctx, await session(id))).report,
  };
}

function parsePort(text: string | undefined): number {
  if (text === undefined) return 8000;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new UsageError(`--port must be a whole number from 0 to 65535, got '${text}'`);
  return port;
}

/** Resolves once SIGINT or SIGTERM arrives (or `stop` is aborted). */
function untilStopped(signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.removeListener('SIGINT', done);
      process.removeListener('SIGTERM', done);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Serves the JSON API and the live stream until SIGINT or SIGTERM. */
export const run: HandlerOf<typeof serveCommand> = async (ctx, _args, options) => {
  const host = options.host ?? '127.0.0.1';
  const port = parsePort(options.port);
  const web = await loadWeb();
  const needsToken = !LOOPBACK.has(host) || options.token !== undefined;
  const token = needsToken ? (options.token ?? web.generateToken()) : undefined;
  const config = ctx.config();
  const live = await web.createLiveStream({
    logsDir: config.paths.logs,
    ingest: () => ingestCapture(config),
  });
  const api = cliWebApi(ctx);
  const app = web.createWebApp({
    api,
    live,
    otlp: (signal, body) => receiveOtlp(config, signal, body),
    ...(token ? { token } : {}),
  });
  let server: Awaited<ReturnType<typeof web.startWebServer>>;
  try {
    server = await web.startWebServer(app, { host, port });
  } catch (error) {
    live.close();
    await api.close();
    throw error;
  }
  const url = token ? `${server.url}/?token=${encodeURIComponent(token)}` : `${server.url}/`;
  ctx.print(`sat serve: listening on ${url}`);
  if (token && options.token === undefined) ctx.print(`  token (printed once): ${token}`);
  if (options.open) openBrowser(url);
  await untilStopped();
  live.close();
  await server.close();
  await api.close();
  ctx.note('sat serve: stopped');
  return 0;
};

function openBrowser(url: string): void {
  const command =
    process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'start' : 'xdg-open';
  void import('node:child_process').then(({ spawn }) => {
    const child = spawn(command, [url], {
      stdio: 'ignore',
      detached: true,
      shell: process.platform === 'win32',
    });
    child.on('error', () => undefined);
    child.unref();
  });
}
