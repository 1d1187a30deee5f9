import type { DashboardUi, DashboardView } from './view-model.js';

/** The keys of the dashboard and what they do (the footer and docs/dashboard.md list them). */
export const DASHBOARD_KEYS: ReadonlyArray<[string, string]> = [
  ['tab', 'next session'],
  ['p', 'pause'],
  ['a', 'filter by agent'],
  ['↑↓', 'select event'],
  ['enter', 'details'],
  ['q', 'quit'],
];

/** A key press, as Ink reports it: the character and the named keys. */
export interface KeyPress {
  input: string;
  tab?: boolean;
  return?: boolean;
  escape?: boolean;
  upArrow?: boolean;
  downArrow?: boolean;
}

function nextAgent(ui: DashboardUi, view: DashboardView): string | undefined {
  const names = view.session?.agentNames ?? [];
  if (names.length === 0) return undefined;
  const at = ui.agent === undefined ? -1 : names.indexOf(ui.agent);
  return at + 1 < names.length ? names[at + 1] : undefined;
}

/**
 * What a key does to the ui state: `quit`, or the next state. Tab (or `s`) goes to the next
 * session, `p` pauses and resumes, `a` steps through the agents (then back to all), the arrows
 * move the selected event, enter opens and escape closes its details, `q` quits. Pure.
 *
 * @example
 * applyKey(INITIAL_UI, { input: 'p' }, view); // { ...INITIAL_UI, paused: true }
 */
export function applyKey(ui: DashboardUi, key: KeyPress, view: DashboardView): DashboardUi | 'quit' {
  const events = view.session?.events.length ?? 0;
  if (key.input === 'q') return 'quit';
  if (key.tab || key.input === 's') {
    const next = view.sessions[(view.index + 1) % Math.max(1, view.sessions.length)];
    const { agent: _agent, session: _session, ...rest } = ui;
    return { ...rest, ...(next ? { session: next.id } : {}), selected: 0, details: false };
  }
  if (key.input === 'p') return { ...ui, paused: !ui.paused };
  if (key.input === 'a') {
    const agent = nextAgent(ui, view);
    const { agent: _old, ...rest } = ui;
    return agent === undefined ? { ...rest, selected: 0 } : { ...rest, agent, selected: 0 };
  }
  if (key.upArrow || key.input === 'k') return { ...ui, selected: Math.max(0, ui.selected - 1) };
  if (key.downArrow || key.input === 'j')
    return { ...ui, selected: Math.min(Math.max(0, events - 1), ui.selected + 1) };
  if (key.return || key.input === 'd') return { ...ui, details: !ui.details };
  if (key.escape) return { ...ui, details: false };
  return ui;
}
