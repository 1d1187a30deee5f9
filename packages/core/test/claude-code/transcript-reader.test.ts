import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTranscript } from '../../src/claude-code/transcript-reader.js';
import { summarizeTranscript } from '../../src/claude-code/transcript-stats.js';
import { isSatError } from '../../src/errors.js';
import {
  assistantLine,
  fixture,
  loadExpected,
  ofKind,
  readAllItems,
  tempDir,
  toolResultLine,
  usage,
  writeTemp,
} from './fixture-helpers.js';

const expected = loadExpected();

function fixtureLines(name: string): string[] {
  return readFileSync(fixture(name), 'utf8')
    .split('\n')
    .filter((l) => l !== '');
}

describe('readTranscript: damaged and unusual input', () => {
  it('reports a garbage line and a cut-off last line with file and line number, and counts the rest', async () => {
    const lines = fixtureLines('spotter/tool_heavy.jsonl');
    lines.splice(9, 0, '{"type":"assistant","message":{"id":"msg_x", garbage');
    const text = `${lines.join('\n')}\n{"type":"assistant","requestId":"req_cut","message":{"id":"msg_cut","usage":{"output_tokens":9`;
    const file = writeTemp('damaged.jsonl', text);
    const { issues } = await readAllItems(file);
    expect(issues.map((i) => [i.kind, i.file, i.line])).toEqual([
      ['unparseable', file, 10],
      ['unparseable', file, lines.length + 1],
    ]);
    expect(issues[0]!.message).toContain(`${file}: line 10 is not valid JSON`);
    expect(issues[1]!.message).toContain('cut off');
    expect(issues[0]!.offset).toBe(Buffer.byteLength(lines.slice(0, 9).join('\n')) + 1);

    const s = await summarizeTranscript(file);
    const want = expected['spotter/tool_heavy.jsonl']!;
    expect(s.unparseableLines).toBe(2);
    expect(s.apiResponses).toBe(want.api_responses);
    expect(s.tokens).toEqual(want.tokens);
    expect(s.toolUses).toBe(want.tool_uses);
    expect(s.toolResults).toBe(want.tool_results);
  });

  it('reports JSON that is not an object as unparseable', async () => {
    const file = writeTemp('arrays.jsonl', '[1,2]\n"text"\nnull\n');
    const { items, issues } = await readAllItems(file);
    expect(issues.map((i) => [i.kind, i.line])).toEqual([
      ['unparseable', 1],
      ['unparseable', 2],
      ['unparseable', 3],
    ]);
    expect(issues[0]!.message).toContain('not a JSON object');
    expect(items.map((i) => i.kind)).toEqual(['session_info']);
  });

  it('counts an unknown record type (and a record without type) without stopping', async () => {
    const lines = fixtureLines('spotter/short.jsonl');
    lines.splice(2, 0, '{"type":"ai-title","title":"Phoenix will not start","sessionId":"x"}');
    lines.splice(5, 0, '{"type":"ai-title","title":"again"}', '{"hello":"no type"}');
    const file = writeTemp('unknown.jsonl', `${lines.join('\n')}\n`);
    const { issues } = await readAllItems(file);
    expect(issues.map((i) => [i.kind, i.line, i.recordType])).toEqual([
      ['unknown-type', 3, 'ai-title'],
      ['unknown-type', 6, 'ai-title'],
      ['unknown-type', 7, '(none)'],
    ]);
    const s = await summarizeTranscript(file);
    expect(s.unknownTypes).toEqual({ 'ai-title': 2, '(none)': 1 });
    expect(s.unparseableLines).toBe(0);
    const want = expected['spotter/short.jsonl']!;
    expect(s.apiResponses).toBe(want.api_responses);
    expect(s.tokens).toEqual(want.tokens);
    expect(s.toolErrors).toBe(want.tool_errors);
  });

  it('keeps working when records carry new fields and new content block types', async () => {
    const file = writeTemp(
      'new-fields.jsonl',
      [
        assistantLine({
          messageId: 'm1',
          requestId: 'r1',
          usage: { ...usage(10, 5), brand_new_counter: { x: 1 }, cache_creation: 'not an object' },
          block: { type: 'server_tool_use', id: 'srv_1', name: 'web_search', input: {} },
          extra: { someFutureField: [1, 2, 3], isSidechain: 'yes' },
        }),
        assistantLine({ messageId: 'm1', requestId: 'r1', usage: { input_tokens: '12', output_tokens: -4 } }),
        JSON.stringify({
          type: 'user',
          message: { role: 'user', content: [{ type: 'new_block' }, 42, null] },
        }),
        JSON.stringify({ type: 'user', message: 'not an object' }),
        JSON.stringify({ type: 'progress', data: 'odd' }),
        JSON.stringify({ type: 'system' }),
      ].join('\n'),
    );
    const { items, issues } = await readAllItems(file);
    expect(issues).toEqual([]);
    const responses = ofKind(items, 'api_response');
    expect(responses).toHaveLength(1);
    expect(responses[0]!.usage).toMatchObject({ input: 10, output: 5, cacheSplitKnown: false });
    expect(responses[0]!.rawUsage).toMatchObject({ brand_new_counter: { x: 1 } });
    expect(ofKind(items, 'system')).toEqual([expect.objectContaining({ subtype: '(none)', line: 6 })]);
  });

  it('skips blank lines and a byte-order mark', async () => {
    const line = assistantLine({ messageId: 'm1', requestId: 'r1', usage: usage(1, 2) });
    const file = writeTemp('bom.jsonl', `\ufeff${line}\n\n   \n`);
    const { items, issues } = await readAllItems(file);
    expect(issues).toEqual([]);
    expect(ofKind(items, 'api_response')).toHaveLength(1);
  });

  it('reports a line longer than maxLineBytes and reads on', async () => {
    const huge = JSON.stringify({ type: 'user', message: { role: 'user', content: 'x'.repeat(300_000) } });
    const file = writeTemp(
      'huge.jsonl',
      [huge, assistantLine({ messageId: 'm1', requestId: 'r1', usage: usage(1, 2) })].join('\n'),
    );
    const { items, issues } = await readAllItems(file, { maxLineBytes: 100_000 });
    expect(issues.map((i) => [i.kind, i.line])).toEqual([['unparseable', 1]]);
    expect(issues[0]!.message).toContain('longer than the limit');
    expect(ofKind(items, 'api_response')).toHaveLength(1);
  });

  it('throws IO_ERROR naming the file when it cannot be read', async () => {
    const missing = join(tempDir(), 'nope.jsonl');
    const attempt = async () => {
      for await (const _ of readTranscript(missing)) {
        // nothing
      }
    };
    await expect(attempt()).rejects.toSatisfy(
      (error: unknown) => isSatError(error, 'IO_ERROR') && (error as Error).message.includes(missing),
    );
  });
});

