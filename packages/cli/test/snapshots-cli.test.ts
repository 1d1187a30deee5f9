import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EventWriter, estimateTokens, loadConfig, markSessionCrashed, type NewEvent } from '@sat/core';
import { describe, expect, it } from 'vitest';
import { sat, tempDir } from './helpers.js';

const HOUR = 3_600_000;

/** Writes a small session of real work into `home`, its events `ageMs` old. */
async function writeSession(home: string, session: string, prompt: string, ageMs: number): Promise<void> {
  const writer = new EventWriter({ logsDir: join(home, 'logs') });
  const start = Date.now() - ageMs;
  const events: Array<Omit<NewEvent, 'session'>> = [
    { type: 'session_start', data: { cwd: home, client: 'test' } },
    { type: 'user_prompt', data: { text: prompt, chars: prompt.length } },
    {
      type: 'tool_usage',
      data: {
        tool: 'TodoWrite',
        success: true,
        parameters: {
          todos: [
            { content: 'design the schema', status: 'completed' },
            { content: 'write the migration', status: 'in_progress' },
          ],
        },
      },
    },
    {
      type: 'agent_invocation',
      data: { agent: 'Plan', status: 'started', tool_use_id: 'toolu_1', reason: 'plan it' },
    },
    { type: 'file_operation', data: { operation: 'create', path: 'schema.sql' } },
    {
      type: 'api_response',
      data: {
        model: 'claude-opus-4-6',
        message_id: 'msg_1',
        tokens: { input: 100, output: 200, cacheCreation: 5000, cacheRead: 40_000 },
        source: 'transcript',
      },
    },
    {
      type: 'decision',
      data: { question: 'Which database?', selected: 'Postgres', rationale: 'we have it' },
    },
  ];
  events.forEach((event, i) => {
    writer.append({ ...event, session, ts: new Date(start + i * 1000) } as NewEvent);
  });
  await writer.close();
}

function json<T>(run: { code: number | null; stdout: string; stderr: string }): T {
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as T;
}

describe('sat status', () => {
  it('shows the current session: events, agents, tokens and context, cost, snapshot, handoff', async () => {
    const home = tempDir();
    await writeSession(home, 'older', 'Write the docs', 3 * HOUR);
    await writeSession(home, 'current', 'Add a database schema', 0);
    const human = await sat(['status'], { home });
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('session        current (active)');
    expect(human.stdout).toContain('1 running (Plan)');
    expect(human.stdout).toMatch(/context\s+22\.6% full \(45,100 of 200,000, claude-opus-4-6\)/);
    expect(human.stdout).toMatch(/cost\s+\$0\.\d{4}/);
    expect(human.stdout).toContain("none yet ('sat snapshot create' takes one)");
    const report = json<{
      session: string;
      events: number;
      summary: { totalTokens: number; context: { percent: number }; todos: { completed: number } };
      runningAgents: unknown[];
    }>(await sat(['status', 'older', '--json'], { home }));
    expect(report).toMatchObject({ session: 'older', events: 7, runningAgents: [{ agent: 'Plan' }] });
    expect(report.summary.totalTokens).toBe(45_300);
    expect(report.summary.todos.completed).toBe(1);
  });
});

