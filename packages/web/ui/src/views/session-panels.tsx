import { useState } from 'preact/hooks';
import { ApiError, getJson } from '../api';
import { Empty, ErrorBox } from '../common';
import { cost, count, duration, shortId, time, tokens } from '../format';
import { Markdown } from '../markdown';
import type { Turn } from '../session-model';
import { useData } from '../use-data';

type Usage = { input: number; output: number; cacheCreation: number; cacheRead: number };
const total = (t: Usage | undefined) => (t ? t.input + t.output + t.cacheCreation + t.cacheRead : 0);

/** What `GET /api/sessions/:id` gives (`sat show --json`), the parts the page reads. */
export interface Show {
  session: string;
  cost: number | null;
  totalTokens: number;
  toolUses: number;
  errors: number;
  events: number;
  start?: string;
  end?: string;
  cwd?: string;
  gitBranch?: string;
  firstPrompt?: string;
  unknownModels: string[];
  byAgent: Record<
    string,
    {
      cost: number | null;
      tokens: Usage;
      apiResponses: number;
      models: Record<string, { tokens: Usage; apiResponses: number; cost: number | null }>;
    }
  >;
  filesChanged: Array<{ path: string; operations: string[]; count: number }>;
  firstErrors: Array<{ ts: string; agent: string; errorType: string; message: string }>;
}

/** The conversation: each prompt and what followed it. */
export function ConversationPanel({ list }: { list: Turn[] }) {
  if (list.length === 0) return <Empty>No prompts recorded in this session.</Empty>;
  return (
    <ol class="turns">
      {list.map((t, i) => (
        <li key={t.key} class="turn">
          <div class="turn-head">
            <span class="muted">
              turn {i + 1} · {time(t.ts)}
            </span>
          </div>
          {t.prompt !== undefined ? (
            <pre class="prompt">{t.prompt}</pre>
          ) : (
            <div class="muted">before the first prompt</div>
          )}
          <div class="turn-body">
            {count(t.responses)} response{t.responses === 1 ? '' : 's'}
            {Object.keys(t.tools).length
              ? ` · tools: ${Object.entries(t.tools)
                  .map(([k, v]) => `${k} ${v}`)
                  .join(', ')}`
              : ''}
            {t.errors ? ` · ${t.errors} error${t.errors === 1 ? '' : 's'}` : ''}
          </div>
          {t.decisions.map((d) => (
            <div class="decision" key={d.question}>
              {d.question} → <strong>{d.selected}</strong>
            </div>
          ))}
        </li>
      ))}
    </ol>
  );
}

interface Fingerprint {
  fingerprint: string;
  errorType: string;
  pattern: string;
  errors: number;
  sessions: number;
  recurring: boolean;
  firstSeen: string;
  lastSeen: string;
}

