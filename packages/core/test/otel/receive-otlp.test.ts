import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  EventWriter,
  ingestHookSpool,
  loadConfig,
  otlpResponse,
  receiveOtlp,
  sessionOverview,
  sessionUsage,
  spoolDir,
} from '../../src/index.js';
import { readAll, tempDir } from '../helpers.js';
import { ANTHROPIC_KEY } from '../redact/samples.js';
import { type ClaudeCodeRecord, otlpLogsBody, otlpMetricsBody } from './otlp-sdk.js';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const SESSION = 'otel-s1';

function setup() {
  const root = tempDir('sat-otel-');
  return loadConfig({ root, cwd: root, env: {} });
}

/** Records as Claude Code emits them (numbers as strings, as its exporter sends them). */
function apiRequest(
  requestId: string,
  cost: string,
  at = T0,
  extra: Record<string, string> = {},
): ClaudeCodeRecord {
  return {
    name: 'api_request',
    at,
    attributes: {
      'session.id': SESSION,
      'prompt.id': 'p-1',
      model: 'claude-sonnet-4-5',
      cost_usd: cost,
      duration_ms: '2100',
      input_tokens: '12',
      output_tokens: '340',
      cache_read_tokens: '9000',
      cache_creation_tokens: '500',
      request_id: requestId,
      query_source: 'main',
      ...extra,
    },
  };
}

const toolResult = (toolUseId: string, at = T0 + 1_000): ClaudeCodeRecord => ({
  name: 'tool_result',
  at,
  attributes: {
    'session.id': SESSION,
    tool_name: 'Bash',
    tool_use_id: toolUseId,
    success: 'false',
    duration_ms: '830',
    error_type: 'exit_code',
  },
});

