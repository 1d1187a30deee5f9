import {
  type AnySatEvent,
  BACKUP_CONTEXT_WARNING_PERCENT,
  DEFAULT_PRICES,
  type PriceTable,
  summarizeSessionState,
} from '@sat/core';
import { summarize } from '../event-summary.js';
import type { LiveModel, LiveSession } from './live-model.js';

/** What the user has chosen with the keys. */
export interface DashboardUi {
  /** The session shown (undefined: the first, the latest open one). */
  session?: string;
  paused: boolean;
  /** Show only the events of this agent (undefined: all). */
  agent?: string;
  /** Index of the selected event in the (filtered) recent list, newest first. */
  selected: number;
  /** Show the selected event's details. */
  details: boolean;
}

/** The user's average session, from the history (see `historyAverages`). */
export interface HistoryAverage {
  sessions: number;
  tokens: number;
  cost: number;
  toolCalls: number;
}

/** One row of a table of the view: a name and its figures. */
export interface UsageRow {
  name: string;
  tokens: number;
  cost: number;
}

/** Everything one frame shows, computed from the live model alone (pure). */
export interface DashboardView {
  sessions: Array<{ id: string; active: boolean }>;
  /** Index of the session shown in `sessions`. */
  index: number;
  /** The session shown (absent: nothing captured yet). */
  session?: {
    id: string;
    model?: string;
    elapsedMs: number;
    ended: boolean;
    eventCount: number;
    tokens: number;
    cost: number;
    byModel: UsageRow[];
    byAgent: UsageRow[];
    context?: { percent: number; tokens: number; window: number };
    /** Running agents with their depth in the tree of who invoked whom. */
    agents: Array<{ agent: string; parent: string; depth: number; elapsedMs: number }>;
    inFlight: Array<{ tool: string; agent: string; elapsedMs: number }>;
    tools: Array<{ tool: string; agent: string; durationMs?: number; ok: boolean; error?: string }>;
    errors: { count: number; open: number; latest: string[] };
    alerts: Array<{ level: string; message: string }>;
    events: Array<{ seq: number; time: string; agent: string; type: string; text: string }>;
    tokensPerMinute: number[];
    latencies: number[];
    versus?: { average: HistoryAverage; tokens: number; cost: number; toolCalls: number };
    agentNames: string[];
  };
  /** The handoff mark on the context bar, in percent. */
  threshold: number;
  ui: DashboardUi;
  issues: { count: number; latest?: string };
  details?: string[];
}

/** The ui state a dashboard starts with. */
export const INITIAL_UI: DashboardUi = { paused: false, selected: 0, details: false };

/** The sessions, the ones still open first, then by their latest event, newest first. */
export function orderedSessions(model: LiveModel): LiveSession[] {
  return [...model.sessions.values()].sort(
    (a, b) =>
      Number(a.state.ended || a.closed) - Number(b.state.ended || b.closed) ||
      (b.state.lastEventAt ?? '').localeCompare(a.state.lastEventAt ?? ''),
  );
}

/** The names of the agents that have events in a session, `main` first. */
export function agentNamesOf(live: LiveSession): string[] {
  const names = new Set(live.recent.map((e) => e.agent));
  return [...names].sort((a, b) => Number(b === 'main') - Number(a === 'main') || a.localeCompare(b));
}

function visibleEvents(live: LiveSession, agent: string | undefined): AnySatEvent[] {
  const events = agent ? live.recent.filter((e) => e.agent === agent) : live.recent;
  return [...events].reverse();
}

function agentTree(live: LiveSession, now: number): NonNullable<DashboardView['session']>['agents'] {
  const running = live.state.agents.running;
  const depthOf = (parent: string | undefined, seen: Set<string>): number => {
    if (!parent || parent === 'main' || seen.has(parent)) return 1;
    const up = running.find((r) => r.agent === parent);
    return up ? 1 + depthOf(up.invokedBy, seen.add(parent)) : 1;
  };
  return running.map((run) => ({
    agent: run.agent,
    parent: run.invokedBy ?? 'main',
    depth: depthOf(run.invokedBy, new Set()),
    elapsedMs: Math.max(0, now - Date.parse(run.startedAt)),
  }));
}

function toolRows(live: LiveSession): NonNullable<DashboardView['session']>['tools'] {
  const rows: NonNullable<DashboardView['session']>['tools'] = [];
  for (let i = live.recent.length - 1; i >= 0 && rows.length < 20; i--) {
    const event = live.recent[i]!;
    if (event.type !== 'tool_usage') continue;
    rows.push({
      tool: event.data.tool,
      agent: event.agent,
      ok: event.data.success,
      ...(event.data.duration_ms !== undefined ? { durationMs: event.data.duration_ms } : {}),
      ...(event.data.error ? { error: event.data.error.split('\n')[0] } : {}),
    });
  }
  return rows;
}

function sparkline(map: Map<number, number>, now: number, minutes: number): number[] {
  const last = Math.floor(now / 60_000);
  return Array.from({ length: minutes }, (_, i) => map.get(last - minutes + 1 + i) ?? 0);
}

