import { readdirSync, readFileSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  createHandoff,
  estimateTokens,
  estimateTokensFromBytes,
  importTranscripts,
  latestHandoffForProject,
  listSessions,
  promptText,
  readLatestHandoff,
  readSessionEvents,
} from '../../src/index.js';
import { FIXTURES_DIR } from '../claude-code/fixture-helpers.js';
import { appendDrafts, type Draft, testConfig } from './snapshot-helpers.js';

describe('estimateTokens', () => {
  it('counts ASCII characters / 3.5 and one token per other character, rounded up', () => {
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokens('abc')).toBe(1);
    expect(estimateTokens('a'.repeat(35))).toBe(10);
    expect(estimateTokens('a'.repeat(36))).toBe(11);
    expect(estimateTokens('ééé')).toBe(3);
    expect(estimateTokens('😀')).toBe(1);
    expect(estimateTokensFromBytes(3500)).toBe(1000);
  });
});

describe('createHandoff from the real Claude Code fixture transcripts', () => {
  it('fits in 2,000 tokens, holds the goal and how to resume, and reports the saving against the transcript', async () => {
    const config = testConfig();
    await importTranscripts({
      logsDir: config.paths.logs,
      stateDir: config.paths.state,
      paths: [join(FIXTURES_DIR, 'spotter')],
    });
    const sessions = await listSessions(config.paths.logs);
    expect(sessions.length).toBeGreaterThanOrEqual(3);
    let withGoal = 0;
    for (const { session } of sessions) {
      let firstPrompt: string | undefined;
      let transcript: string | undefined;
      for await (const e of readSessionEvents(config.paths.logs, session, { quarantine: false })) {
        if (e.type === 'user_prompt' && firstPrompt === undefined) firstPrompt = e.data.text;
        if (e.type === 'session_start' && typeof e.meta?.transcript === 'string')
          transcript = e.meta.transcript;
      }
      const result = await createHandoff(config, session);
      expect(result.tokens).toBeLessThanOrEqual(2000);
      expect(estimateTokens(result.markdown)).toBe(result.tokens);
      expect(readFileSync(result.path, 'utf8')).toBe(result.markdown);
      expect(readFileSync(result.latestPath, 'utf8')).toBe(result.markdown);
      expect(result.markdown).toContain(`claude --resume ${session}`);
      expect(result.markdown).toContain(`sat status ${session}`);
      expect(result.markdown).toContain(`sat handoff ${session}`);
      if (firstPrompt !== undefined) {
        withGoal++;
        const goal = promptText(firstPrompt).split('\n')[0]!.trim().slice(0, 60);
        expect(result.markdown).toContain(goal);
      }
      if (transcript) {
        expect(result.transcriptSource).toBe('transcript');
        expect(result.transcriptTokens).toBe(Math.ceil(statSync(transcript).size / 3.5));
      } else expect(result.transcriptSource).toBe('event-log');
      expect(result.savingPercent).toBe(
        Math.round((1 - result.tokens / result.transcriptTokens) * 1000) / 10,
      );
      expect(result.event.id).toBeDefined();
      const last = [];
      for await (const e of readSessionEvents(config.paths.logs, session, { quarantine: false }))
        last.push(e);
      expect(last.at(-1)).toMatchObject({
        type: 'handoff',
        data: { path: result.path, tokens: result.tokens },
      });
    }
    expect(withGoal).toBeGreaterThanOrEqual(3);
    // The biggest fixture: a 236 KB transcript summarized in well under 2,000 tokens.
    const big = sessions.find((s) => s.session.startsWith('491e126e'))!;
    const result = await createHandoff(config, big.session);
    expect(result.savingPercent).toBeGreaterThan(95);
    expect(result.markdown).toContain('## Decisions');
    expect(result.markdown).toContain('`Plan`: 1 run(s) (1 completed)');
    expect(result.markdown).toMatch(/claude-opus-4-6 \$\d/);
  });
});