describe('receiveOtlp: Claude Code log records from the SDK exporter', () => {
  it('maps api_request, tool_result, api_error, user_prompt and keeps unknown events, with ids from the record', async () => {
    const config = setup();
    const body = await otlpLogsBody([
      apiRequest('req_1', '0.0421'),
      apiRequest('req_2', '0.0100', T0 + 500, { query_source: 'subagent', 'agent.name': 'Explore' }),
      toolResult('toolu_1'),
      {
        name: 'api_error',
        at: T0 + 2_000,
        attributes: { 'session.id': SESSION, error: 'overloaded', status_code: '529', request_id: 'req_3' },
      },
      {
        name: 'user_prompt',
        at: T0 - 1_000,
        attributes: { 'session.id': SESSION, 'prompt.id': 'p-1', prompt_length: '24' },
      },
      { name: 'compaction', at: T0 + 3_000, attributes: { 'session.id': SESSION, trigger: 'auto' } },
    ]);
    const receipt = await receiveOtlp(config, 'logs', body);
    expect(receipt).toMatchObject({ accepted: 6, rejected: [], appended: 6, duplicates: 0 });
    expect(receipt.sessions[SESSION]).toEqual({ appended: 6, duplicates: 0 });
    expect(otlpResponse(receipt)).toEqual({});
    const { events } = await readAll(config.paths.logs, SESSION);
    const byType = Object.fromEntries(events.map((e) => [`${e.type}:${e.agent}`, e]));
    expect(byType['api_response:main']!.data).toEqual({
      model: 'claude-sonnet-4-5',
      message_id: 'req_1',
      request_id: 'req_1',
      tokens: { input: 12, output: 340, cacheRead: 9000, cacheCreation: 500 },
      source: 'otel',
      cost_usd: 0.0421,
      duration_ms: 2100,
      query_source: 'main',
    });
    expect(byType['api_response:Explore']!.data).toMatchObject({
      request_id: 'req_2',
      query_source: 'subagent',
    });
    expect(byType['tool_usage:main']!.data).toEqual({
      tool: 'Bash',
      tool_use_id: 'toolu_1',
      success: false,
      duration_ms: 830,
      error: 'exit_code',
    });
    expect(byType['error:main']!.data).toMatchObject({ error_type: 'api_error', message: 'overloaded' });
    expect(byType['user_prompt:main']!.data).toEqual({ text: '', chars: 24 });
    expect(byType['notification:main']!.data).toEqual({
      message: 'claude_code.compaction',
      notification_type: 'claude_code_otel',
    });
    expect(byType['notification:main']!.meta).toMatchObject({ otel: { attributes: { trigger: 'auto' } } });
    expect(byType['tool_usage:main']!.ts).toBe('2026-03-01T10:00:01.000Z');
  });

  it('appends nothing when the exporter re-sends the same batch', async () => {
    const config = setup();
    const body = await otlpLogsBody([apiRequest('req_1', '0.01'), toolResult('toolu_1')]);
    expect((await receiveOtlp(config, 'logs', body)).appended).toBe(2);
    const again = await receiveOtlp(config, 'logs', Buffer.from(body).toString());
    expect(again).toMatchObject({ accepted: 2, appended: 0, duplicates: 2 });
    expect((await readAll(config.paths.logs, SESSION)).events).toHaveLength(2);
  });

  it('skips a tool_result for a call the hooks already recorded (the log is append-only: no second tool_usage)', async () => {
    const config = setup();
    const writer = new EventWriter({ logsDir: config.paths.logs });
    writer.append({
      type: 'tool_usage',
      session: SESSION,
      ts: new Date(T0 + 900),
      data: { tool: 'Bash', tool_use_id: 'toolu_1', success: false, parameters: { command: 'npm test' } },
    });
    await writer.close();
    const receipt = await receiveOtlp(
      config,
      'logs',
      await otlpLogsBody([toolResult('toolu_1'), toolResult('toolu_2')]),
    );
    expect(receipt).toMatchObject({ appended: 1, duplicates: 1 });
    const tools = (await readAll(config.paths.logs, SESSION)).events.filter((e) => e.type === 'tool_usage');
    expect(tools.map((e) => (e.data as { tool_use_id?: string }).tool_use_id)).toEqual([
      'toolu_1',
      'toolu_2',
    ]);
  });

  it('leaves the hooks nothing to add for a call OTel recorded first', async () => {
    const config = setup();
    await receiveOtlp(config, 'logs', await otlpLogsBody([toolResult('toolu_7')]));
    const spool = spoolDir(config.paths.logs);
    mkdirSync(spool, { recursive: true });
    const hook = { session_id: SESSION, cwd: '/repo', transcript_path: '/nowhere/t.jsonl' };
    const pre = {
      ...hook,
      hook_event_name: 'PreToolUse',
      tool_name: 'Bash',
      tool_use_id: 'toolu_7',
      tool_input: { command: 'ls' },
    };
    const post = {
      ...pre,
      hook_event_name: 'PostToolUse',
      tool_response: { stdout: '', stderr: 'boom', interrupted: false },
    };
    writeFileSync(join(spool, `${T0}000000-4242.json`), JSON.stringify(pre));
    writeFileSync(join(spool, `${T0 + 900}000000-4242.json`), JSON.stringify(post));
    const ingest = await ingestHookSpool({ logsDir: config.paths.logs });
    expect(ingest.bad).toEqual([]);
    const tools = (await readAll(config.paths.logs, SESSION)).events.filter((e) => e.type === 'tool_usage');
    expect(tools).toHaveLength(1);
  });

  it('redacts secrets with the config redactor before anything is written', async () => {
    const config = setup();
    const body = await otlpLogsBody([
      {
        name: 'user_prompt',
        at: T0,
        attributes: {
          'session.id': SESSION,
          'prompt.id': 'p-9',
          prompt: `use ${ANTHROPIC_KEY} please`,
          prompt_length: '140',
        },
      },
    ]);
    expect((await receiveOtlp(config, 'logs', body)).appended).toBe(1);
    const [event] = (await readAll(config.paths.logs, SESSION)).events;
    expect(JSON.stringify(event)).not.toContain(ANTHROPIC_KEY);
    expect((event!.data as { text: string }).text).toMatch(/^use \[REDACTED:[a-z-]+:[0-9a-f]{4}\] please$/);
  });
});

describe('receiveOtlp: bad input', () => {
  it('answers a body that is not JSON with an error and writes nothing', async () => {
    const config = setup();
    const receipt = await receiveOtlp(config, 'logs', Buffer.from('\x0a\x05proto'));
    expect(receipt.error?.code).toBe('INVALID_EVENT');
    expect(receipt.error?.message).toMatch(/not JSON.*http\/json/);
    expect(receipt.appended).toBe(0);
    const wrong = await receiveOtlp(config, 'logs', { resourceLogs: 'x' });
    expect(wrong.error?.message).toMatch(/\[core\] OTLP logs request: resourceLogs is not an array/);
  });

  it('takes the good records of a batch and refuses the bad ones with reasons (partial success)', async () => {
    const config = setup();
    const body = await otlpLogsBody([
      apiRequest('req_1', '0.02'),
      { name: 'api_request', at: T0, attributes: { model: 'x', request_id: 'req_9' } },
      { name: 'tool_result', at: T0, attributes: { 'session.id': SESSION } },
      { name: 'tool_result', at: T0, attributes: { 'session.id': '../../etc', tool_name: 'Bash' } },
      { name: 'brand_new_event', at: T0, attributes: { 'session.id': SESSION, huge: 'y'.repeat(200_000) } },
    ]);
    const receipt = await receiveOtlp(config, 'logs', body);
    expect(receipt.appended).toBe(2);
    expect(receipt.rejected.map((r) => r.reason)).toEqual([
      'claude_code.api_request has no valid session.id',
      'claude_code.tool_result has no tool_name',
      'claude_code.tool_result has no valid session.id',
    ]);
    expect(otlpResponse(receipt)).toEqual({
      partialSuccess: {
        rejectedLogRecords: 3,
        errorMessage: expect.stringMatching(
          /^logRecords #1: claude_code.api_request has no valid session.id; /,
        ),
      },
    });
    const kept = (await readAll(config.paths.logs, SESSION)).events.find((e) => e.type === 'notification')!;
    expect(JSON.stringify(kept).length).toBeLessThan(20_000);
  });
});