function eventDetails(event: AnySatEvent | undefined): string[] | undefined {
  if (!event) return undefined;
  const head = `${event.type} #${event.seq} ${event.ts} agent ${event.agent} id ${event.id}`;
  return [head, ...JSON.stringify(event.data, null, 2).split('\n')];
}

function alertsOf(live: LiveSession): Array<{ level: string; message: string }> {
  return live.recent
    .filter((e) => e.type === 'alert')
    .slice(-5)
    .reverse()
    .map((e) =>
      e.type === 'alert' ? { level: e.data.level, message: e.data.message } : { level: '', message: '' },
    );
}

/** Inputs of {@link dashboardView} besides the model. */
export interface ViewInputs {
  ui: DashboardUi;
  now: number;
  prices?: PriceTable;
  history?: HistoryAverage;
}

function sessionView(
  live: LiveSession,
  model: LiveModel,
  inputs: ViewInputs,
): NonNullable<DashboardView['session']> {
  const { state } = live;
  const summary = summarizeSessionState(state, inputs.prices ?? DEFAULT_PRICES);
  const started = state.start ? Date.parse(state.start) : live.firstSeenAt;
  const end = state.ended && state.lastEventAt ? Date.parse(state.lastEventAt) : inputs.now;
  const toolCalls = live.recent.filter((e) => e.type === 'tool_usage').length;
  const rows = (entries: Array<[string, { cost?: number; tokens: number }]>) =>
    entries
      .map(([name, v]) => ({ name, tokens: v.tokens, cost: v.cost ?? 0 }))
      .sort((a, b) => b.tokens - a.tokens);
  const total = (t: { input: number; output: number; cacheCreation: number; cacheRead: number }) =>
    t.input + t.output + t.cacheCreation + t.cacheRead;
  return {
    id: state.session,
    ...(state.model ? { model: state.model } : {}),
    elapsedMs: Math.max(0, end - started),
    ended: state.ended || live.closed,
    eventCount: state.events,
    tokens: summary.totalTokens,
    cost: summary.cost,
    byModel: rows(
      Object.entries(summary.byModel).map(([k, v]) => [k, { tokens: total(v.tokens), cost: v.cost }]),
    ),
    byAgent: rows(
      Object.entries(summary.byAgent).map(([k, v]) => [k, { tokens: total(v.tokens), cost: v.cost }]),
    ),
    ...(summary.context ? { context: summary.context } : {}),
    agents: agentTree(live, inputs.now),
    inFlight: model.inFlight
      .filter((c) => c.session === state.session)
      .map((c) => ({ tool: c.tool, agent: c.agent, elapsedMs: Math.max(0, inputs.now - c.ts) })),
    tools: toolRows(live),
    errors: {
      count: state.errors.count,
      open: summary.openErrors,
      latest: state.errors.open.slice(-3).map((e) => `${e.agent} ${e.errorType}: ${e.message ?? ''}`.trim()),
    },
    alerts: alertsOf(live),
    events: visibleEvents(live, inputs.ui.agent).map((e) => ({
      seq: e.seq,
      time: e.ts.slice(11, 19),
      agent: e.agent,
      type: e.type,
      text: summarize(e),
    })),
    tokensPerMinute: sparkline(live.tokensPerMinute, inputs.now, 20),
    latencies: [...live.latencies],
    ...(inputs.history && inputs.history.sessions > 0
      ? { versus: { average: inputs.history, tokens: summary.totalTokens, cost: summary.cost, toolCalls } }
      : {}),
    agentNames: agentNamesOf(live),
  };
}

/**
 * The view of one frame: the selected session's figures (tokens and cost from core's usage
 * model through `summarizeSessionState`, the context figure `sat status` shows), its running
 * agents as a tree, tools in flight and recent, errors, alerts, the recent events (filtered by
 * agent), the sparklines, and the comparison with the user's average session. Pure.
 *
 * @example
 * const view = dashboardView(model, { ui: INITIAL_UI, now: Date.now() });
 */
export function dashboardView(model: LiveModel, inputs: ViewInputs): DashboardView {
  const sessions = orderedSessions(model);
  const found = sessions.findIndex((s) => s.state.session === inputs.ui.session);
  const index = Math.max(0, found);
  const live = sessions[index];
  const ui = live ? { ...inputs.ui, session: live.state.session } : inputs.ui;
  const view: DashboardView = {
    sessions: sessions.map((s) => ({ id: s.state.session, active: !(s.state.ended || s.closed) })),
    index,
    threshold: BACKUP_CONTEXT_WARNING_PERCENT,
    ui,
    issues: {
      count: model.issueCount,
      ...(model.issues.length ? { latest: model.issues[model.issues.length - 1]!.message } : {}),
    },
  };
  if (!live) return view;
  view.session = sessionView(live, model, inputs);
  if (ui.details) {
    const events = visibleEvents(live, ui.agent);
    const details = eventDetails(events[Math.min(ui.selected, events.length - 1)]);
    if (details) view.details = details;
  }
  return view;
}