describe('sat snapshot and sat handoff', () => {
  it('create, list, show, diff and restore snapshots; write a handoff', async () => {
    const home = tempDir();
    await writeSession(home, 'work', 'Add a database schema', HOUR);
    const first = json<{ snapshot: { id: string; seq: number } }>(
      await sat(['snapshot', 'create', 'work', '--json'], { home }),
    );
    expect(first.snapshot.seq).toBe(7);
    const second = json<{ snapshot: { id: string; seq: number }; baseId: string; replayed: number }>(
      await sat(['snapshot', 'create', 'work', '--json', '--trigger', 'pre-compact'], { home }),
    );
    expect(second).toMatchObject({ baseId: first.snapshot.id, replayed: 1, snapshot: { seq: 8 } });
    const list = json<{ snapshots: Array<{ id: string; trigger: string }> }>(
      await sat(['snapshot', 'list', 'work', '--json'], { home }),
    );
    expect(list.snapshots.map((s) => [s.id, s.trigger])).toEqual([
      [first.snapshot.id, 'manual'],
      [second.snapshot.id, 'pre-compact'],
    ]);
    const table = await sat(['snapshot', 'list', 'work'], { home });
    expect(table.stdout.split('\n')[0]).toBe(
      'ID\tEVENT\tTRIGGER\tCREATED\tFILES\tAGENT RUNS\tNEW TOKENS\tSIZE',
    );
    const shown = json<{ meta: { id: string }; files: Array<{ path: string; exists: boolean }> }>(
      await sat(['snapshot', 'show', 'latest:work', '--json'], { home }),
    );
    expect(shown.meta.id).toBe(second.snapshot.id);
    expect(shown.files).toEqual([expect.objectContaining({ path: 'schema.sql', exists: false })]);
    const delta = json<{ events: number; from: { id: string } }>(
      await sat(['snapshot', 'diff', second.snapshot.id, first.snapshot.id, '--json'], { home }),
    );
    expect(delta).toMatchObject({ events: 1, from: { id: first.snapshot.id } });
    const state = json<{ session: string; lastSeq: number; goal: { text: string } }>(
      await sat(['snapshot', 'restore', first.snapshot.id, '--json'], { home }),
    );
    expect(state).toMatchObject({ session: 'work', lastSeq: 7, goal: { text: 'Add a database schema' } });
    expect((await sat(['snapshot', 'bogus'], { home })).code).toBe(1);
    const missing = await sat(['snapshot', 'show', 'ffffffff'], { home });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no snapshot ffffffff');

    const handoff = json<{
      path: string;
      latestPath: string;
      tokens: number;
      transcriptSource: string;
      markdown: string;
    }>(await sat(['handoff', 'work', '--json', '--max-tokens', '800'], { home }));
    expect(handoff.tokens).toBeLessThanOrEqual(800);
    expect(estimateTokens(readFileSync(handoff.latestPath, 'utf8'))).toBe(handoff.tokens);
    expect(handoff.transcriptSource).toBe('event-log');
    expect(handoff.markdown).toContain('Add a database schema');
    expect(handoff.markdown).toContain('[~] write the migration');
    expect(handoff.markdown).toContain('Which database? → **Postgres** — we have it');
    const printed = await sat(['handoff', '--print'], { home });
    expect(printed.stdout).toContain('# Handoff: Add a database schema');
    expect((await sat(['handoff', '--max-tokens', '5'], { home })).code).toBe(1);
  });
});

describe('sat recover', () => {
  it('--yes --json recovers the sessions that did not end, and offers them only once', async () => {
    const home = tempDir();
    await writeSession(home, 'interrupted', 'Add a database schema', 2 * HOUR);
    await writeSession(home, 'busy', 'Write the docs', 0);
    const dry = json<{ dryRun: boolean; sessions: Array<{ session: string }> }>(
      await sat(['recover', '--dry-run', '--json'], { home }),
    );
    expect(dry.sessions.map((s) => s.session)).toEqual(['interrupted']);
    expect(existsSync(join(home, 'handoffs'))).toBe(false);

    const result = json<{
      quietMinutes: number;
      sessions: Array<{
        session: string;
        reasons: string[];
        progress: {
          completedTasks: string[];
          openTasks: string[];
          modifiedFiles: string[];
          lastEvents: unknown[];
        };
        recovered: {
          latestHandoff: string;
          tokens: number;
          snapshot: string;
          marker: string;
          resume: string;
        };
      }>;
    }>(await sat(['recover', '--yes', '--json'], { home }));
    expect(result.quietMinutes).toBe(30);
    expect(result.sessions).toHaveLength(1);
    const [s] = result.sessions;
    expect(s).toMatchObject({
      session: 'interrupted',
      reasons: ['quiet'],
      progress: {
        completedTasks: ['design the schema'],
        openTasks: ['write the migration'],
        modifiedFiles: ['schema.sql'],
      },
      recovered: { resume: 'claude --resume interrupted' },
    });
    expect(s!.progress.lastEvents).toHaveLength(5);
    expect(s!.recovered.tokens).toBeLessThanOrEqual(2000);
    expect(readFileSync(s!.recovered.latestHandoff, 'utf8')).toContain('Add a database schema');
    expect(existsSync(s!.recovered.marker)).toBe(true);

    const again = json<{ sessions: unknown[] }>(await sat(['recover', '--yes', '--json'], { home }));
    expect(again.sessions).toEqual([]);
    const none = await sat(['recover', '--yes'], { home });
    expect(none.stdout).toContain('no interrupted sessions');
  });

  it('recovers a session marked as crashed without asking when stdin is not a terminal', async () => {
    const home = tempDir();
    await writeSession(home, 'crashed', 'Refactor the API', 0);
    markSessionCrashed(loadConfig({ root: home, env: {} }), 'crashed', { reason: 'killed' });
    const run = await sat(['recover', '--quiet-minutes', '600'], { home });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('session crashed');
    expect(run.stdout).toContain('marked as crashed');
    expect(run.stdout).toContain('done       design the schema');
    expect(run.stdout).toContain('recovered crashed');
    expect(run.stdout).toContain('resume     claude --resume crashed');
    const status = await sat(['status', 'crashed', '--json'], { home });
    const report = JSON.parse(status.stdout) as {
      lastSnapshot: { trigger: string };
      lastHandoff: { path: string };
    };
    expect(report.lastSnapshot.trigger).toBe('recover');
    expect(existsSync(report.lastHandoff.path)).toBe(true);
  });
});
