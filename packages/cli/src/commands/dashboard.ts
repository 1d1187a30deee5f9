import {
  configRedactor,
  createLiveWatch,
  ingestCapture,
  type LiveBatch,
  type LiveWatch,
  SatError,
  transcriptRoots,
} from '@sat/core';
import type { HandlerOf } from '../command-spec.js';
import type { CliContext } from '../context.js';
import { historyAverages } from '../dashboard/history.js';
import { applyLiveBatch, emptyLiveModel, type LiveModel } from '../dashboard/live-model.js';
import { renderFrame } from '../dashboard/render-frame.js';
import { type DashboardUi, dashboardView, type HistoryAverage, INITIAL_UI } from '../dashboard/view-model.js';
import type { dashboardCommand } from '../registry.js';

function colourOn(ctx: CliContext): boolean {
  return ctx.out.isTTY === true && !process.env.NO_COLOR;
}

interface Live {
  live: LiveWatch;
  model: LiveModel;
  /** Batches not applied yet (while paused). */
  queue: LiveBatch[];
}

/** Applies the batches that came in, unless the user paused the view. */
function flush(state: Live, paused: boolean): void {
  if (paused) return;
  for (const batch of state.queue.splice(0)) applyLiveBatch(state.model, batch, Date.now());
}

async function startModel(ctx: CliContext): Promise<Live> {
  const config = ctx.config();
  const model = emptyLiveModel();
  const queue: LiveBatch[] = [];
  const live = createLiveWatch({
    logsDir: config.paths.logs,
    // The whole pipeline, as the background `sat ingest` would run it: the payloads the dashboard
    // takes from the spool still get their transcripts imported, snapshots, handoffs and closes.
    ingest: () => ingestCapture(config),
    redactor: configRedactor(config),
    transcriptRoots: transcriptRoots(config.capture.transcriptRoots),
    onBatch: (batch) => queue.push(batch),
  });
  await live.tick();
  const state = { live, model, queue };
  flush(state, false);
  return state;
}

async function interactive(
  ctx: CliContext,
  state: Live,
  history: () => HistoryAverage | undefined,
): Promise<void> {
  const { live, model } = state;
  // Ink draws only the last frame when CI is set (is-in-ci, read when Ink loads); on a real
  // terminal the dashboard is interactive whatever the environment says.
  for (const key of ['CI', 'CONTINUOUS_INTEGRATION']) if (key in process.env) process.env[key] = '0';
  const [{ render }, { createElement }, { DashboardApp }] = await Promise.all([
    import('ink'),
    import('react'),
    import('../dashboard/app.js'),
  ]);
  const config = ctx.config();
  live.start();
  const view = (ui: DashboardUi) => {
    flush(state, ui.paused);
    const hist = history();
    return dashboardView(model, {
      ui,
      now: Date.now(),
      prices: config.prices,
      ...(hist ? { history: hist } : {}),
    });
  };
  const app = render(createElement(DashboardApp, { view, color: colourOn(ctx) }), {
    stdout: ctx.out as NodeJS.WriteStream,
    stdin: ctx.stdin as NodeJS.ReadStream,
    exitOnCtrlC: true,
  });
  try {
    await app.waitUntilExit();
  } finally {
    live.close();
  }
}

/** Shows the live sessions full-screen, refreshed every second; `--once` prints one frame. */
export const run: HandlerOf<typeof dashboardCommand> = async (ctx, _args, options) => {
  const config = ctx.config();
  if (!options.once && ctx.stdin.isTTY !== true)
    throw new SatError(
      'USAGE',
      "[cli] sat dashboard needs a terminal to read keys from (stdin is not a TTY): run it in a terminal, or use 'sat dashboard --once' to print one frame",
    );
  const state = await startModel(ctx);
  const { live, model } = state;
  const shown = [...model.sessions.keys()];
  if (options.once) {
    live.close();
    const history = await historyAverages(config.paths.logs, shown, config.prices);
    const width = Number(options.width ?? ctx.out.columns ?? 80);
    const height = Number(options.height ?? 24);
    const view = dashboardView(model, {
      ui: INITIAL_UI,
      now: Date.now(),
      prices: config.prices,
      ...(history ? { history } : {}),
    });
    for (const line of renderFrame(view, { width, height, color: colourOn(ctx) })) ctx.print(line.trimEnd());
    return 0;
  }
  let history: HistoryAverage | undefined;
  void historyAverages(config.paths.logs, shown, config.prices)
    .then((h) => {
      history = h;
    })
    .catch(() => {});
  await interactive(ctx, state, () => history);
  return 0;
};
