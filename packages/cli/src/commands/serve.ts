import {
  createHandoff,
  ingestCapture,
  listAlerts,
  readSessionEvents,
  readSessionPhase,
  receiveOtlp,
  SatError,
  sessionLogFiles,
  sessionOverview,
} from '@sat/core';
import type { PageApi, WebApi } from '@sat/web';
import { backupTarget } from '../backup-target.js';
import type { HandlerOf } from '../command-spec.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import type { serveCommand } from '../registry.js';
import { resolveSession } from '../session-arg.js';
import { sessionRows } from '../session-rows.js';
import { loadWeb } from '../web-loader.js';
import { parseAlertDays } from './alerts.js';
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

/**
 * The queries of `sat serve`, answered with the functions the CLI commands use for `--json`, so
 * each answer equals the command's output.
 *
 * @example
 * const app = createWebApp({ api: cliWebApi(ctx) });
 */
export function cliWebApi(ctx: CliContext): WebApi & PageApi {
  const config = () => ctx.config();
  const session = (id: string) => asSatError(() => resolveSession(config().paths.logs, id));
  return {
    sessions: async () => (await sessionRows(config())) as unknown as Array<Record<string, unknown>>,
    sessionPhase: (id) => readSessionPhase(sessionLogFiles(config().paths.logs, id)),
    show: async (id) => sessionOverview(config().paths.logs, await session(id), { prices: config().prices }),
    events: async (id, filters) => {
      const out: Array<Record<string, unknown>> = [];
      for await (const event of readSessionEvents(config().paths.logs, await session(id)))
        if (eventMatches(event, filters)) out.push(event as unknown as Record<string, unknown>);
      return out;
    },
    stats: (report, filters) =>
      asSatError(
        async () => (await queryReport<unknown>(ctx, REPORT_QUERIES[report], undefined, filters)).result,
      ),
    alerts: (filters) =>
      asSatError(async () => {
        const days = parseAlertDays(filters.days);
        const id = filters.session ? await session(filters.session) : undefined;
        return listAlerts(config(), {
          ...(days !== undefined ? { days } : {}),
          ...(id ? { session: id } : {}),
        });
      }),
    snapshots: async (id) => snapshotListing(config(), await session(id)),
    handoff: async (id) => createHandoff(config(), await session(id), { trigger: 'manual' }),
    backups: async () => (await backupsListing(config(), await backupTarget(config()), false)).json,
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
  const app = web.createWebApp({
    api: cliWebApi(ctx),
    live,
    otlp: (signal, body) => receiveOtlp(config, signal, body),
    ...(token ? { token } : {}),
  });
  let server: Awaited<ReturnType<typeof web.startWebServer>>;
  try {
    server = await web.startWebServer(app, { host, port });
  } catch (error) {
    live.close();
    throw error;
  }
  const url = token ? `${server.url}/?token=${encodeURIComponent(token)}` : `${server.url}/`;
  ctx.print(`sat serve: listening on ${url}`);
  if (token && options.token === undefined) ctx.print(`  token (printed once): ${token}`);
  if (options.open) openBrowser(url);
  await untilStopped();
  live.close();
  await server.close();
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
