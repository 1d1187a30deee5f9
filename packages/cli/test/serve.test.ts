import { appendFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeSessionLog, EventWriter, listSessions, type NewEvent } from '@sat/core';
import { plantedHistory } from '@sat/core/fixtures';
import { createWebApp, DEFAULT_UI_DIR, startWebServer } from '@sat/web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliWebApi } from '../src/commands/serve.js';
import { createContext } from '../src/context.js';
import { sat } from './helpers.js';

const history = plantedHistory({ seed: 11, sessions: 10, eventsPerSession: 80, phases: 2 });

async function plant(home: string): Promise<void> {
  const writer = new EventWriter({ logsDir: join(home, 'logs') });
  for (const { session } of history.sessions) {
    for (const event of history.events(session)) writer.append(event);
    await writer.flush();
  }
  await writer.close();
}

async function cliJson(home: string, args: string[]): Promise<unknown> {
  const run = await sat(['--home', home, ...args, '--json']);
  expect(run.code, `sat ${args.join(' ')}: ${run.stderr}`).toBe(0);
  return JSON.parse(run.stdout);
}

describe('the web API answers what the CLI prints with --json', () => {
  const home = mkdtempSync(join(tmpdir(), 'sat-serve-'));
  const app = () => createWebApp({ api: cliWebApi(createContext({ home })) });
  const get = async (path: string) => {
    const res = await app().request(path);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> & { items: unknown[] } };
  };
  let first = '';
  beforeAll(async () => {
    await plant(home);
    first = [...(await listSessions(join(home, 'logs')))].sort((a, b) =>
      a.session.localeCompare(b.session),
    )[0]!.session;
  });
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('/api/sessions: the rows of sat sessions, filtered, sorted and paginated', async () => {
    const cli = (await cliJson(home, ['sessions'])) as Array<{ session: string; cost: number }>;
    const all = await get('/api/sessions?limit=1000&sort=session');
    expect(all.status).toBe(200);
    expect(all.body.items).toEqual([...cli].sort((a, b) => a.session.localeCompare(b.session)));
    const seen: string[] = [];
    let cursor: string | undefined = '0';
    while (cursor !== undefined) {
      const page = await get(`/api/sessions?limit=3&cursor=${cursor}&sort=-cost`);
      seen.push(...(page.body.items as Array<{ session: string }>).map((s) => s.session));
      cursor = page.body.nextCursor as string | undefined;
    }
    expect(seen).toEqual([...cli].sort((a, b) => b.cost - a.cost).map((s) => s.session));
    const phase1 = history.sessions.filter((s) => s.phase === 'phase-1').map((s) => s.session);
    const byPhase = await get('/api/sessions?phase=phase-1&sort=session&limit=1000');
    expect((byPhase.body.items as Array<{ session: string }>).map((s) => s.session)).toEqual(
      [...phase1].sort(),
    );
    const text = await get(`/api/sessions?text=${first.slice(0, 12)}`);
    expect((text.body.items as Array<{ session: string }>).map((s) => s.session)).toContain(first);
  });

  it('/api/sessions/:id and its events, snapshots: equal to sat show, sat events, sat snapshot list', async () => {
    expect((await get(`/api/sessions/${first}`)).body).toEqual(await cliJson(home, ['show', first]));
    const run = await sat(['--home', home, 'events', first, '--json', '--type', 'tool-usage']);
    const lines = run.stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(lines.length).toBeGreaterThan(0);
    const events = await get(`/api/sessions/${first}/events?type=tool-usage&limit=1000`);
    expect(events.body.items).toEqual(lines);
    const agent = (lines[0] as { agent: string }).agent;
    const byAgent = await get(`/api/sessions/${first}/events?agent=${agent}&limit=2`);
    expect((byAgent.body.items as Array<{ agent: string }>).every((e) => e.agent === agent)).toBe(true);
    expect(byAgent.body.nextCursor).toBe('2');
    expect((await get(`/api/sessions/${first}/snapshots`)).body).toEqual(
      await cliJson(home, ['snapshot', 'list', first]),
    );
  });

  it('/api/stats/* and /api/alerts: equal to sat stats and sat alerts with the same filters', async () => {
    for (const report of ['agents', 'tools', 'errors', 'cost', 'session']) {
      const api = await get(`/api/stats/${report}?days=all&phase=phase-1`);
      expect(api.status, JSON.stringify(api.body)).toBe(200);
      expect(api.body, report).toEqual(
        await cliJson(home, ['stats', report, '--days', 'all', '--phase', 'phase-1']),
      );
    }
    expect((await get('/api/stats/agents?days=all&phase=phase-1')).body.agents).not.toHaveLength(0);
    const session = await get(`/api/stats/session?days=all&session=${first}`);
    expect(session.body).toEqual(await cliJson(home, ['stats', 'session', first, '--days', 'all']));
    expect((await get('/api/alerts?days=all')).body).toEqual(
      await cliJson(home, ['alerts', '--days', 'all']),
    );
  });

  it('/api/charts/* and /api/sessions/:id/status: equal to sat chart --json and sat status --json', async () => {
    for (const [kind, query, args] of [
      ['usage', '?days=all', ['--days', 'all']],
      ['agents', '?days=all&phase=phase-1', ['--days', 'all', '--phase', 'phase-1']],
      ['errors', '?days=all&by=agent', ['--days', 'all', '--by', 'agent']],
      ['errors', '?days=7&by=day', ['--days', '7', '--by', 'day']],
    ] as const) {
      const api = await get(`/api/charts/${kind}${query}`);
      expect(api.status, JSON.stringify(api.body)).toBe(200);
      expect(api.body, `${kind}${query}`).toEqual(await cliJson(home, ['chart', kind, ...args]));
    }
    const usage = (await get('/api/charts/usage?days=all')).body as unknown as {
      rows: Array<{ tokens: number }>;
    };
    expect(usage.rows.some((d) => d.tokens > 0)).toBe(true);
    expect((await get('/api/charts/pie')).status).toBe(404);
    expect((await get('/api/charts/agents?days=soon')).status).toBe(400);
    expect((await get(`/api/sessions/${first}/status`)).body).toEqual(await cliJson(home, ['status', first]));
    expect((await get('/api/sessions/zzzz-nope/status')).status).toBe(404);
  });

  it('/api/backups and /handoff: the backup listing; GET reads the newest handoff, POST writes one', async () => {
    expect((await get('/api/backups')).body).toEqual(await cliJson(home, ['backups']));
    const handoffs = join(home, 'handoffs');
    const files = () => (existsSync(handoffs) ? readdirSync(handoffs).sort() : []);
    const none = await get(`/api/sessions/${first}/handoff`);
    expect(none.status).toBe(404);
    expect(none.body.error).toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('has no handoff'),
    });
    expect((none.body.error as { message: string }).message).toContain(`'sat handoff ${first}'`);
    expect(files()).toEqual([]);

    const res = await app().request(`/api/sessions/${first}/handoff`, { method: 'POST' });
    expect(res.status).toBe(200);
    const made = (await res.json()) as { path: string; markdown: string };
    expect(made.markdown).toContain(first.slice(0, 8));
    expect(Object.keys(made).sort()).toEqual(
      Object.keys((await cliJson(home, ['handoff', first])) as object).sort(),
    );
    const written = files();
    expect(written).toHaveLength(3);

    const newest = [...written]
      .filter((f) => !f.startsWith('latest-'))
      .sort()
      .at(-1)!;
    for (let i = 0; i < 2; i++) {
      const read = await get(`/api/sessions/${first}/handoff`);
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({ session: first, path: join(handoffs, newest) });
      expect(read.body).toEqual(await cliJson(home, ['handoff', first, '--latest']));
    }
    expect(files()).toEqual(written);
  });

  it('errors: 404 with the CLI message for an unknown session, 400 naming the parameter, JSON bodies', async () => {
    const cli = await sat(['--home', home, 'show', 'zzzz-nope']);
    const missing = await get('/api/sessions/zzzz-nope');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: { code: 'SESSION_NOT_FOUND', message: expect.any(String) } });
    expect(cli.stderr).toContain((missing.body.error as { message: string }).message);
    for (const [path, name] of [
      ['/api/sessions?limit=0', 'limit'],
      ['/api/sessions?sort=colour', 'sort'],
      ['/api/sessions?days=x', 'days'],
      ['/api/alerts?days=-2', '--days'],
      ['/api/stats/cost?days=soon', 'days'],
    ] as const) {
      const bad = await get(path);
      expect(bad.status, path).toBe(400);
      expect((bad.body.error as { message: string }).message, path).toContain(name);
    }
    expect((await get('/api/stats/colours')).status).toBe(404);
    expect((await get('/api/nothing')).body).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('a malformed line in a log does not take the API down', async () => {
    const broken = mkdtempSync(join(tmpdir(), 'sat-serve-broken-'));
    try {
      await plant(broken);
      const [info] = await listSessions(join(broken, 'logs'));
      appendFileSync(info!.file, '{"not": "an event"\n{{{{\n');
      const api = createWebApp({ api: cliWebApi(createContext({ home: broken })) });
      expect((await api.request('/api/sessions')).status).toBe(200);
      expect((await api.request(`/api/sessions/${info!.session}/events`)).status).toBe(200);
      expect((await api.request(`/api/sessions/${info!.session}`)).status).toBe(200);
    } finally {
      rmSync(broken, { recursive: true, force: true });
    }
  });

  it('a token is checked on every request, the page included', async () => {
    const guarded = createWebApp({ api: cliWebApi(createContext({ home })), token: 's3cret-token' });
    for (const path of ['/', '/api/sessions', '/api/stream']) {
      const res = await guarded.request(path);
      expect(res.status, path).toBe(401);
      expect(await res.json()).toMatchObject({
        error: { code: 'USAGE', message: expect.stringContaining('token') },
      });
    }
    expect(
      (await guarded.request('/api/sessions', { headers: { authorization: 'Bearer s3cret-token' } })).status,
    ).toBe(200);
    expect((await guarded.request('/api/sessions?token=s3cret-token')).status).toBe(200);
    expect((await guarded.request('/api/sessions?token=s3cret-tokeX')).status).toBe(401);
    const page = await guarded.request('/sessions?token=s3cret-token');
    expect(page.status).toBe(existsSync(join(DEFAULT_UI_DIR, 'manifest.json')) ? 200 : 503);
    expect(page.headers.get('content-type')).toContain('text/html');
  });
});