describe('readTranscript: the split-response counting trap', () => {
  // One response (m1, r1) written over three lines that are not consecutive: partial output 1,
  // then the final 50, then a late repeat with 30. Another response (m2, r2) sits in between.
  const trap = [
    assistantLine({
      messageId: 'm1',
      requestId: 'r1',
      usage: usage(3, 1, 100, 1000, true),
      ts: '2026-02-10T10:00:00.000Z',
    }),
    assistantLine({
      messageId: 'm1',
      requestId: 'r1',
      usage: usage(3, 50, 100, 1000, true),
      block: { type: 'tool_use', id: 't1', name: 'Bash', input: { command: 'ls' } },
      ts: '2026-02-10T10:00:02.000Z',
    }),
    toolResultLine('t1'),
    assistantLine({ messageId: 'm2', requestId: 'r2', usage: usage(7, 7, 0, 1100) }),
    assistantLine({ messageId: 'm1', requestId: 'r1', usage: usage(3, 30, 100, 1000, true) }),
    // Same message id, another request: a separate API call.
    assistantLine({ messageId: 'm2', requestId: 'r3', usage: usage(1, 1) }),
  ];

  it('counts each (message.id, requestId) once with the largest figures', async () => {
    const file = writeTemp('trap.jsonl', `${trap.join('\n')}\n`);
    const { items, issues } = await readAllItems(file);
    expect(issues).toEqual([]);
    const responses = ofKind(items, 'api_response');
    expect(
      responses.map((r) => [r.messageId, r.requestId, r.usage.output, r.lineCount, r.line, r.lastLine]),
    ).toEqual([
      ['m1', 'r1', 50, 3, 1, 5],
      ['m2', 'r2', 7, 1, 4, 4],
      ['m2', 'r3', 1, 1, 6, 6],
    ]);
    expect(responses[0]).toMatchObject({
      ts: '2026-02-10T10:00:00.000Z',
      usage: { input: 3, cacheCreation: 100, cacheCreation1h: 100, cacheCreation5m: 0, cacheRead: 1000 },
    });
    const s = await summarizeTranscript(file);
    expect(s.apiResponses).toBe(3);
    expect(s.tokens).toEqual({ input: 11, output: 58, cacheCreation: 100, cacheRead: 2100 });
    // The naive sum over lines would have said 1 + 50 + 7 + 30 + 1 = 89.
  });

  it("responseFlush 'thread' yields a response when its thread moves on, and still counts it once", async () => {
    const file = writeTemp('trap.jsonl', `${trap.join('\n')}\n`);
    const { items, issues } = await readAllItems(file, { responseFlush: 'thread' });
    expect(issues).toEqual([]);
    const order = items
      .filter((i) => i.kind !== 'session_info')
      .map((i) => (i.kind === 'api_response' ? `resp:${i.messageId}/${i.requestId}` : i.kind));
    // m1/r1 comes out when m2/r2 starts (line 4), before m2's own text.
    expect(order).toEqual([
      'assistant_text',
      'tool_use',
      'tool_result',
      'resp:m1/r1',
      'assistant_text',
      'assistant_text',
      'resp:m2/r2',
      'assistant_text',
      'resp:m2/r3',
    ]);
    expect(ofKind(items, 'api_response')[0]!.usage.output).toBe(50);
  });

  it("responseFlush 'thread' reports a late line with larger figures instead of miscounting silently", async () => {
    const late = [
      ...trap.slice(0, 4),
      assistantLine({ messageId: 'm1', requestId: 'r1', usage: usage(3, 80, 100, 1000, true) }),
    ];
    const file = writeTemp('late.jsonl', `${late.join('\n')}\n`);
    const thread = await readAllItems(file, { responseFlush: 'thread' });
    expect(thread.issues.map((i) => [i.kind, i.line])).toEqual([['late-response-line', 5]]);
    expect(ofKind(thread.items, 'api_response')).toHaveLength(2);
    // The default mode gets it right.
    const end = await readAllItems(file);
    expect(end.issues).toEqual([]);
    expect(ofKind(end.items, 'api_response')[0]!.usage.output).toBe(80);
  });

  it('yields a tool_use block once even if its line is repeated, and a tool_result once', async () => {
    const line = assistantLine({
      messageId: 'm1',
      requestId: 'r1',
      usage: usage(1, 1),
      block: { type: 'tool_use', id: 't1', name: 'Read', input: { file_path: '/a' } },
    });
    const file = writeTemp(
      'dup.jsonl',
      [line, line, toolResultLine('t1', true), toolResultLine('t1', true)].join('\n'),
    );
    const { items } = await readAllItems(file);
    expect(ofKind(items, 'tool_use')).toEqual([
      expect.objectContaining({
        id: 't1',
        name: 'Read',
        input: { file_path: '/a' },
        messageId: 'm1',
        requestId: 'r1',
        line: 1,
      }),
    ]);
    expect(ofKind(items, 'tool_result')).toEqual([
      expect.objectContaining({
        toolUseId: 't1',
        toolName: 'Read',
        isError: true,
        contentSummary: 'ok',
        line: 3,
      }),
    ]);
    expect(ofKind(items, 'api_response')).toHaveLength(1);
  });

  it('counts an assistant line with usage but no message.id on its own and reports it', async () => {
    const file = writeTemp(
      'noid.jsonl',
      [assistantLine({ usage: usage(5, 5) }), assistantLine({ usage: usage(5, 5) })].join('\n'),
    );
    const { items, issues } = await readAllItems(file);
    expect(issues.map((i) => [i.kind, i.line])).toEqual([
      ['missing-id', 1],
      ['missing-id', 2],
    ]);
    expect(ofKind(items, 'api_response').map((r) => r.messageId)).toEqual(['line:1', 'line:2']);
  });
});

