import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTracker, getActiveSession, listSessions, sessionLogFiles } from '../../src/index.js';
import { REPO, readAll, runTs, tempDir } from '../helpers.js';

describe('createTracker', () => {
  it('records a session through the seven log functions and closes it', async () => {
    const root = tempDir();
    const tracker = createTracker({ root, env: {}, agent: 'main', setActive: true });
    const session = tracker.startSession({ source: 'startup', cwd: '/project' });
    expect(getActiveSession(tracker.config.paths.logs)).toBe(session);
    const call = tracker.logAgentInvocation({
      agent: 'reviewer',
      invoked_by: 'main',
      reason: 'review the diff',
    });
    tracker.logToolUsage(
      { tool: 'Bash', parameters: { command: 'pnpm test' }, duration_ms: 5400, success: true },
      { agent: 'reviewer', parent: call },
    );
    tracker.logDecision({
      question: 'Merge?',
      options: ['yes', 'no'],
      selected: 'yes',
      rationale: 'tests pass',
    });
    tracker.logValidation({ task: 'tests', checks: [{ name: 'unit', passed: true }], result: 'pass' });
    tracker.logError({
      error_type: 'LintError',
      message: 'unused import',
      attempted_fix: 'removed it',
      fix_successful: true,
    });
    tracker.logFileOperation({ operation: 'modify', path: 'src/index.ts' });
    tracker.logContextSnapshot({ tokens_before: 150_000, tokens_after: 30_000 });
    tracker.log('phase', { phase: 2, name: 'review' });
    const flushed = await tracker.flush();
    expect(flushed).toEqual({ appended: 9, nextSeq: 10 });
    const closed = await tracker.endSession({ reason: 'done' });
    expect(closed).toMatchObject({ session, events: 10, compressedNow: true });
    expect(tracker.session).toBeUndefined();
    expect(getActiveSession(tracker.config.paths.logs)).toBeUndefined();
    expect(existsSync(sessionLogFiles(tracker.config.paths.logs, session).compressed)).toBe(true);

    const { events } = await readAll(tracker.config.paths.logs, session);
    expect(events.map((e) => e.type)).toEqual([
      'session_start',
      'agent_invocation',
      'tool_usage',
      'decision',
      'validation',
      'error',
      'file_operation',
      'context_snapshot',
      'phase',
      'session_end',
    ]);
    expect(events[2]).toMatchObject({ agent: 'reviewer', parent: call });
    const [info] = await listSessions(tracker.config.paths.logs);
    expect(info).toMatchObject({ session, status: 'closed', events: 10 });
    await tracker.close();
  });

  it('says what to do when no session was started', () => {
    const tracker = createTracker({ root: tempDir(), env: {} });
    expect(() => tracker.logDecision({ question: 'q', selected: 'a' })).toThrow(
      expect.objectContaining({
        code: 'NO_ACTIVE_SESSION',
        message: expect.stringContaining('startSession()'),
      }),
    );
  });

  it('attaches to an existing session from another process', async () => {
    const root = tempDir();
    const a = createTracker({ root, env: {} });
    const session = a.startSession();
    await a.close();
    const b = createTracker({ root, env: {}, session });
    b.logDecision({ question: 'q', selected: 'a' });
    await b.close();
    const { events } = await readAll(b.config.paths.logs, session);
    expect(events.map((e) => e.seq)).toEqual([1, 2]);
  });

  it('the README example runs', async () => {
    const root = tempDir();
    const { code, stdout, stderr } = await runTs(join(REPO, 'examples', 'basic-tracker.ts'), [], {
      SAT_HOME: root,
    });
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/session \S+ closed: 9 events/);
  });
});