describe('createHandoff on a large session', () => {
  async function bigSession() {
    const config = testConfig();
    const drafts: Draft[] = [
      { type: 'session_start', data: { cwd: '/work/app', git_branch: 'main' } },
      {
        type: 'user_prompt',
        data: { text: `Migrate the billing service to the new API. ${'Details. '.repeat(300)}`, chars: 2745 },
      },
    ];
    for (let i = 0; i < 300; i++) {
      drafts.push({
        type: 'file_operation',
        data: { operation: 'modify', path: `src/billing/module-${i}.ts` },
      });
      drafts.push({
        type: 'error',
        data: { error_type: `E${i % 40}`, message: `failure number ${i} ${'x'.repeat(100)}` },
      });
      drafts.push({
        type: 'decision',
        data: { question: `Choice ${i}?`, selected: 'A', rationale: 'r'.repeat(200) },
      });
      drafts.push({
        type: 'agent_invocation',
        data: { agent: `agent-${i % 30}`, status: 'completed', reason: 'work' },
      });
      drafts.push({ type: 'tool_usage', data: { tool: `mcp__tool_${i % 50}`, success: i % 7 !== 0 } });
    }
    drafts.push({
      type: 'tool_usage',
      data: {
        tool: 'TodoWrite',
        success: true,
        parameters: {
          todos: Array.from({ length: 40 }, (_, i) => ({
            content: `step ${i} ${'of the plan '.repeat(5)}`,
            status: i < 10 ? 'completed' : 'pending',
          })),
        },
      },
    });
    drafts.push({
      type: 'turn_end',
      data: { last_message: `Next I will finish the invoices module. ${'More. '.repeat(200)}` },
    });
    await appendDrafts(config, 'big', drafts);
    return config;
  }

  it('stays within maxTokens by shortening lists, then dropping the least important sections', async () => {
    const config = await bigSession();
    const full = await createHandoff(config, 'big');
    expect(full.tokens).toBeLessThanOrEqual(2000);
    expect(full.markdown).toContain('Migrate the billing service to the new API.');
    expect(full.markdown).toContain('## Next steps (10 todo item(s) already done)');
    expect(full.markdown).toContain('[ ] step 10');
    expect(full.markdown).toContain('## How to resume');
    for (const max of [1200, 600, 300]) {
      const small = await createHandoff(config, 'big', { maxTokens: max });
      expect(small.tokens).toBeLessThanOrEqual(max);
      expect(small.markdown).toContain('Migrate the billing service');
      expect(small.markdown).toContain('claude --resume big');
      expect(small.sections).toEqual(expect.arrayContaining(['header', 'goal', 'resume']));
    }
    const tiny = await createHandoff(config, 'big', { maxTokens: 300 });
    expect(tiny.dropped.length).toBeGreaterThan(0);
    expect(tiny.dropped).not.toEqual(expect.arrayContaining(['header']));
    expect(tiny.sections.length + tiny.dropped.length).toBe(12);
  });

  it('keeps one file per handoff plus latest-<session>.md; latestHandoffForProject returns the newest', async () => {
    const config = await bigSession();
    await appendDrafts(config, 'other', [
      { type: 'user_prompt', data: { text: 'Write the docs', chars: 14 } },
    ]);
    const a = await createHandoff(config, 'big', { now: new Date('2026-03-01T10:00:00Z') });
    const b = await createHandoff(config, 'other', { now: new Date('2026-03-01T11:00:00Z') });
    expect(readdirSync(config.paths.handoffs).sort()).toEqual(
      [
        'big-2026-03-01T10-00-00-000Z.md',
        'latest-big.md',
        'latest-other.md',
        'other-2026-03-01T11-00-00-000Z.md',
      ].sort(),
    );
    utimesSync(a.latestPath, new Date('2026-03-01T10:00:00Z'), new Date('2026-03-01T10:00:00Z'));
    utimesSync(b.latestPath, new Date('2026-03-01T11:00:00Z'), new Date('2026-03-01T11:00:00Z'));
    expect(latestHandoffForProject(config)).toBe(b.markdown);
    expect(latestHandoffForProject(config, { excludeSession: 'other' })).toBe(a.markdown);
    expect(latestHandoffForProject(testConfig())).toBeUndefined();
  });

  it('readLatestHandoff: the newest written handoff of that session only, writing nothing; NOT_FOUND when none', async () => {
    const config = await bigSession();
    await appendDrafts(config, 'big-2', [{ type: 'user_prompt', data: { text: 'Other work', chars: 10 } }]);
    expect(() => readLatestHandoff(config, 'big')).toThrow(
      expect.objectContaining({ code: 'NOT_FOUND', message: expect.stringContaining("'sat handoff big'") }),
    );
    await createHandoff(config, 'big', { now: new Date('2026-03-01T10:00:00Z'), maxTokens: 600 });
    const newest = await createHandoff(config, 'big', { now: new Date('2026-03-01T12:00:00Z') });
    await createHandoff(config, 'big-2', { now: new Date('2026-03-02T00:00:00Z') });
    const files = readdirSync(config.paths.handoffs).sort();
    const stored = readLatestHandoff(config, 'big');
    expect(stored).toMatchObject({
      session: 'big',
      path: newest.path,
      latestPath: newest.latestPath,
      markdown: newest.markdown,
      tokens: newest.tokens,
    });
    expect(Date.parse(stored.writtenAt)).toBe(statSync(newest.path).mtime.getTime());
    expect(readdirSync(config.paths.handoffs).sort()).toEqual(files);
  });

  it('writes no handoff event after the session ended, and estimates from the event log without a transcript', async () => {
    const config = testConfig();
    await appendDrafts(config, 'done', [
      { type: 'user_prompt', data: { text: 'Ship it', chars: 7 } },
      { type: 'session_end', data: { reason: 'exit' } },
    ]);
    const result = await createHandoff(config, 'done');
    expect(result.event.skipped).toMatch(/ended/);
    expect(result.transcriptSource).toBe('event-log');
    expect(result.markdown).toContain('ended');
  });
});
