import { useEffect, useRef, useState } from 'preact/hooks';
import { getJson, type Page } from '../api';
import { Empty, ErrorBox, Link } from '../common';
import { cost, count, shortId, time, tokens } from '../format';
import { useLive } from '../live';
import { navigate, type Route, withParams } from '../router';
import { throttle, useData } from '../use-data';

/** A row of `GET /api/sessions` (`sat sessions --json`). */
export interface SessionRow {
  session: string;
  start?: string;
  lastActivityAt?: string;
  activity: string;
  events: number;
  tokens?: { input: number; output: number; cacheCreation: number; cacheRead: number };
  cost?: number | null;
  imported?: boolean;
}

const COLUMNS: Array<{ key: string; label: string; sort?: string }> = [
  { key: 'session', label: 'session', sort: 'session' },
  { key: 'start', label: 'started (UTC)', sort: 'start' },
  { key: 'last', label: 'last activity', sort: 'lastActivityAt' },
  { key: 'activity', label: 'activity' },
  { key: 'events', label: 'events', sort: 'events' },
  { key: 'tokens', label: 'tokens' },
  { key: 'cost', label: 'cost', sort: 'cost' },
];

const PAGE = '50';
const totalTokens = (t: SessionRow['tokens']) => (t ? t.input + t.output + t.cacheCreation + t.cacheRead : 0);

function filtersOf(route: Route) {
  const p = route.params;
  return {
    text: p.get('q') ?? undefined,
    sort: p.get('sort') ?? '-start',
    activity: p.get('activity') ?? undefined,
    days: p.get('days') ?? undefined,
    phase: p.get('phase') ?? undefined,
  };
}

function SortHeader({ route, col, sort }: { route: Route; col: (typeof COLUMNS)[number]; sort: string }) {
  if (!col.sort) return <th>{col.label}</th>;
  const active = sort.replace(/^-/, '') === col.sort;
  const desc = sort.startsWith('-');
  const next = active && desc ? col.sort : `-${col.sort}`;
  return (
    <th aria-sort={active ? (desc ? 'descending' : 'ascending') : 'none'}>
      <button
        type="button"
        class="sort"
        onClick={() =>
          navigate('/sessions', withParams(route, { sort: next === '-start' ? undefined : next }), true)
        }
      >
        {col.label} {active ? (desc ? '▼' : '▲') : ''}
      </button>
    </th>
  );
}

function Row({ row, selected }: { row: SessionRow; selected: boolean }) {
  return (
    <tr class={selected ? 'selected' : ''} data-session={row.session} aria-selected={selected}>
      <td data-label="session">
        <span>
          <Link path={`/sessions/${row.session}`}>
            <code>{shortId(row.session)}</code>
          </Link>
          {row.imported ? <span class="tag">imported</span> : null}
        </span>
      </td>
      <td data-label="started">{time(row.start)}</td>
      <td data-label="last activity">{time(row.lastActivityAt)}</td>
      <td data-label="activity">{row.activity}</td>
      <td data-label="events" class="num">
        {count(row.events)}
      </td>
      <td data-label="tokens" class="num">
        {tokens(totalTokens(row.tokens))}
      </td>
      <td data-label="cost" class="num">
        {cost(row.cost)}
      </td>
    </tr>
  );
}

function SearchBox({ route, text }: { route: Route; text: string | undefined }) {
  const [value, setValue] = useState(text ?? '');
  const timer = useRef<ReturnType<typeof setTimeout>>();
  useEffect(() => setValue(text ?? ''), [text]);
  const onInput = (v: string) => {
    setValue(v);
    clearTimeout(timer.current);
    timer.current = setTimeout(
      () => navigate('/sessions', withParams(route, { q: v || undefined }), true),
      250,
    );
  };
  return (
    <input
      id="search"
      type="search"
      placeholder="search id or file  ( / )"
      aria-label="search sessions"
      value={value}
      onInput={(e) => onInput((e.target as HTMLInputElement).value)}
    />
  );
}

function Filters({ route, f }: { route: Route; f: ReturnType<typeof filtersOf> }) {
  const set = (k: string, v: string) =>
    navigate('/sessions', withParams(route, { [k]: v || undefined }), true);
  return (
    <div class="filters">
      <SearchBox route={route} text={f.text} />
      <select
        aria-label="activity"
        value={f.activity ?? ''}
        onChange={(e) => set('activity', (e.target as HTMLSelectElement).value)}
      >
        <option value="">any activity</option>
        <option value="active">active</option>
        <option value="idle">idle</option>
        <option value="ended">ended</option>
      </select>
      <select
        aria-label="days"
        value={f.days ?? ''}
        onChange={(e) => set('days', (e.target as HTMLSelectElement).value)}
      >
        <option value="">all days</option>
        <option value="1">today</option>
        <option value="7">7 days</option>
        <option value="30">30 days</option>
      </select>
      <input
        class="phase"
        aria-label="phase"
        placeholder="phase"
        value={f.phase ?? ''}
        onChange={(e) => set('phase', (e.target as HTMLInputElement).value)}
      />
    </div>
  );
}

/** The session browser: search, filters and sort in the URL, pages through the API's cursor, j/k and Enter. */
export function Sessions({
  route,
  selected,
  onRows,
}: {
  route: Route;
  selected: number;
  onRows(rows: string[]): void;
}) {
  const f = filtersOf(route);
  const key = JSON.stringify(f);
  const [more, setMore] = useState<{ key: string; rows: SessionRow[]; cursor?: string }>({ key, rows: [] });
  const first = useData(key, () => getJson<Page<SessionRow>>('/api/sessions', { ...f, limit: PAGE }));
  const extra = more.key === key ? more : { key, rows: [] as SessionRow[], cursor: undefined };
  const rows = [...(first.data?.items ?? []), ...extra.rows];
  const cursor = extra.rows.length ? extra.cursor : first.data?.nextCursor;
  useEffect(() => onRows(rows.map((r) => r.session)), [rows.map((r) => r.session).join()]);
  const refresh = throttle(() => first.reload(), 1000);
  useLive((m) => {
    if (m.type === 'session' || m.type === 'reset' || m.type === 'event') refresh();
  });
  const loadMore = async () => {
    if (!cursor) return;
    const page = await getJson<Page<SessionRow>>('/api/sessions', { ...f, limit: PAGE, cursor });
    setMore({
      key,
      rows: [...extra.rows, ...page.items],
      ...(page.nextCursor ? { cursor: page.nextCursor } : {}),
    });
  };
  return (
    <div class="sessions">
      <Filters route={route} f={f} />
      <ErrorBox error={first.error} />
      {first.data && rows.length === 0 ? (
        f.text || f.activity || f.days || f.phase ? (
          <Empty>No session matches these filters.</Empty>
        ) : (
          <Empty>
            No sessions yet: run <code>sat import</code> to read your Claude Code transcripts, or{' '}
            <code>sat init</code> to capture new sessions.
          </Empty>
        )
      ) : null}
      {rows.length > 0 ? (
        <div class="table-box">
          <table class="session-table">
            <thead>
              <tr>
                {COLUMNS.map((c) => (
                  <SortHeader key={c.key} route={route} col={c} sort={f.sort} />
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((r, i) => (
                <Row key={r.session} row={r} selected={i === selected} />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <div class="pager">
        <span class="muted">{first.data ? `${rows.length} of ${first.data.total}` : 'loading…'}</span>
        {cursor ? (
          <button type="button" onClick={loadMore}>
            load more
          </button>
        ) : null}
      </div>
    </div>
  );
}
