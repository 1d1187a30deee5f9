/**
 * The events, constants and comparisons the analytics store contract suites share. No vitest here.
 */
import { createHash } from 'node:crypto';
import type { NewEvent } from '../events/envelope.js';
import type { EventPayloads, EventType } from '../events/payloads.js';
import { priceUsage } from '../pricing/prices.js';
import type { AnalyticsFilters } from '../projections/analytics-filters.js';
import type { AnalyticsQuery, AnalyticsStore } from '../projections/analytics-store.js';

/** "Now" of every query: 2026-03-01T12:00Z. The events happen in February 2026. */
export const NOW = Date.UTC(2026, 2, 1, 12);
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const SONNET = 'claude-sonnet-4-5-20250929';
export const OPUS = 'claude-opus-4-6';
export const HAIKU = 'claude-haiku-4-5-20251001';
export const UNKNOWN = 'claude-future-9';

export interface Step {
  type: EventType;
  data: Record<string, unknown>;
  agent?: string;
  session?: string;
  /** Time as ms before NOW. */
  ago?: number;
  /** The event's `meta` (`origin` for an event imported from someone else's bundle). */
  meta?: Record<string, unknown>;
}

/** Builds events for the log: each step one event, one second after the previous by default. */
export function events(session: string, steps: Step[], startAgo = 2 * DAY): NewEvent[] {
  return steps.map((step, i) => ({
    type: step.type,
    session: step.session ?? session,
    agent: step.agent ?? 'main',
    ts: new Date(NOW - (step.ago ?? startAgo - i * 1000)).toISOString(),
    data: step.data as EventPayloads[EventType],
    ...(step.meta ? { meta: step.meta } : {}),
  }));
}

export const tokens = (input: number, output: number, cacheCreation = 0, cacheRead = 0) => ({
  input,
  output,
  cacheCreation,
  cacheRead,
});

export function api(
  model: string,
  t: ReturnType<typeof tokens>,
  extra: Partial<EventPayloads['api_response']> & { id: string },
): Step['data'] {
  const { id, ...rest } = extra;
  return {
    model,
    message_id: `msg_${id}`,
    request_id: `req_${id}`,
    tokens: t,
    source: 'transcript',
    ...rest,
  };
}

export const cost = (model: string, t: ReturnType<typeof tokens>) => priceUsage(model, t).cost!;

/** Every query with every filter combination the suite compares. */
export const PROBES: AnalyticsFilters[] = [
  {},
  { days: 'all' },
  { days: 7 },
  { phase: 1 },
  { phase: 2, agent: 'main' },
  { agent: 'code-reviewer' },
  { agent: 'explorer', days: 'all' },
  { user: 'nobody' },
  { machine: 'nowhere', days: 'all' },
];

export async function snapshot(store: AnalyticsStore, sessions: readonly string[]): Promise<unknown[]> {
  const out: unknown[] = [];
  const probes: AnalyticsQuery[] = [
    ...PROBES,
    ...sessions.flatMap((session) => [{ session }, { session, phase: 2 }]),
  ].map((probe) => ({ ...probe, now: NOW }));
  for (const probe of probes) {
    out.push(
      await store.agentPerformance(probe),
      await store.toolEffectiveness(probe),
      await store.errorPatterns(probe),
      await store.costAnalysis(probe),
      await store.sessionSummary(probe),
      await store.team(probe),
    );
  }
  return out;
}

export function hash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

/** Deterministic shuffle-free split of `list` into batches of 1..max items. */
export function batches<T>(list: readonly T[], seed: number, max = 97): T[][] {
  let state = seed;
  const out: T[][] = [];
  for (let i = 0; i < list.length; ) {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    const size = 1 + (state % max);
    out.push(list.slice(i, i + size));
    i += size;
  }
  return out;
}