describe('readTranscript: synthetic messages, compaction, sub-agent launches', () => {
  it('treats model "<synthetic>" lines as messages, not API responses', async () => {
    const synthetic = JSON.stringify({
      type: 'assistant',
      sessionId: 's1',
      timestamp: '2026-02-10T10:05:00.000Z',
      isApiErrorMessage: true,
      apiErrorStatus: 429,
      error: 'rate_limit',
      message: {
        id: '5b0c6a4e-uuid-like',
        model: '<synthetic>',
        role: 'assistant',
        content: [{ type: 'text', text: "You've hit your session limit" }],
        usage: usage(0, 0),
      },
    });
    const file = writeTemp(
      'synthetic.jsonl',
      [assistantLine({ messageId: 'm1', requestId: 'r1', usage: usage(1, 2) }), synthetic].join('\n'),
    );
    const { items } = await readAllItems(file);
    expect(ofKind(items, 'synthetic_message')).toEqual([
      expect.objectContaining({
        text: "You've hit your session limit",
        isApiError: true,
        apiErrorStatus: 429,
        error: 'rate_limit',
        line: 2,
      }),
    ]);
    expect(ofKind(items, 'api_response').map((r) => r.model)).toEqual(['claude-opus-4-6']);
    expect(ofKind(items, 'assistant_text').map((t) => t.line)).toEqual([1]);
    const s = await summarizeTranscript(file);
    expect(s.apiResponses).toBe(1);
    expect(s.syntheticMessages).toBe(1);
    expect(Object.keys(s.perModel)).toEqual(['claude-opus-4-6']);
  });

  it('yields compact_boundary and compact_summary, and no user_prompt for the summary', async () => {
    const file = writeTemp(
      'compact.jsonl',
      [
        JSON.stringify({
          type: 'system',
          subtype: 'compact_boundary',
          timestamp: '2026-02-10T11:00:00.000Z',
          logicalParentUuid: 'u-before',
          compactMetadata: { trigger: 'auto', preTokens: 167093 },
        }),
        JSON.stringify({
          type: 'user',
          isCompactSummary: true,
          message: {
            role: 'user',
            content: 'This session is being continued from a previous conversation...',
          },
        }),
        JSON.stringify({ type: 'summary', summary: 'Fix Phoenix startup', leafUuid: 'u-leaf' }),
      ].join('\n'),
    );
    const { items } = await readAllItems(file);
    expect(items.map((i) => i.kind)).toEqual([
      'compact_boundary',
      'compact_summary',
      'summary',
      'session_info',
    ]);
    expect(items[0]).toMatchObject({ trigger: 'auto', preTokens: 167093, logicalParentUuid: 'u-before' });
    expect(items[2]).toMatchObject({ summary: 'Fix Phoenix startup', leafUuid: 'u-leaf' });
  });

  it('recognises the newer "Agent" tool name for sub-agent launches', async () => {
    const file = writeTemp(
      'agent.jsonl',
      [
        assistantLine({
          messageId: 'm1',
          requestId: 'r1',
          usage: usage(1, 1),
          block: {
            type: 'tool_use',
            id: 't9',
            name: 'Agent',
            input: { subagent_type: 'Explore', prompt: 'look' },
          },
        }),
        toolResultLine('t9', false, {
          status: 'completed',
          agentId: 'abc1234',
          totalTokens: 10,
          totalDurationMs: 5,
          usage: usage(1, 2, 3, 4),
        }),
      ].join('\n'),
    );
    const { items } = await readAllItems(file);
    expect(ofKind(items, 'tool_use')[0]).toMatchObject({ name: 'Agent', subagentType: 'Explore' });
    expect(ofKind(items, 'tool_result')[0]!.subagent).toMatchObject({
      agentId: 'abc1234',
      totalTokens: 10,
      totalDurationMs: 5,
      usage: { input: 1, output: 2, cacheCreation: 3, cacheRead: 4 },
    });
  });

  it('does not attribute toolUseResult when one line holds several tool results', async () => {
    const file = writeTemp(
      'multi.jsonl',
      JSON.stringify({
        type: 'user',
        message: {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'a', content: [{ type: 'text', text: 'one' }] },
            { type: 'tool_result', tool_use_id: 'b', content: 'two', is_error: true },
          ],
        },
        toolUseResult: { agentId: 'zzz' },
      }),
    );
    const { items } = await readAllItems(file);
    const results = ofKind(items, 'tool_result');
    expect(
      results.map((r) => [r.toolUseId, r.isError, r.contentSummary, r.toolUseResult, r.subagent]),
    ).toEqual([
      ['a', false, 'one', undefined, undefined],
      ['b', true, 'two', undefined, undefined],
    ]);
  });
});

describe('readTranscript: resources', () => {
  it.runIf(process.platform === 'linux')('closes the file when the consumer stops early', async () => {
    const openFds = () => readdirSync('/proc/self/fd').length;
    const before = openFds();
    for (let i = 0; i < 40; i++) {
      for await (const _ of readTranscript(fixture('spotter/subagent.jsonl'), { chunkBytes: 1024 })) break;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(openFds() - before).toBeLessThan(10);
  });
});
