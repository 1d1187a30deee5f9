import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { summarizeTranscript } from '../../src/claude-code/transcript-stats.js';
import { fixture, loadExpected, ofKind, readAllItems, writeTemp } from './fixture-helpers.js';

const expected = loadExpected();
const files = Object.keys(expected);

describe('real Claude Code transcripts (packages/cli/fixtures/claude-code, EXPECTED.json)', () => {
  it('EXPECTED.json lists the five spotter transcripts', () => {
    expect(files.sort()).toEqual([
      'spotter/short.jsonl',
      'spotter/subagent.jsonl',
      'spotter/subagents/agent-a7be2f0.jsonl',
      'spotter/subagents/agent-acompact-f46190.jsonl',
      'spotter/tool_heavy.jsonl',
    ]);
  });

  for (const name of files) {
    for (const responseFlush of ['end', 'thread'] as const) {
      it(`${name} (responseFlush: ${responseFlush}) gives exactly the expected figures`, async () => {
        const want = expected[name]!;
        const s = await summarizeTranscript(fixture(name), { responseFlush });
        expect({
          api_responses: s.apiResponses,
          tokens: s.tokens,
          per_model: s.perModel,
          tool_uses: s.toolUses,
          tool_results: s.toolResults,
          tool_errors: s.toolErrors,
          unparseable_lines: s.unparseableLines,
        }).toEqual(want);
        // Every record type in the real files is known.
        expect(s.unknownTypes).toEqual({});
      });
    }

    it(`${name} reads the same when streamed in 13-byte chunks`, async () => {
      const small = await summarizeTranscript(fixture(name), { chunkBytes: 13 });
      const normal = await summarizeTranscript(fixture(name));
      expect(small).toEqual(normal);
    });

    it(`${name} reads the same with CRLF line endings`, async () => {
      const crlf = readFileSync(fixture(name), 'utf8').replace(/\n/g, '\r\n');
      const s = await summarizeTranscript(writeTemp('crlf.jsonl', crlf));
      expect(s.apiResponses).toBe(expected[name]!.api_responses);
      expect(s.tokens).toEqual(expected[name]!.tokens);
      expect(s.unparseableLines).toBe(0);
    });
  }

  it('yields one api_response per (message.id, requestId), with the final output_tokens', async () => {
    // tool_heavy.jsonl: msg_019BN3FRqb7NU4DgBN5jdsym spans lines 34 and 37 (tool results in between),
    // with output_tokens 25 then 173.
    const { items } = await readAllItems(fixture('spotter/tool_heavy.jsonl'));
    const responses = ofKind(items, 'api_response');
    expect(responses.map((r) => r.messageId)).toEqual([
      'msg_0167kgZUrgcT7dg7uZK7hVSg',
      'msg_01NUXWeNeduGBJVib8gyo9kz',
      'msg_01LbyjvsALGe2gMsTgDSj7e6',
      'msg_019BN3FRqb7NU4DgBN5jdsym',
    ]);
    const split = responses[3]!;
    expect(split).toMatchObject({
      requestId: 'req_011CY1DcMwHdEPXMf4hW4MxJ',
      model: 'claude-opus-4-6',
      line: 34,
      lastLine: 37,
      lineCount: 2,
      usage: {
        input: 47,
        output: 173,
        cacheCreation: 1115,
        cacheRead: 26504,
        cacheCreation1h: 1115,
        cacheCreation5m: 0,
      },
    });
  });

  it('reads sessionId and agentId of a sub-agent transcript', async () => {
    const s = await summarizeTranscript(fixture('spotter/subagents/agent-a7be2f0.jsonl'));
    expect(s.sessionId).toBe('8463c716-a2ea-4c14-9efa-87158ebd9f20');
    expect(s.agentId).toBe('a7be2f0');
    const compact = await summarizeTranscript(fixture('spotter/subagents/agent-acompact-f46190.jsonl'));
    expect(compact.agentId).toBe('acompact-f46190');
    const main = await summarizeTranscript(fixture('spotter/subagent.jsonl'));
    expect(main.agentId).toBeUndefined();
  });

  it('parses the Task result of spotter/subagent.jsonl (agentId, totalTokens, usage, totalDurationMs)', async () => {
    const { items } = await readAllItems(fixture('spotter/subagent.jsonl'));
    const task = ofKind(items, 'tool_use').find((t) => t.name === 'Task');
    expect(task).toMatchObject({ id: 'toolu_01Cz2Pnv7qNcnK1ZiocxWhQX', subagentType: 'Plan', line: 36 });
    const result = ofKind(items, 'tool_result').find((r) => r.toolUseId === task!.id);
    expect(result).toMatchObject({ toolName: 'Task', isError: false, line: 56 });
    expect(result!.subagent).toEqual({
      agentId: 'afb92ff',
      status: 'completed',
      totalTokens: 33894,
      totalDurationMs: 38799,
      totalToolUseCount: 9,
      usage: {
        input: 3,
        output: 3130,
        cacheCreation: 892,
        cacheRead: 29869,
        cacheCreation5m: 0,
        cacheCreation1h: 892,
        cacheSplitKnown: true,
      },
    });
    // The raw object is kept for later steps.
    expect(result!.toolUseResult).toMatchObject({ agentId: 'afb92ff', totalTokens: 33894 });
    // totalTokens is the last call's context plus output, not a sum over the sub-agent's calls.
    const u = result!.subagent!.usage!;
    expect(u.input + u.cacheCreation + u.cacheRead + u.output).toBe(33894);
    // The summary starts with the sub-agent's answer text.
    expect(result!.contentSummary.startsWith('Excellent! Now I have all the information')).toBe(true);
    expect(result!.contentSummary.length).toBe(500);
  });

  it('reports the 19 agent_progress steps of sub-agent afb92ff without counting their usage', async () => {
    const { items } = await readAllItems(fixture('spotter/subagent.jsonl'));
    const progress = ofKind(items, 'agent_progress');
    expect(progress).toHaveLength(19);
    for (const p of progress) {
      expect(p.subagentId).toBe('afb92ff');
      expect(p.parentToolUseId).toBe('toolu_01Cz2Pnv7qNcnK1ZiocxWhQX');
    }
    // The copies of the haiku sub-agent's messages carry usage, but are not API responses of this file.
    expect(progress.some((p) => p.model === 'claude-haiku-4-5-20251001')).toBe(true);
    expect(ofKind(items, 'api_response').every((r) => r.model === 'claude-opus-4-6')).toBe(true);
  });

  it('tells real prompts from tool results, meta lines, command output and interrupts', async () => {
    const { items } = await readAllItems(fixture('spotter/tool_heavy.jsonl'));
    const prompts = ofKind(items, 'user_prompt');
    expect(prompts.map((p) => [p.line, p.command])).toEqual([
      [4, undefined],
      [21, '/mcp'],
      [26, undefined],
    ]);
    expect(prompts[0]!.text).toBe('start phoenix in background');
    expect(ofKind(items, 'interrupt').map((i) => i.line)).toEqual([18, 39]);

    const short = await readAllItems(fixture('spotter/short.jsonl'));
    expect(ofKind(short.items, 'user_prompt').map((p) => p.text)).toEqual([
      'mix phx.server doesnt seem to start',
    ]);
    expect(ofKind(short.items, 'interrupt')).toEqual([
      expect.objectContaining({ line: 13, duringToolUse: true }),
    ]);
    expect(ofKind(short.items, 'tool_result').map((r) => [r.toolName, r.isError, r.toolUseResult])).toEqual([
      ['Bash', true, 'User rejected tool use'],
      ['Glob', true, 'User rejected tool use'],
    ]);
  });

  it('yields session_info once, last, with the session facts', async () => {
    const { items } = await readAllItems(fixture('spotter/subagent.jsonl'));
    expect(ofKind(items, 'session_info')).toHaveLength(1);
    expect(items.at(-1)).toEqual({
      kind: 'session_info',
      file: fixture('spotter/subagent.jsonl'),
      sessionId: '491e126e-1e71-469c-ade2-fcc8af567c74',
      cwd: '/home/marco/projects/spotter',
      gitBranch: 'master',
      version: '2.1.38',
      slug: 'humble-seeking-umbrella',
      firstTs: '2026-02-10T21:54:15.897Z',
      lastTs: '2026-02-10T22:03:51.807Z',
      isSidechain: false,
      lines: 96,
    });
  });

  it('yields the assistant text blocks in order (the last one is the final answer)', async () => {
    const { items } = await readAllItems(fixture('spotter/subagents/agent-a7be2f0.jsonl'));
    const texts = ofKind(items, 'assistant_text');
    expect(texts.length).toBeGreaterThan(5);
    expect(texts.every((t) => t.agentId === 'a7be2f0' && t.isSidechain)).toBe(true);
    expect(texts.at(-1)!.line).toBe(131);
    expect(texts.at(-1)!.messageId).toBe('msg_01XDtuyi8Qe5FHotePMKVnaq');
  });

  it('yields system lines with their subtype', async () => {
    const { items } = await readAllItems(fixture('spotter/subagent.jsonl'));
    expect(ofKind(items, 'system').map((s) => [s.line, s.subtype])).toEqual([[96, 'stop_hook_summary']]);
  });
});
