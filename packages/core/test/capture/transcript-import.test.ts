import {
  appendFileSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importStatePath } from '../../src/capture/import-state.js';
import { importTranscripts } from '../../src/capture/transcript-import.js';
import type { AnySatEvent } from '../../src/events/envelope.js';
import { readSessionEvents } from '../../src/log/event-reader.js';
import { EventWriter } from '../../src/log/event-writer.js';
import { FileLock } from '../../src/log/lock.js';
import { sessionInfo } from '../../src/log/sessions.js';
import { sessionUsage } from '../../src/usage/session-usage.js';
import {
  assistantLine,
  FIXTURES_DIR,
  fixture,
  loadExpected,
  ofKind,
  readAllItems,
  tempDir,
  toolResultLine,
  usage,
} from '../claude-code/fixture-helpers.js';

const expected = loadExpected();

const SESSIONS = {
  'spotter/subagent.jsonl': '491e126e-1e71-469c-ade2-fcc8af567c74',
  'spotter/short.jsonl': '55604662-cf2a-4331-851a-ec234028f8ca',
  'spotter/tool_heavy.jsonl': 'd6e0bada-1959-4eec-a9d2-0bfade768d8f',
  'spotter/subagents/agent-a7be2f0.jsonl': '8463c716-a2ea-4c14-9efa-87158ebd9f20',
  'spotter/subagents/agent-acompact-f46190.jsonl': '8463c716-a2ea-4c14-9efa-87158ebd9f20',
} as const;

/** The estimate the parent's Task result gives for sub-agent afb92ff (its last API call). */
const AFB92FF_ESTIMATE = { input: 3, output: 3130, cacheCreation: 892, cacheRead: 29869 };

function dirs() {
  const root = tempDir();
  return { logsDir: join(root, 'logs'), stateDir: join(root, 'state'), root };
}

async function events(logsDir: string, session: string): Promise<AnySatEvent[]> {
  const out: AnySatEvent[] = [];
  for await (const event of readSessionEvents(logsDir, session)) out.push(event);
  return out;
}

function sum(list: Array<{ input: number; output: number; cacheCreation: number; cacheRead: number }>) {
  return list.reduce(
    (t, x) => ({
      input: t.input + x.input,
      output: t.output + x.output,
      cacheCreation: t.cacheCreation + x.cacheCreation,
      cacheRead: t.cacheRead + x.cacheRead,
    }),
    { input: 0, output: 0, cacheCreation: 0, cacheRead: 0 },
  );
}

function perModel(list: Extract<AnySatEvent, { type: 'api_response' }>[]) {
  const out: Record<string, ReturnType<typeof sum>> = {};
  for (const e of list) out[e.data.model] = sum([out[e.data.model] ?? sum([]), e.data.tokens]);
  return out;
}

