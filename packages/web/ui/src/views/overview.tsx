import { getJson, type Page } from '../api';
import { AgentBars, type AgentRow } from '../charts/agent-bars';
import { type ErrorCell, ErrorHeatmap } from '../charts/error-heatmap';
import { UsageChart, type UsageDay } from '../charts/usage-chart';
import { Card, Empty, ErrorBox, Figure, Link } from '../common';
import { cost, count, shortId, tokens } from '../format';
import { useLive } from '../live';
import { navigate, type Route, withParams } from '../router';
import { throttle, useData } from '../use-data';

interface Figures {
  sessions: number;
  tokens: number;
  cost: number | null;
  errors: number;
}

interface CostReport {
  cost: number | null;
  pricedCost: number;
  tokens: { total: number };
}

/** The figures of one scope: sessions, tokens, cost, errors. */
async function figures(filters: Record<string, string | undefined>): Promise<Figures> {
  const [sessions, costs, errors] = await Promise.all([
    getJson<Page<unknown>>('/api/sessions', {
      days: filters.days === 'all' ? undefined : filters.days,
      phase: filters.phase,
      limit: '1',
    }),
    getJson<CostReport>('/api/stats/cost', filters),
    getJson<{ totals: { errors: number } }>('/api/stats/errors', filters),
  ]);
  return {
    sessions: sessions.total,
    tokens: costs.tokens.total,
    cost: costs.cost ?? costs.pricedCost,
    errors: errors.totals.errors,
  };
}

async function headline() {
  const latest = await getJson<{ phase: string | number | null } | null>('/api/stats/session', {
    days: 'all',
  }).catch(() => null);
  const phase = latest?.phase === null || latest?.phase === undefined ? undefined : String(latest.phase);
  const [today, scope] = await Promise.all([
    figures({ days: '1' }),
    figures(phase ? { days: 'all', phase } : { days: 'all' }),
  ]);
  return { today, scope, phase };
}

function FigureRow({ title, f }: { title: string; f: Figures }) {
  return (
    <div class="figure-row">
      <h3>{title}</h3>
      <Figure label="sessions" value={count(f.sessions)} />
      <Figure label="tokens" value={tokens(f.tokens)} />
      <Figure label="cost" value={cost(f.cost)} />
      <Figure label="errors" value={count(f.errors)} />
    </div>
  );
}

interface LiveRow {
  session: string;
  activity?: string;
  cost?: number;
  context?: { percent: number; tokens: number; window: number };
}

async function liveSessions(): Promise<LiveRow[]> {
  const page = await getJson<Page<{ session: string; activity: string; cost: number }>>('/api/sessions', {
    activity: 'active',
    limit: '8',
    sort: '-lastActivityAt',
  });
  return Promise.all(
    page.items.map(async (row) => {
      const status = await getJson<{ summary: { context?: LiveRow['context'] } }>(
        `/api/sessions/${row.session}/status`,
      ).catch(() => null);
      return { ...row, ...(status?.summary.context ? { context: status.summary.context } : {}) };
    }),
  );
}

function LiveSessions({ rows }: { rows: LiveRow[] }) {
  if (rows.length === 0)
    return (
      <Empty>
        No live session. Sessions appear here while Claude Code runs with sat's hooks (<code>sat init</code>).
      </Empty>
    );
  return (
    <ul class="live-list">
      {rows.map((r) => (
        <li key={r.session}>
          <Link path={`/sessions/${r.session}`}>
            <code>{shortId(r.session)}</code>
          </Link>
          <span class="muted">{r.activity}</span>
          <span>{cost(r.cost)}</span>
          <span
            class="fill"
            title={
              r.context
                ? `${count(r.context.tokens)} of ${count(r.context.window)} tokens`
                : 'no API response yet'
            }
          >
            <meter min={0} max={100} value={r.context?.percent ?? 0} />
            {r.context ? ` ${r.context.percent}%` : ' –'}
          </span>
        </li>
      ))}
    </ul>
  );
}

const RANGES = ['1', '7', '30', '90', 'all'];

/** The overview: figures for today and this phase, usage per day, agent performance, errors, live sessions. */
export function Overview({ route }: { route: Route }) {
  const days = route.params.get('days') ?? '30';
  const agents = useData(
    `agents ${days}`,
    async () => (await getJson<{ rows: AgentRow[] }>('/api/charts/agents', { days })).rows,
  );
  const errors = useData(
    `errors ${days}`,
    async () => (await getJson<{ rows: ErrorCell[] }>('/api/charts/errors', { days })).rows,
  );
  const usage = useData(
    `usage ${days}`,
    async () => (await getJson<{ rows: UsageDay[] }>('/api/charts/usage', { days })).rows,
  );
  // The figures and live sessions wait for the first chart's data, so the charts get the server first.
  const chartsIn = [agents, errors, usage].some((c) => c.data !== undefined || c.error !== undefined);
  const head = useData('head', headline, chartsIn);
  const live = useData('live', liveSessions, chartsIn);
  const refresh = throttle(() => {
    live.reload();
    head.reload();
  }, 1500);
  useLive((m) => {
    if (m.type === 'reset') {
      for (const chart of [agents, errors, usage]) chart.reload();
      return refresh();
    }
    if (m.type === 'session' || m.type === 'event') refresh();
  });
  const loading = <div class="loading">loading…</div>;
  const scopeTitle = head.data?.phase ? `phase ${head.data.phase}` : 'all time (no phase set)';
  return (
    <div class="overview">
      <ErrorBox error={head.error} />
      {!head.data && !head.error ? (
        <Card title="Figures" class="figures">
          {loading}
        </Card>
      ) : null}
      {head.data ? (
        <Card title="Figures" class="figures">
          <FigureRow title="today" f={head.data.today} />
          <FigureRow title={scopeTitle} f={head.data.scope} />
          {head.data.scope.sessions === 0 ? (
            <Empty>
              No sessions yet: run <code>sat init</code> to capture Claude Code's sessions, or{' '}
              <code>sat import</code> to read the transcripts you have.
            </Empty>
          ) : null}
        </Card>
      ) : null}
      <div class="range">
        <span class="muted">charts over</span>
        {RANGES.map((r) => (
          <button
            type="button"
            key={r}
            class={r === days ? 'on' : ''}
            aria-pressed={r === days}
            onClick={() => navigate('/', withParams(route, { days: r === '30' ? undefined : r }), true)}
          >
            {r === 'all' ? 'all days' : `${r} d`}
          </button>
        ))}
      </div>
      <Card title="Tokens and cost per day" class="wide">
        <ErrorBox error={usage.error} />
        {usage.data ? <UsageChart days={usage.data} /> : loading}
      </Card>
      <div class="grid2">
        <Card title="Agent performance">
          <ErrorBox error={agents.error} />
          {agents.data ? (
            <div class="agent-bars-box">
              <AgentBars rows={agents.data} />
            </div>
          ) : (
            loading
          )}
        </Card>
        <Card title="Errors by agent and type">
          <ErrorBox error={errors.error} />
          {errors.data ? (
            <div class="heatmap-box">
              <ErrorHeatmap cells={errors.data} />
            </div>
          ) : (
            loading
          )}
        </Card>
      </div>
      <Card title="Live sessions" id="live">
        <ErrorBox error={live.error} />
        {live.data ? <LiveSessions rows={live.data} /> : loading}
      </Card>
    </div>
  );
}
