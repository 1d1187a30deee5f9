import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importLineFilter } from '../../src/claude-code/transcript-prefilter.js';
import { summarizeTranscript } from '../../src/claude-code/transcript-stats.js';
import { assistantLine, fixture, loadExpected, usage } from './fixture-helpers.js';

function filter() {
  const models: Array<[string, string | undefined]> = [];
  const skip = importLineFilter((agentId, model) => models.push([agentId, model]));
  return { skip: (line: string) => skip(Buffer.from(line)), models };
}

describe('importLineFilter', () => {
  it('skips exactly the progress and snapshot lines of the real transcripts, and hands over sub-agent models', () => {
    const { skip, models } = filter();
    const lines = readFileSync(fixture('spotter/subagent.jsonl'), 'utf8').split('\n').filter(Boolean);
    const skipped = lines.filter(skip).map((line) => {
      const record = JSON.parse(line);
      return record.type === 'progress' ? `progress/${record.data.type}` : record.type;
    });
    const counts: Record<string, number> = {};
    for (const kind of skipped) counts[kind] = (counts[kind] ?? 0) + 1;
    expect(counts).toEqual({
      'progress/agent_progress': 19,
      'progress/hook_progress': 25,
      'file-history-snapshot': 3,
    });
    expect(new Set(models.map(([agentId]) => agentId))).toEqual(new Set(['afb92ff']));
    expect(models.filter(([, model]) => model !== undefined)).toHaveLength(9);
    expect(models.find(([, model]) => model)?.[1]).toBe('claude-haiku-4-5-20251001');
  });

  it('never skips a user or assistant line, even one that quotes progress records in its text', () => {
    const { skip } = filter();
    const quoting = assistantLine({
      messageId: 'msg_q',
      usage: usage(1, 1),
      block: { type: 'text', text: '{"type":"progress","data":{"type":"hook_progress"}} and "agentId":"x"' },
    });
    expect(quoting).toContain('\\"type\\":\\"progress\\"');
    expect(skip(quoting)).toBe(false);
    const toolInput = assistantLine({
      messageId: 'msg_t',
      block: {
        type: 'tool_use',
        id: 'toolu_1',
        name: 'X',
        input: { type: 'progress', data: { type: 'hook_progress' } },
      },
    });
    expect(skip(toolInput)).toBe(false);
    // An agent_progress line that is not unambiguous (two agent ids) is parsed as usual.
    expect(
      skip('{"type":"progress","data":{"message":{"agentId":"a"},"type":"agent_progress","agentId":"b"}}'),
    ).toBe(false);
    expect(skip('{"type":"progress","data":{"type":"agent_progress","agentId":"b"}}')).toBe(true);
  });

  it('readTranscript gives the same figures with the filter and blocking reads, in any chunk size', async () => {
    const expected = loadExpected();
    for (const name of Object.keys(expected)) {
      const plain = await summarizeTranscript(fixture(name));
      for (const chunkBytes of [13, 4096, 1024 * 1024]) {
        const fast = await summarizeTranscript(fixture(name), {
          blockingRead: true,
          chunkBytes,
          skipLine: importLineFilter(() => {}),
        });
        expect(
          { ...fast, sessionId: plain.sessionId, agentId: plain.agentId },
          `${name} ${chunkBytes}`,
        ).toEqual(plain);
        expect(fast.tokens).toEqual(expected[name]!.tokens);
      }
    }
  });
});