describe('importTranscripts: every real transcript, figures exactly as EXPECTED.json', () => {
  for (const [name, session] of Object.entries(SESSIONS)) {
    it(`${name}: api_response, tool_usage and error events match`, async () => {
      const { logsDir, stateDir } = dirs();
      const result = await importTranscripts({ paths: [fixture(name)], logsDir, stateDir });
      const want = expected[name]!;
      expect(result).toMatchObject({ files: 1, filesRead: 1, sessions: [session], issues: [] });
      const all = await events(logsDir, session);
      const responses = all.filter(
        (e): e is Extract<AnySatEvent, { type: 'api_response' }> =>
          e.type === 'api_response' && e.data.source === 'transcript',
      );
      expect(responses).toHaveLength(want.api_responses);
      expect(sum(responses.map((e) => e.data.tokens))).toEqual(want.tokens);
      expect(perModel(responses)).toEqual(want.per_model);
      expect(all.filter((e) => e.type === 'tool_usage')).toHaveLength(want.tool_results);
      expect(all.filter((e) => e.type === 'error')).toHaveLength(want.tool_errors);
      expect(result.appended).toBe(all.length);
      // Every id is unique, and re-importing the same file adds nothing.
      expect(new Set(all.map((e) => e.id)).size).toBe(all.length);
      const again = await importTranscripts({ paths: [fixture(name)], logsDir, stateDir });
      expect(again).toMatchObject({ appended: 0, skippedUnchanged: 1, filesRead: 0 });
    });
  }

  it('attributes events: main, the Task sub-agent by its subagent_type, sub-agent files by id, the compaction run', async () => {
    const { logsDir, stateDir } = dirs();
    await importTranscripts({ paths: [join(FIXTURES_DIR, 'spotter')], logsDir, stateDir });
    const main = await events(logsDir, SESSIONS['spotter/subagent.jsonl']);
    expect(main[0]).toMatchObject({
      type: 'session_start',
      ts: '2026-02-10T21:54:15.897Z',
      data: { client: 'claude-code', cwd: '/home/marco/projects/spotter', git_branch: 'master' },
    });
    const invocations = main.filter((e) => e.type === 'agent_invocation');
    expect(invocations.map((e) => [e.agent, e.data])).toEqual([
      [
        'Plan',
        expect.objectContaining({
          agent: 'Plan',
          invoked_by: 'main',
          status: 'started',
          tool_use_id: 'toolu_01Cz2Pnv7qNcnK1ZiocxWhQX',
          reason: 'Draft beads for linting setup',
        }),
      ],
      [
        'Plan',
        expect.objectContaining({
          status: 'completed',
          success: true,
          agent_id: 'afb92ff',
          duration_ms: 38799,
          tokens: AFB92FF_ESTIMATE,
          model: 'claude-haiku-4-5-20251001',
        }),
      ],
    ]);
    expect(invocations[1]!.parent).toBe(invocations[0]!.id);
    const decisions = main.filter((e) => e.type === 'decision').map((e) => e.data.selected);
    expect(decisions).toEqual(['No rig', 'Credo + Dialyxir + mix_audit', 'approve']);
    expect(
      main.filter((e) => e.type === 'decision').every((e) => typeof e.meta?.tool_use_id === 'string'),
    ).toBe(true);
    const write = main.find((e) => e.type === 'file_operation');
    expect(write).toMatchObject({
      data: { operation: 'create', path: '/home/marco/projects/spotter/plan.md' },
      meta: { tool_use_id: 'toolu_01K3VJ686txYhQVcAH8FETHo' },
    });
    const prompts = main.filter((e) => e.type === 'user_prompt');
    expect(prompts).toHaveLength(2);
    for (const p of prompts) expect(p.data.chars).toBeGreaterThanOrEqual(p.data.text.length);
    const bash = main.find((e) => e.type === 'tool_usage' && e.data.tool === 'Bash');
    expect(bash).toMatchObject({
      agent: 'main',
      data: { success: true, parameters: { command: expect.any(String) } },
    });
    expect((bash as Extract<AnySatEvent, { type: 'tool_usage' }>).data.duration_ms).toBeGreaterThan(0);

    const sub = await events(logsDir, SESSIONS['spotter/subagents/agent-a7be2f0.jsonl']);
    const agents = new Set(sub.map((e) => e.agent));
    expect(agents).toEqual(new Set(['agent-a7be2f0', 'compact']));
    expect(
      sub.filter((e) => e.agent === 'compact').every((e) => e.meta?.agent_id === 'acompact-f46190'),
    ).toBe(true);
    expect(
      sub.filter((e) => e.type === 'api_response').every((e) => e.type === 'api_response' && e.data.agent_id),
    ).toBe(true);
    // A session with only sub-agent transcripts has no session_start (its main file is missing).
    expect(sub.some((e) => e.type === 'session_start')).toBe(false);
    // Imported sessions stay open.
    expect(sessionInfo(logsDir, SESSIONS['spotter/short.jsonl'])?.status).toBe('active');
  });

  it('the session total of 8463c716 (sub-agent files only) is the sum of both files', async () => {
    const { logsDir, stateDir } = dirs();
    await importTranscripts({ paths: [join(FIXTURES_DIR, 'spotter/subagents')], logsDir, stateDir });
    const usageOf = await sessionUsage(logsDir, '8463c716-a2ea-4c14-9efa-87158ebd9f20');
    const a = expected['spotter/subagents/agent-a7be2f0.jsonl']!;
    const c = expected['spotter/subagents/agent-acompact-f46190.jsonl']!;
    expect(usageOf.tokens).toEqual(sum([a.tokens, c.tokens]));
    expect(usageOf.apiResponses).toBe(a.api_responses + c.api_responses);
    expect(usageOf.byAgent['agent-a7be2f0']!.tokens).toEqual(a.tokens);
    expect(usageOf.byAgent.compact!.tokens).toEqual(c.tokens);
    expect(usageOf.estimatedResponses).toBe(0);
  });
});