describe('receiveOtlp: cost and tokens, never counted twice', () => {
  async function transcriptResponse(config: ReturnType<typeof setup>, requestId: string): Promise<void> {
    const writer = new EventWriter({ logsDir: config.paths.logs });
    writer.append({
      type: 'api_response',
      session: SESSION,
      ts: new Date(T0 - 10),
      id: `transcript-${requestId}`,
      data: {
        model: 'claude-sonnet-4-5',
        message_id: `msg_${requestId}`,
        request_id: requestId,
        source: 'transcript',
        tokens: { input: 12, output: 340, cacheRead: 9000, cacheCreation: 500 },
      },
    });
    await writer.close();
  }

  for (const order of ['transcript first', 'OTel first'] as const)
    it(`counts each request once, with Claude Code's cost_usd as the cost (${order})`, async () => {
      const config = setup();
      const body = await otlpLogsBody([apiRequest('req_1', '0.0421'), apiRequest('req_2', '0.0100', T0 + 5)]);
      if (order === 'transcript first') await transcriptResponse(config, 'req_1');
      await receiveOtlp(config, 'logs', body);
      if (order === 'OTel first') await transcriptResponse(config, 'req_1');
      const usage = await sessionUsage(config.paths.logs, SESSION);
      expect(usage.apiResponses).toBe(2);
      expect(usage.tokens.output).toBe(680);
      expect(usage.cost).toBeCloseTo(0.0521, 10);
      expect(usage.costSource).toBe('claude_code');
      expect(usage.claudeCodeCostResponses).toBe(2);
      const overview = await sessionOverview(config.paths.logs, SESSION);
      expect(overview.cost).toBeCloseTo(0.0521, 10);
    });

  it('prices from the table what has no OTel record (costSource mixed)', async () => {
    const config = setup();
    await transcriptResponse(config, 'req_0');
    const priced = await sessionUsage(config.paths.logs, SESSION);
    expect(priced.costSource).toBe('prices');
    await receiveOtlp(config, 'logs', await otlpLogsBody([apiRequest('req_1', '0.5')]));
    const usage = await sessionUsage(config.paths.logs, SESSION);
    expect(usage.costSource).toBe('mixed');
    expect(usage.cost).toBeCloseTo(priced.cost + 0.5, 10);
  });

  it('sums the cost and token metrics per session and writes no event for them', async () => {
    const config = setup();
    const body = await otlpMetricsBody([
      {
        metric: 'claude_code.cost.usage',
        value: 0.25,
        attributes: { 'session.id': SESSION, model: 'claude-sonnet-4-5' },
      },
      {
        metric: 'claude_code.cost.usage',
        value: 0.05,
        attributes: { 'session.id': SESSION, model: 'claude-haiku-4-5' },
      },
      {
        metric: 'claude_code.token.usage',
        value: 340,
        attributes: { 'session.id': SESSION, type: 'output' },
      },
      {
        metric: 'claude_code.token.usage',
        value: 9000,
        attributes: { 'session.id': SESSION, type: 'cacheRead' },
      },
      {
        metric: 'claude_code.lines_of_code.count',
        value: 12,
        attributes: { 'session.id': SESSION, type: 'added' },
      },
    ]);
    const receipt = await receiveOtlp(config, 'metrics', body);
    expect(receipt).toMatchObject({ accepted: 5, appended: 0, rejected: [] });
    expect(receipt.sessions[SESSION]!.metrics).toEqual({
      costUsd: 0.3,
      tokens: { output: 340, cacheRead: 9000 },
      other: { 'claude_code.lines_of_code.count': 12 },
    });
    expect((await readAll(config.paths.logs, SESSION)).events).toEqual([]);
    const bad = await receiveOtlp(config, 'metrics', {
      resourceMetrics: [{ scopeMetrics: [{ metrics: [{ sum: {} }] }] }],
    });
    expect(otlpResponse(bad)).toMatchObject({ partialSuccess: { rejectedDataPoints: 1 } });
  });
});