/** The session's errors grouped by fingerprint (`/api/stats/errors?session=`), then the first ones as logged. */
export function ErrorsPanel({ id, show }: { id: string; show: Show }) {
  const fp = useData(`fp ${id} ${show.errors}`, () =>
    getJson<{ byFingerprint: Fingerprint[] }>('/api/stats/errors', { session: id, days: 'all' }),
  );
  if (show.errors === 0 && !fp.data?.byFingerprint.length) return <Empty>No errors in this session.</Empty>;
  return (
    <div>
      <ErrorBox error={fp.error} />
      <div class="table-box">
        <table class="stack">
          <thead>
            <tr>
              <th>fingerprint</th>
              <th>type</th>
              <th>pattern</th>
              <th>count</th>
              <th>recurring</th>
              <th>last seen</th>
            </tr>
          </thead>
          <tbody>
            {(fp.data?.byFingerprint ?? []).map((f) => (
              <tr key={f.fingerprint}>
                <td data-label="fingerprint">
                  <code>{f.fingerprint}</code>
                </td>
                <td data-label="type">{f.errorType}</td>
                <td data-label="pattern" class="wrap">
                  {f.pattern}
                </td>
                <td data-label="count" class="num">
                  {f.errors}
                </td>
                <td data-label="recurring">{f.recurring ? `yes (${f.sessions} sessions)` : 'no'}</td>
                <td data-label="last seen">{time(f.lastSeen)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h3>First errors</h3>
      <ul class="plain">
        {show.firstErrors.map((e) => (
          <li key={e.ts + e.message}>
            <span class="muted">
              {time(e.ts)} {e.agent}
            </span>{' '}
            <code>{e.errorType}</code> {e.message}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The files the session changed and how. */
export function FilesPanel({ show }: { show: Show }) {
  if (show.filesChanged.length === 0) return <Empty>No files changed in this session.</Empty>;
  return (
    <ul class="plain files">
      {show.filesChanged.map((f) => (
        <li key={f.path}>
          <code class="wrap">{f.path}</code>{' '}
          <span class="muted">
            {f.operations.join(', ')} ×{f.count}
          </span>
        </li>
      ))}
    </ul>
  );
}

/** Tokens and cost per agent and model, as `sat show` prices them. */
export function CostPanel({ show }: { show: Show }) {
  const rows = Object.entries(show.byAgent).flatMap(([agent, a]) =>
    Object.entries(a.models).map(([model, m]) => ({ agent, model, ...m })),
  );
  if (rows.length === 0) return <Empty>No API responses recorded, so no tokens or cost.</Empty>;
  return (
    <div class="table-box">
      <table class="stack">
        <thead>
          <tr>
            <th>agent</th>
            <th>model</th>
            <th>responses</th>
            <th>tokens</th>
            <th>cost</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.agent + r.model}>
              <td data-label="agent">{r.agent}</td>
              <td data-label="model">{r.model}</td>
              <td data-label="responses" class="num">
                {r.apiResponses}
              </td>
              <td data-label="tokens" class="num">
                {tokens(total(r.tokens))}
              </td>
              <td data-label="cost" class="num">
                {cost(r.cost)}
              </td>
            </tr>
          ))}
          <tr class="total">
            <td data-label="agent">all</td>
            <td />
            <td />
            <td data-label="tokens" class="num">
              {tokens(show.totalTokens)}
            </td>
            <td data-label="cost" class="num">
              {cost(show.cost)}
            </td>
          </tr>
        </tbody>
      </table>
      {show.unknownModels.length ? (
        <p class="muted">Unpriced models: {show.unknownModels.join(', ')}</p>
      ) : null}
    </div>
  );
}

interface Snapshot {
  id: string;
  createdAt: string;
  trigger: string;
  seq: number;
  bytes: number;
  files: unknown[];
}

/** The session's snapshots (`sat snapshot list`). */
export function SnapshotsPanel({ id }: { id: string }) {
  const snaps = useData(`snaps ${id}`, () =>
    getJson<{ snapshots: Snapshot[] }>(`/api/sessions/${id}/snapshots`),
  );
  if (snaps.error) return <ErrorBox error={snaps.error} />;
  if (!snaps.data) return <div class="loading">loading…</div>;
  if (snaps.data.snapshots.length === 0)
    return (
      <Empty>
        No snapshots yet: <code>sat snapshot create {shortId(id)}</code> takes one.
      </Empty>
    );
  return (
    <ul class="plain">
      {snaps.data.snapshots.map((s) => (
        <li key={s.id}>
          <code>{shortId(s.id)}</code> {time(s.createdAt)} · {s.trigger} · at event {s.seq} · {s.files.length}{' '}
          file(s) · {count(s.bytes)} bytes
        </li>
      ))}
    </ul>
  );
}

/**
 * The session's newest handoff, rendered, with the resume command to copy; a button writes a new
 * one (as `sat handoff` does). A session without one says so.
 */
export function HandoffPanel({ id }: { id: string }) {
  const [written, setWritten] = useState(0);
  const handoff = useData(`handoff ${id} ${written}`, () =>
    getJson<{ markdown: string; path: string; tokens: number }>(
      `/api/sessions/${id}/handoff`,
      undefined,
      written ? 'POST' : 'GET',
    ).catch((error: unknown) => {
      if (error instanceof ApiError && error.code === 'NOT_FOUND') return undefined;
      throw error;
    }),
  );
  const [copied, setCopied] = useState(false);
  const md = handoff.data?.markdown;
  const resume = md
    ? (/`(claude --resume [^`]+)`/.exec(md)?.[1] ?? `claude --resume ${id}`)
    : `claude --resume ${id}`;
  const copy = async () => {
    await navigator.clipboard?.writeText(resume).catch(() => undefined);
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  };
  return (
    <div class="handoff">
      <div class="resume">
        <code id="resume-command">{resume}</code>
        <button type="button" onClick={copy}>
          {copied ? 'copied' : 'copy'}
        </button>
      </div>
      <ErrorBox error={handoff.error} />
      {!handoff.loading && !md && !handoff.error ? (
        <p class="muted">
          No handoff yet: the pipeline writes one when the context fills up or the session ends.
        </p>
      ) : null}
      <p>
        <button type="button" disabled={handoff.loading} onClick={() => setWritten((n) => n + 1)}>
          {md ? 'write a new handoff' : 'write the handoff'}
        </button>{' '}
        <span class="muted">
          (writes a handoff file, as <code>sat handoff</code> does)
        </span>
      </p>
      {md ? (
        <>
          <p class="muted">
            {handoff.data?.path} · ~{count(handoff.data?.tokens)} tokens
          </p>
          <Markdown text={md} />
        </>
      ) : null}
      {handoff.loading ? <div class="loading">{written ? 'writing…' : 'loading…'}</div> : null}
    </div>
  );
}

/** The session's headline: where, when, how much. */
export function SessionHead({ show }: { show: Show }) {
  return (
    <div class="session-head">
      <h1>
        <code>{show.session}</code>
      </h1>
      <div class="muted">
        {[
          show.cwd ? `${show.cwd}${show.gitBranch ? ` on ${show.gitBranch}` : ''}` : '',
          `${time(show.start)} → ${time(show.end)}`,
          show.start && show.end ? duration(Date.parse(show.end) - Date.parse(show.start)) : '',
        ]
          .filter(Boolean)
          .join(' · ')}
      </div>
      <div class="chips">
        <span>{count(show.events)} events</span>
        <span>{count(show.toolUses)} tool calls</span>
        <span>{count(show.errors)} errors</span>
        <span>{tokens(show.totalTokens)} tokens</span>
        <span>{cost(show.cost)}</span>
      </div>
      {show.firstPrompt ? <pre class="prompt clip">{show.firstPrompt}</pre> : null}
    </div>
  );
}