describe('a long-lived sat serve reads again only the logs that changed', () => {
  const home = mkdtempSync(join(tmpdir(), 'sat-serve-memo-'));
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  async function append(events: NewEvent[]): Promise<void> {
    const writer = new EventWriter({ logsDir: join(home, 'logs') });
    for (const event of events) writer.append(event);
    await writer.close();
  }

  /** The fields of the answers this test looks at. */
  interface Answer {
    items: Array<{ session: string; status: string }>;
    cost: number;
    alerts: unknown[];
  }

  it('an appended log, a new session, a closed one and an alert change the next answers, equal to the CLI', async () => {
    await plant(home);
    const [target, other] = history.sessions.map((s) => s.session);
    const api = cliWebApi(createContext({ home }));
    const server = await startWebServer(createWebApp({ api }), { host: '127.0.0.1', port: 0 });
    const get = async (path: string) => (await (await fetch(`${server.url}${path}`)).json()) as Answer;
    const answers = async () => {
      const sessions = (await get('/api/sessions?limit=1000&sort=session')).items;
      const cli = (await cliJson(home, ['sessions'])) as Array<{ session: string }>;
      expect(sessions).toEqual([...cli].sort((a, b) => a.session.localeCompare(b.session)));
      const show = await get(`/api/sessions/${target}`);
      expect(show).toEqual(await cliJson(home, ['show', target!]));
      const events = (await get(`/api/sessions/${target}/events?limit=1000`)).items;
      const cost = await get('/api/stats/cost?days=all');
      expect(cost).toEqual(await cliJson(home, ['stats', 'cost', '--days', 'all']));
      const alerts = await get('/api/alerts?days=all');
      expect(alerts).toEqual(await cliJson(home, ['alerts', '--days', 'all']));
      return { sessions, show, events: events.length, cost, alerts };
    };
    try {
      const start = await answers();
      expect(await answers()).toEqual(start);
      await append([
        {
          type: 'api_response',
          session: target!,
          data: {
            model: 'claude-opus-4-1',
            message_id: 'msg_serve_memo_1',
            tokens: { input: 1000, output: 50_000, cacheCreation: 0, cacheRead: 0 },
            source: 'transcript',
          },
        },
      ]);
      const appended = await answers();
      expect(appended.events).toBe(start.events + 1);
      expect(appended.show.cost).toBeGreaterThan(start.show.cost);
      expect(appended.cost).not.toEqual(start.cost);

      const added = '7a1d2c3b-0000-4000-8000-00000000memo';
      await append([{ type: 'session_start', session: added, data: { source: 'startup' } }]);
      const grown = await answers();
      expect(grown.sessions).toHaveLength(start.sessions.length + 1);

      await closeSessionLog(join(home, 'logs'), other!);
      const closed = await answers();
      const row = closed.sessions.find((s) => s.session === other);
      expect(row?.status).toBe('closed');

      await append([
        {
          type: 'alert',
          session: target!,
          data: { kind: 'context', level: 'warning', message: 'context 91% full' },
        } as NewEvent,
      ]);
      const alerted = await answers();
      expect(alerted.alerts.alerts).toHaveLength(closed.alerts.alerts.length + 1);
      // Once the folder has settled (LogsVersion trusts it after 2 s), the kept rows are reused.
      await new Promise((r) => setTimeout(r, 2100));
      expect(await answers()).toEqual(alerted);
      expect(await answers()).toEqual(alerted);
    } finally {
      await server.close();
      await api.close();
    }
  });
});
