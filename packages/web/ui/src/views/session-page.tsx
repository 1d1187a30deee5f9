import { useMemo, useState } from 'preact/hooks';
import { getAll, getJson } from '../api';
import { ErrorBox, Link } from '../common';
import { useLive } from '../live';
import { navigate, type Route, withParams } from '../router';
import { agentTree, type SatEvent, timeline, turns } from '../session-model';
import { throttle, useData } from '../use-data';
import { AgentTree, type LaneFigures } from './agent-tree';
import {
  ConversationPanel,
  CostPanel,
  ErrorsPanel,
  FilesPanel,
  HandoffPanel,
  SessionHead,
  type Show,
  SnapshotsPanel,
} from './session-panels';
import { Timeline } from './timeline';

/** The tabs of a session page, in order (`?tab=`). */
export const TABS = ['agents', 'conversation', 'errors', 'files', 'cost', 'snapshots', 'handoff'] as const;
type Tab = (typeof TABS)[number];

function laneFigures(events: SatEvent[], show: Show | undefined): Map<string, LaneFigures> {
  const out = new Map<string, LaneFigures>();
  const of = (lane: string) => {
    let f = out.get(lane);
    if (!f) {
      f = { tools: 0, errors: 0 };
      const c = show?.byAgent[lane]?.cost;
      if (typeof c === 'number') f.cost = c;
      out.set(lane, f);
    }
    return f;
  };
  for (const e of events) {
    if (e.type === 'tool_usage') of(e.agent).tools++;
    if (e.type === 'error') of(e.agent).errors++;
  }
  for (const lane of Object.keys(show?.byAgent ?? {})) of(lane);
  return out;
}

function AgentsPanel({ events, show }: { events: SatEvent[]; show: Show | undefined }) {
  const tree = useMemo(() => agentTree(events), [events]);
  const lanes = useMemo(() => timeline(events), [events]);
  const figures = useMemo(() => laneFigures(events, show), [events, show]);
  return (
    <div>
      <h3>Agent tree</h3>
      <div class="tree-box">
        <AgentTree root={tree} figures={figures} />
      </div>
      <h3>Timeline</h3>
      <Timeline lanes={lanes.lanes} items={lanes.items} />
    </div>
  );
}

function useSessionEvents(id: string) {
  const [live, setLive] = useState<{ id: string; events: SatEvent[] }>({ id, events: [] });
  const base = useData(`events ${id}`, () => getAll<SatEvent>(`/api/sessions/${id}/events`));
  const extra = live.id === id ? live.events : [];
  const known = new Set((base.data ?? []).map((e) => e.id));
  const events = useMemo(
    () => [...(base.data ?? []), ...extra.filter((e) => !known.has(e.id))],
    [base.data, extra],
  );
  const add = (e: SatEvent) => setLive((l) => ({ id, events: [...(l.id === id ? l.events : []), e] }));
  return { base, events, add };
}

/** A session: its headline, then tabs for agents (tree and timeline), conversation, errors, files, cost, snapshots, handoff. */
export function SessionPage({ route }: { route: Route }) {
  const id = route.id!;
  const tab = (TABS as readonly string[]).includes(route.params.get('tab') ?? '')
    ? (route.params.get('tab') as Tab)
    : 'agents';
  const show = useData(`show ${id}`, () => getJson<Show>(`/api/sessions/${id}`));
  const { base, events, add } = useSessionEvents(id);
  const refresh = throttle(() => show.reload(), 1000);
  const full = show.data?.session;
  useLive((m) => {
    if (m.type === 'reset') {
      base.reload();
      return refresh();
    }
    const e = m.data as SatEvent | null;
    if (m.type === 'event' && e && (e.session === full || e.session === id)) {
      add(e);
      refresh();
    }
  });
  const list = useMemo(() => turns(events), [events]);
  return (
    <div class="session-page">
      <p class="crumbs">
        <Link path="/sessions">← sessions</Link>
      </p>
      <ErrorBox error={show.error ?? base.error} />
      {show.data ? <SessionHead show={show.data} /> : null}
      <div class="tabs" role="tablist">
        {TABS.map((t) => (
          <button
            type="button"
            role="tab"
            key={t}
            aria-selected={t === tab}
            class={t === tab ? 'on' : ''}
            onClick={() =>
              navigate(`/sessions/${id}`, withParams(route, { tab: t === 'agents' ? undefined : t }), true)
            }
          >
            {t}
          </button>
        ))}
      </div>
      <div class="panel" role="tabpanel" data-tab={tab}>
        {tab === 'agents' ? <AgentsPanel events={events} show={show.data} /> : null}
        {tab === 'conversation' ? <ConversationPanel list={list} /> : null}
        {tab === 'errors' && show.data ? <ErrorsPanel id={id} show={show.data} /> : null}
        {tab === 'files' && show.data ? <FilesPanel show={show.data} /> : null}
        {tab === 'cost' && show.data ? <CostPanel show={show.data} /> : null}
        {tab === 'snapshots' ? <SnapshotsPanel id={id} /> : null}
        {tab === 'handoff' ? <HandoffPanel id={id} /> : null}
      </div>
    </div>
  );
}
