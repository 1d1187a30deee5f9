/**
 * A request known only from Claude Code's OpenTelemetry record (no transcript line yet) counts
 * exactly once, with Claude Code's cost, in every view: `sat show` (sessionOverview), `sat status`
 * and the statusline's summary file (the session state, replayed from a snapshot), and
 * `sat stats cost` / `sat stats session` (the SQLite projections). When the transcript's line of the
 * same request arrives later, its tokens replace the record's and nothing doubles; the other order
 * gives the same figures.
 */
import { join } from 'node:path';
import {
  EventWriter,
  loadConfig,
  type NewEvent,
  readSessionSummaryFile,
  sessionSummaryFilePath,
  writeSessionSummaryFiles,
} from '@sat/core';
import { describe, expect, it } from 'vitest';
import { sat, tempDir } from './helpers.js';

const SESSION = '0c0c0c0c-1111-4222-8333-444455556666';
const MODEL = 'claude-sonnet-4-5';
const OTEL_COST = 0.0421;

type Step = 'priced' | 'otel' | 'transcript';

/** The shared fixture: one priced transcript response, then request `req_b` from OTel and/or the transcript. */
function fixtureEvents(step: Step): NewEvent[] {
  const at = (s: number) => `2026-12-01T10:00:0${s}.000Z`;
  switch (step) {
    case 'priced':
      return [
        { type: 'session_start', session: SESSION, ts: at(0), data: { cwd: '/p' } },
        response(at(1), 'transcript', 'msg_a', 'req_a', 200),
      ];
    case 'otel':
      return [response(at(2), 'otel', 'req_b', 'req_b', 300)];
    case 'transcript':
      return [response(at(3), 'transcript', 'msg_b', 'req_b', 320)];
  }
}

function response(
  ts: string,
  source: 'otel' | 'transcript',
  messageId: string,
  requestId: string,
  output: number,
): NewEvent {
  return {
    type: 'api_response',
    session: SESSION,
    ts,
    data: {
      model: MODEL,
      message_id: messageId,
      request_id: requestId,
      tokens: { input: 12, output, cacheCreation: 0, cacheRead: 6000 },
      source,
      ...(source === 'otel' ? { cost_usd: OTEL_COST } : {}),
    },
  };
}

async function append(home: string, step: Step): Promise<void> {
  const writer = new EventWriter({ logsDir: join(home, 'logs') });
  for (const event of fixtureEvents(step)) writer.append(event);
  await writer.close();
}

async function json(home: string, args: string[]): Promise<Record<string, unknown>> {
  const run = await sat(['--home', home, ...args, '--json']);
  expect(run.code, `sat ${args.join(' ')}: ${run.stderr}`).toBe(0);
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

/** What a view says about the session: all its tokens and its cost (USD, rounded to 1e-9). */
interface Figures {
  totalTokens: number;
  cost: number;
}

const round = (n: number) => Math.round(n * 1e9) / 1e9;
const figures = (totalTokens: number, cost: number): Figures => ({ totalTokens, cost: round(cost) });

/** The figures of each view, read the way the commands and the statusline read them. */
const VIEWS: Record<string, (home: string) => Promise<Figures>> = {
  'sat show (sessionOverview)': async (home) => {
    const show = (await json(home, ['show', SESSION])) as { totalTokens: number; cost: number };
    return figures(show.totalTokens, show.cost);
  },
  'sat status (session state)': async (home) => {
    const { summary } = (await json(home, ['status', SESSION])) as {
      summary: { totalTokens: number; cost: number };
    };
    return figures(summary.totalTokens, summary.cost);
  },
  'statusline summary file (session state)': async (home) => {
    const config = loadConfig({ root: home });
    expect((await writeSessionSummaryFiles(config, [SESSION])).warnings).toEqual([]);
    const { summary, problem } = readSessionSummaryFile(sessionSummaryFilePath(config.root, SESSION));
    expect(problem).toBeUndefined();
    return figures(summary!.totalTokens, summary!.cost);
  },
  'sat stats cost (SQLite projections)': async (home) => {
    const cost = (await json(home, ['stats', 'cost', '--days', 'all'])) as {
      tokens: { total: number };
      cost: number;
    };
    return figures(cost.tokens.total, cost.cost);
  },
  'sat stats session (SQLite projections)': async (home) => {
    const one = (await json(home, ['stats', 'session', SESSION, '--days', 'all'])) as {
      tokens: { total: number };
      pricedCost: number;
    };
    return figures(one.tokens.total, one.pricedCost);
  },
};

describe("a request known only from Claude Code's OpenTelemetry record", () => {
  for (const [view, read] of Object.entries(VIEWS)) {
    it(`${view}: counted once with Claude Code's cost; the transcript's line later replaces its tokens, never doubles`, async () => {
      const home = tempDir();
      await append(home, 'priced');
      const priced = await read(home);
      expect(priced.totalTokens).toBe(6212);
      expect(priced.cost).toBeGreaterThan(0);

      await append(home, 'otel');
      const otelOnly = figures(6212 + 6312, priced.cost + OTEL_COST);
      expect(await read(home)).toEqual(otelOnly);
      expect((await sat(['--home', home, 'snapshot', 'create', SESSION])).code).toBe(0);
      expect(await read(home)).toEqual(otelOnly);

      await append(home, 'transcript');
      const joined = figures(6212 + 6332, priced.cost + OTEL_COST);
      expect(await read(home)).toEqual(joined);

      const reversed = tempDir();
      for (const step of ['priced', 'transcript', 'otel'] as const) await append(reversed, step);
      expect(await read(reversed)).toEqual(joined);
    });
  }
});