describe('sub-agents whose transcript is missing: the Task result estimate, never counted twice', () => {
  const MAIN = SESSIONS['spotter/subagent.jsonl'];
  const main = expected['spotter/subagent.jsonl']!;

  /** A transcript for sub-agent afb92ff: two haiku responses (one spread over two lines). */
  function afb92ffTranscript(): string {
    const line = (messageId: string, u: Record<string, unknown>, ts: string) =>
      assistantLine({
        messageId,
        requestId: `req_${messageId}`,
        model: 'claude-haiku-4-5-20251001',
        usage: u,
        ts,
        extra: { sessionId: MAIN, agentId: 'afb92ff', isSidechain: true },
      });
    return [
      line('msg_afb_1', usage(10, 1, 1000, 20_000), '2026-02-10T21:58:16.000Z'),
      line('msg_afb_1', usage(10, 200, 1000, 20_000), '2026-02-10T21:58:17.000Z'),
      line('msg_afb_2', usage(4, 3130, 892, 29_869, true), '2026-02-10T21:58:50.000Z'),
      '',
    ].join('\n');
  }
  const AFB92FF_FILE = { input: 14, output: 3330, cacheCreation: 1892, cacheRead: 49_869 };

  it("counts the parent's Task result while the sub-agent's file is missing", async () => {
    const { logsDir, stateDir } = dirs();
    await importTranscripts({ paths: [fixture('spotter/subagent.jsonl')], logsDir, stateDir });
    const estimate = (await events(logsDir, MAIN)).filter(
      (e) => e.type === 'api_response' && e.data.source === 'task_result',
    );
    expect(estimate).toHaveLength(1);
    expect(estimate[0]).toMatchObject({
      agent: 'Plan',
      data: {
        agent_id: 'afb92ff',
        model: 'claude-haiku-4-5-20251001',
        tokens: AFB92FF_ESTIMATE,
        cache_creation_1h: 892,
      },
    });
    const u = await sessionUsage(logsDir, MAIN);
    expect(u.tokens).toEqual(sum([main.tokens, AFB92FF_ESTIMATE]));
    expect(u.estimatedResponses).toBe(1);
    expect(u.byAgent.Plan!.tokens).toEqual(AFB92FF_ESTIMATE);
    expect(u.byAgent.main!.tokens).toEqual(main.tokens);
  });

  /** The main transcript without its agent_progress lines (older Claude Code wrote none), edited by `edit`. */
  function withoutProgress(root: string, edit: (record: Record<string, unknown>) => void = () => {}): string {
    const file = join(root, `${MAIN}.jsonl`);
    const lines = readFileSync(fixture('spotter/subagent.jsonl'), 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((record) => (record.data as { type?: string } | undefined)?.type !== 'agent_progress');
    for (const record of lines) edit(record);
    writeFileSync(file, `${lines.map((record) => JSON.stringify(record)).join('\n')}\n`);
    return file;
  }

  it("prices an estimate of unknown model with the parent's model for the Task call", async () => {
    const { logsDir, stateDir, root } = dirs();
    await importTranscripts({ paths: [withoutProgress(root)], logsDir, stateDir });
    const estimate = (await events(logsDir, MAIN)).find(
      (e) => e.type === 'api_response' && e.data.source === 'task_result',
    );
    expect(estimate).toMatchObject({ data: { model: 'claude-opus-4-6', tokens: AFB92FF_ESTIMATE } });
    const u = await sessionUsage(logsDir, MAIN);
    expect(u.unknownModels).toEqual([]);
    expect(u.unpricedTokens).toBe(0);
  });

  it('leaves the estimate unpriced, and says so, when the parent line names no model either', async () => {
    const { logsDir, stateDir, root } = dirs();
    const file = withoutProgress(root, (record) => {
      const message = record.message as { model?: string; content?: Array<{ name?: string }> } | undefined;
      if (message?.content?.some?.((block) => block.name === 'Task' || block.name === 'Agent'))
        delete message.model;
    });
    await importTranscripts({ paths: [file], logsDir, stateDir });
    const u = await sessionUsage(logsDir, MAIN);
    expect(u.unknownModels.length).toBe(1);
    expect(u.unpricedTokens).toBe(
      AFB92FF_ESTIMATE.input +
        AFB92FF_ESTIMATE.output +
        AFB92FF_ESTIMATE.cacheCreation +
        AFB92FF_ESTIMATE.cacheRead,
    );
  });

  it("uses only the sub-agent's own transcript once it is imported later (never both)", async () => {
    const { logsDir, stateDir, root } = dirs();
    await importTranscripts({ paths: [fixture('spotter/subagent.jsonl')], logsDir, stateDir });
    const file = join(root, 'projects', MAIN, 'subagents', 'agent-afb92ff.jsonl');
    mkdirSync(join(root, 'projects', MAIN, 'subagents'), { recursive: true });
    writeFileSync(file, afb92ffTranscript());
    const later = await importTranscripts({ paths: [file], logsDir, stateDir });
    expect(later.appended).toBe(2);
    const u = await sessionUsage(logsDir, MAIN);
    expect(u.tokens).toEqual(sum([main.tokens, AFB92FF_FILE]));
    expect(u.byAgent.Plan!.tokens).toEqual(AFB92FF_FILE);
    expect(u.estimatedResponses).toBe(0);
    expect(u.replacedEstimates).toBe(1);
    // The later file's events are named after the invocation the log already has, and belong under it.
    const all = await events(logsDir, MAIN);
    const started = all.find((e) => e.type === 'agent_invocation' && e.data.status === 'started')!;
    const fromFile = all.filter(
      (e) => e.type === 'api_response' && e.data.source === 'transcript' && e.data.agent_id,
    );
    expect(fromFile.map((e) => [e.agent, e.parent, e.meta?.agent_id])).toEqual([
      ['Plan', started.id, 'afb92ff'],
      ['Plan', started.id, 'afb92ff'],
    ]);
  });

  it('adds no estimate when the sub-agent file is imported in the same run', async () => {
    const { logsDir, stateDir, root } = dirs();
    const project = join(root, 'projects');
    mkdirSync(join(project, MAIN, 'subagents'), { recursive: true });
    copyFileSync(fixture('spotter/subagent.jsonl'), join(project, `${MAIN}.jsonl`));
    writeFileSync(join(project, MAIN, 'subagents', 'agent-afb92ff.jsonl'), afb92ffTranscript());
    await importTranscripts({ paths: [project], logsDir, stateDir });
    const all = await events(logsDir, MAIN);
    expect(all.some((e) => e.type === 'api_response' && e.data.source === 'task_result')).toBe(false);
    const u = await sessionUsage(logsDir, MAIN);
    expect(u.tokens).toEqual(sum([main.tokens, AFB92FF_FILE]));
    expect(u.byAgent.Plan!.apiResponses).toBe(2);
  });
});

describe('importTranscripts is idempotent', () => {
  it('a second import appends nothing and does not open unchanged files; without its state it still appends nothing', async () => {
    const { logsDir, stateDir } = dirs();
    const first = await importTranscripts({ paths: [join(FIXTURES_DIR, 'spotter')], logsDir, stateDir });
    expect(first).toMatchObject({ files: 5, filesRead: 5, skippedUnchanged: 0, duplicatesSkipped: 0 });
    expect(first.appended).toBeGreaterThan(80);
    expect(first.sessions).toHaveLength(4);
    const second = await importTranscripts({ paths: [join(FIXTURES_DIR, 'spotter')], logsDir, stateDir });
    expect(second).toMatchObject({ files: 5, filesRead: 0, skippedUnchanged: 5, appended: 0, bytes: 0 });
    expect(second.sessions).toEqual([]);
    const state = JSON.parse(readFileSync(importStatePath(stateDir), 'utf8'));
    expect(Object.keys(state.files)).toHaveLength(5);
    rmSync(importStatePath(stateDir));
    const third = await importTranscripts({ paths: [join(FIXTURES_DIR, 'spotter')], logsDir, stateDir });
    expect(third).toMatchObject({ filesRead: 5, appended: 0, duplicatesSkipped: first.appended });
  });

  it('a transcript that grew adds only its new events; a response cut in two is counted once, complete', async () => {
    const lines = readFileSync(fixture('spotter/tool_heavy.jsonl'), 'utf8').split('\n');
    // Line 35 splits msg_019BN3FRqb7NU4DgBN5jdsym (lines 34 and 37, output_tokens 25 then 173).
    for (const cut of [20, 35]) {
      const { logsDir, stateDir, root } = dirs();
      const file = join(root, 'd6e0bada-1959-4eec-a9d2-0bfade768d8f.jsonl');
      writeFileSync(file, `${lines.slice(0, cut).join('\n')}\n`);
      const before = await importTranscripts({ paths: [file], logsDir, stateDir });
      appendFileSync(file, lines.slice(cut).join('\n'));
      const after = await importTranscripts({ paths: [file], logsDir, stateDir });
      expect(after.filesRead).toBe(1);
      expect(after.duplicatesSkipped).toBeGreaterThan(0);

      const fresh = dirs();
      const whole = await importTranscripts({ paths: [file], ...fresh });
      const grown = await events(logsDir, 'd6e0bada-1959-4eec-a9d2-0bfade768d8f');
      const all = await events(fresh.logsDir, 'd6e0bada-1959-4eec-a9d2-0bfade768d8f');
      const ids = new Set(grown.map((e) => e.id));
      for (const event of all) expect(ids.has(event.id), `${event.type} ${event.id}`).toBe(true);
      // At the clean cut nothing is extra; at the cut inside a response, only its partial figures.
      const extra = grown.filter((e) => !all.some((f) => f.id === e.id));
      expect(extra.map((e) => e.type)).toEqual(cut === 35 ? ['api_response'] : []);
      expect(before.appended + after.appended).toBe(whole.appended + extra.length);
      const u = await sessionUsage(logsDir, 'd6e0bada-1959-4eec-a9d2-0bfade768d8f');
      expect(u.tokens).toEqual(expected['spotter/tool_heavy.jsonl']!.tokens);
      expect(u.apiResponses).toBe(expected['spotter/tool_heavy.jsonl']!.api_responses);
    }
  });

  it('does not duplicate what the hooks already captured (joined on tool_use_id, and prompts)', async () => {
    const { logsDir, stateDir } = dirs();
    const session = SESSIONS['spotter/short.jsonl'];
    const writer = new EventWriter({ logsDir });
    writer.append({
      type: 'tool_usage',
      session,
      data: { tool: 'Bash', success: false, tool_use_id: 'toolu_0116Hyi5v8ut7Ffb7d8qV1Sc' },
      meta: { hook: 'PostToolUseFailure' },
    });
    writer.append({
      type: 'session_start',
      session,
      data: { client: 'claude-code', source: 'startup' },
    });
    await writer.close();
    const result = await importTranscripts({ paths: [fixture('spotter/short.jsonl')], logsDir, stateDir });
    const all = await events(logsDir, session);
    const bash = all.filter(
      (e) => 'tool_use_id' in e.data && e.data.tool_use_id === 'toolu_0116Hyi5v8ut7Ffb7d8qV1Sc',
    );
    // The hook's tool_usage stays the only one; the call's error (the hook path writes its own) is not added either.
    expect(bash.map((e) => [e.type, e.meta?.hook])).toEqual([['tool_usage', 'PostToolUseFailure']]);
    expect(all.filter((e) => e.type === 'tool_usage')).toHaveLength(2);
    expect(all.filter((e) => e.type === 'session_start')).toHaveLength(1);
    expect(result.duplicatesSkipped).toBe(3);

    // A prompt the hook captured is not imported again.
    const other = dirs();
    const promptSession = SESSIONS['spotter/tool_heavy.jsonl'];
    const { items } = await readAllItems(fixture('spotter/tool_heavy.jsonl'));
    const text = ofKind(items, 'user_prompt')[0]!.text;
    const hookWriter = new EventWriter({ logsDir: other.logsDir });
    hookWriter.append({ type: 'user_prompt', session: promptSession, data: { text, chars: text.length } });
    await hookWriter.close();
    const imported = await importTranscripts({ paths: [fixture('spotter/tool_heavy.jsonl')], ...other });
    expect(imported.duplicatesSkipped).toBe(1);
    const prompts = (await events(other.logsDir, promptSession)).filter((e) => e.type === 'user_prompt');
    expect(prompts).toHaveLength(3);
    expect(prompts.filter((e) => e.type === 'user_prompt' && e.data.text === text)).toHaveLength(1);
  });
});

describe('importTranscripts on bad input', () => {
  it('reports unparseable lines with file and line, counts unknown record types, and imports the rest', async () => {
    const { logsDir, stateDir, root } = dirs();
    const file = join(root, 'bad.jsonl');
    writeFileSync(
      file,
      [
        assistantLine({ messageId: 'msg_1', requestId: 'req_1', usage: usage(1, 2, 3, 4) }),
        '{"this is": not json',
        JSON.stringify({ type: 'ai-title', sessionId: 's-synthetic', title: 'x' }),
        JSON.stringify({ type: 'ai-title', sessionId: 's-synthetic', title: 'y' }),
        '[1,2,3]',
        assistantLine({ messageId: 'msg_2', requestId: 'req_2', usage: usage(10, 20, 30, 40) }),
        '{"type":"assistant","cut off',
      ].join('\n'),
    );
    const result = await importTranscripts({ paths: [file], logsDir, stateDir });
    expect(result.unknownTypes).toEqual({ 'ai-title': 2 });
    expect(result.issues.map((i) => [i.kind, i.file, i.line])).toEqual([
      ['unparseable', file, 2],
      ['unknown-type', file, 3],
      ['unparseable', file, 5],
      ['unparseable', file, 7],
    ]);
    expect(result.issues[0]!.message).toContain(`${file}: line 2 is not valid JSON`);
    const u = await sessionUsage(logsDir, 's-synthetic');
    expect(u.tokens).toEqual({ input: 11, output: 22, cacheCreation: 33, cacheRead: 44 });
  });

  it('throws a clear SatError for a path that does not exist', async () => {
    const { logsDir, stateDir, root } = dirs();
    const missing = join(root, 'nope');
    await expect(importTranscripts({ paths: [missing], logsDir, stateDir })).rejects.toMatchObject({
      code: 'IO_ERROR',
      message: expect.stringContaining(`cannot import ${missing}: no such file or folder`),
    });
  });

  it('defaults to $CLAUDE_CONFIG_DIR/projects, and finds main and sub-agent transcripts there', async () => {
    const { logsDir, stateDir, root } = dirs();
    const session = '8463c716-a2ea-4c14-9efa-87158ebd9f20';
    const subagents = join(root, 'claude', 'projects', '-home-me-app', session, 'subagents');
    mkdirSync(subagents, { recursive: true });
    copyFileSync(fixture('spotter/subagents/agent-a7be2f0.jsonl'), join(subagents, 'agent-a7be2f0.jsonl'));
    copyFileSync(fixture('spotter/short.jsonl'), join(root, 'claude', 'projects', '-home-me-app', 'x.jsonl'));
    const result = await importTranscripts({
      logsDir,
      stateDir,
      env: { CLAUDE_CONFIG_DIR: join(root, 'claude') },
    });
    expect(result).toMatchObject({ files: 2, filesRead: 2 });
    expect(result.sessions).toEqual([SESSIONS['spotter/short.jsonl'], session]);
    await expect(
      importTranscripts({ logsDir, stateDir, env: { CLAUDE_CONFIG_DIR: join(root, 'elsewhere') } }),
    ).rejects.toMatchObject({ code: 'IO_ERROR' });
  });

  it('names models with no price, and refuses to run while another import holds the lock', async () => {
    const { logsDir, stateDir, root } = dirs();
    const file = join(root, 'future.jsonl');
    writeFileSync(
      file,
      `${assistantLine({ messageId: 'msg_f', requestId: 'req_f', model: 'claude-nova-9', usage: usage(100, 10) })}\n${toolResultLine('toolu_none')}\n`,
    );
    const result = await importTranscripts({ paths: [file], logsDir, stateDir });
    expect(result.unknownModels).toEqual(['claude-nova-9']);
    const u = await sessionUsage(logsDir, 's-synthetic');
    expect(u).toMatchObject({ unknownModels: ['claude-nova-9'], cost: 0, apiResponses: 1 });
    expect(u.byModel['claude-nova-9']!.cost).toBeUndefined();
    // A tool result whose call is not in the file still counts as a tool call.
    expect(u.toolUses).toBe(1);

    const lock = new FileLock(join(stateDir, 'import.lock'));
    expect(lock.tryAcquire()).toBe(true);
    try {
      await expect(importTranscripts({ paths: [file], logsDir, stateDir })).rejects.toMatchObject({
        code: 'LOCK_TIMEOUT',
        message: expect.stringContaining('another transcript import is running'),
      });
    } finally {
      lock.release();
    }
    expect(existsSync(join(stateDir, 'import.lock'))).toBe(false);
  });
});
