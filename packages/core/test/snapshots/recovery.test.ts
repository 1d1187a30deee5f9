import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  findIncompleteSessions,
  listSnapshots,
  markSessionCrashed,
  readRecoveredMarker,
  recoverSession,
  sessionLogFiles,
  sessionProgress,
} from '../../src/index.js';
import { appendDrafts, type Draft, testConfig } from './snapshot-helpers.js';

const HOUR = 3_600_000;

function work(prompt: string): Draft[] {
  return [
    { type: 'session_start', data: { cwd: '/p' } },
    { type: 'user_prompt', data: { text: prompt, chars: prompt.length } },
    {
      type: 'tool_usage',
      data: {
        tool: 'TodoWrite',
        success: true,
        parameters: {
          todos: [
            { content: 'write the parser', status: 'completed' },
            { content: 'write the tests', status: 'pending' },
          ],
        },
      },
    },
    { type: 'file_operation', data: { operation: 'create', path: 'src/parser.ts' } },
    {
      type: 'agent_invocation',
      data: { agent: 'reviewer', status: 'completed', reason: 'review the parser' },
    },
    {
      type: 'tool_usage',
      data: { tool: 'Bash', parameters: { command: 'pnpm test' }, success: false, error: 'Exit code 1' },
    },
  ];
}

async function projectWithSessions() {
  const config = testConfig();
  const old = (i: number) => new Date(Date.now() - 2 * HOUR + i * 1000);
  await appendDrafts(config, 'crashed-long-ago', work('Build the parser'), old);
  await appendDrafts(config, 'still-running', work('Build the lexer'), () => new Date());
  await appendDrafts(
    config,
    'ended-properly',
    [...work('Build the docs'), { type: 'session_end', data: {} }],
    old,
  );
  return config;
}

describe('findIncompleteSessions', () => {
  it('finds open sessions quiet for 30 minutes, or marked crashed, but not ended or active ones', async () => {
    const config = await projectWithSessions();
    let found = await findIncompleteSessions(config);
    expect(found.map((s) => s.session)).toEqual(['crashed-long-ago']);
    expect(found[0]).toMatchObject({ reasons: ['quiet'], quietMinutes: expect.any(Number) });
    expect(found[0]!.quietMinutes).toBeGreaterThanOrEqual(119);
    expect(found[0]!.why[0]).toMatch(/no session_end, and no activity for 1\d\d minutes/);
    expect((await findIncompleteSessions(config, { quietMinutes: 0 })).map((s) => s.session).sort()).toEqual([
      'crashed-long-ago',
      'still-running',
    ]);
    markSessionCrashed(config, 'still-running', { reason: 'terminal closed' });
    found = await findIncompleteSessions(config);
    expect(found.map((s) => [s.session, s.reasons])).toEqual([
      ['crashed-long-ago', ['quiet']],
      ['still-running', ['crash-marker']],
    ]);
    expect(found[1]!.why[0]).toMatch(/terminal closed/);
  });

  it('flags a session whose log lock was left by a process that died', async () => {
    const config = await projectWithSessions();
    const lock = sessionLogFiles(config.paths.logs, 'still-running').lock;
    mkdirSync(dirname(lock), { recursive: true });
    writeFileSync(lock, `999999 ${(await import('node:os')).hostname()} 12345 ${Date.now()}`);
    const found = await findIncompleteSessions(config);
    expect(found.find((s) => s.session === 'still-running')?.reasons).toEqual(['dead-writer']);
  });
});

describe('recoverSession', () => {
  it('shows the progress, takes a snapshot, writes the handoff and marks the session recovered', async () => {
    const config = await projectWithSessions();
    const progress = await sessionProgress(config, 'crashed-long-ago');
    expect(progress.completedTasks).toEqual(['write the parser', 'agent reviewer: review the parser']);
    expect(progress.openTasks).toEqual(['write the tests']);
    expect(progress.modifiedFiles.map((f) => f.path)).toEqual(['src/parser.ts']);
    expect(progress.lastEvents.map((e) => e.seq)).toEqual([2, 3, 4, 5, 6]);
    expect(progress.summary.openErrors).toBe(1);

    markSessionCrashed(config, 'crashed-long-ago');
    const result = await recoverSession(config, 'crashed-long-ago', { loaded: progress.loaded });
    expect(result.snapshot.snapshot.trigger).toBe('recover');
    expect(result.snapshot.replayed).toBe(6); // the whole log (there was no snapshot), as sessionProgress read it
    expect(listSnapshots(config, 'crashed-long-ago').map((m) => m.trigger)).toEqual(['recover']);
    const markdown = readFileSync(result.handoff.latestPath, 'utf8');
    expect(markdown).toContain('Build the parser');
    expect(markdown).toContain('[ ] write the tests');
    expect(markdown).toContain('claude --resume crashed-long-ago');
    expect(readRecoveredMarker(config, 'crashed-long-ago')).toMatchObject({
      session: 'crashed-long-ago',
      lastSeq: 8, // 6 events + the snapshot and handoff events
      handoff: result.handoff.path,
      snapshot: result.snapshot.snapshot.id,
    });
    expect(existsSync(`${config.paths.state}/recovery/crashed-long-ago.crashed.json`)).toBe(false);
    // Not offered again, even though its snapshot and handoff events are recent...
    expect(await findIncompleteSessions(config)).toEqual([]);
    // ...until the session logs more work.
    await appendDrafts(
      config,
      'crashed-long-ago',
      [{ type: 'decision', data: { question: 'q', selected: 'a' } }],
      () => new Date(Date.now() - HOUR),
    );
    const again = await findIncompleteSessions(config);
    expect(again.map((s) => [s.session, s.recoveredBefore !== undefined])).toEqual([
      ['crashed-long-ago', true],
    ]);
  });
});
