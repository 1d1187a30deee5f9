import { mkdirSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { captureScript, readSessionEvents, spoolDir } from '@sat/core';
import { fireHook } from '@sat/core/fixtures';
import { describe, expect, it } from 'vitest';
import { REPO, sat, tempDir } from './helpers.js';

/** The SDK's http/json body builder of core's OTLP tests (packages/core/test/otel/otlp-sdk.ts). */
async function otlpLogsBody(
  records: Array<{ name: string; at: number; attributes: Record<string, string | number> }>,
): Promise<Uint8Array> {
  const url = pathToFileURL(join(REPO, 'packages/core/test/otel/otlp-sdk.ts')).href;
  const sdk = (await import(url)) as { otlpLogsBody(r: typeof records): Promise<Uint8Array> };
  return sdk.otlpLogsBody(records);
}

interface Sse {
  id?: string;
  event?: string;
  data: string;
}

/** Reads Server-Sent Events from `url` until `done` says so; the messages and the time each came. */
async function readSse(url: string, headers: Record<string, string>, done: (m: Sse[]) => boolean) {
  const controller = new AbortController();
  const res = await fetch(url, { headers, signal: controller.signal });
  expect(res.headers.get('content-type')).toContain('text/event-stream');
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const messages: Array<Sse & { at: number }> = [];
  let buffer = '';
  const timeout = setTimeout(() => controller.abort(), 20_000);
  try {
    while (!done(messages)) {
      const { value, done: ended } = await reader.read();
      if (ended) break;
      buffer += decoder.decode(value, { stream: true });
      let cut = buffer.indexOf('\n\n');
      while (cut >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const m: Sse & { at: number } = { data: '', at: Date.now() };
        for (const line of block.split('\n')) {
          if (line.startsWith('id:')) m.id = line.slice(3).trim();
          else if (line.startsWith('event:')) m.event = line.slice(6).trim();
          else if (line.startsWith('data:')) m.data += line.slice(5).trim();
        }
        if (m.event) messages.push(m);
        cut = buffer.indexOf('\n\n');
      }
    }
  } finally {
    clearTimeout(timeout);
    controller.abort();
  }
  return messages;
}

/** `<runId>-<n>` as [runId, n]. */
const splitId = (id: string): [string, number] => {
  const at = id.lastIndexOf('-');
  return [id.slice(0, at), Number(id.slice(at + 1))];
};

const toolEvents = <T extends Sse>(ms: T[], command: string): T[] =>
  ms.filter((m) => m.event === 'event' && m.data.includes(command) && m.data.includes('"tool_usage"'));

describe('sat serve: the live stream', () => {
  it('sends a hook-fired tool call within a second, and only what was missed after Last-Event-ID', async () => {
    const home = tempDir();
    const logsDir = join(home, 'logs');
    mkdirSync(join(spoolDir(logsDir), '.tmp'), { recursive: true });
    const script = join(home, 'capture.sh');
    writeFileSync(script, captureScript({ spoolDir: spoolDir(logsDir) }));
    const session = '0b8e2c1a-1111-4222-8333-444455556666';
    const fire = (hook: string, extra: object = {}) =>
      fireHook(script, home, hook, { session_id: session, cwd: home, hook_event_name: hook, ...extra });
    const toolCall = async (command: string, id: string) => {
      const call = { tool_name: 'Bash', tool_input: { command }, tool_use_id: id };
      await fire('PreToolUse', call);
      await fire('PostToolUse', { ...call, tool_response: { stdout: 'ok' } });
    };
    let url = '';
    const serving = sat(['--home', home, 'serve', '--port', '0'], {
      onStdout: (text) => {
        url = /listening on (http:\/\/\S+?)\/\s/.exec(text)?.[1] ?? url;
      },
    });
    try {
      while (!url) await new Promise((r) => setTimeout(r, 20));
      await fire('SessionStart', { source: 'startup' });
      let firedAt = 0;
      const live = readSse(`${url}/api/stream`, {}, (ms) => toolEvents(ms, 'echo first').length > 0);
      await new Promise((r) => setTimeout(r, 200));
      firedAt = Date.now();
      await toolCall('echo first', 'toolu_01');
      const seen = await live;
      const first = toolEvents(seen, 'echo first')[0]!;
      expect(first.at - firedAt).toBeLessThan(1000);
      expect(seen.some((m) => m.event === 'session' && m.data.includes(session))).toBe(true);
      const lastId = seen.at(-1)!.id!;

      await toolCall('echo second', 'toolu_02');
      await new Promise((r) => setTimeout(r, 800));
      const again = await readSse(
        `${url}/api/stream`,
        { 'last-event-id': lastId },
        (ms) => toolEvents(ms, 'echo second').length > 0,
      );
      const [run, last] = splitId(lastId);
      expect(again.every((m) => splitId(m.id!)[0] === run && splitId(m.id!)[1] > last)).toBe(true);
      expect(toolEvents(again, 'echo first')).toEqual([]);
      expect(toolEvents(again, 'echo second')).toHaveLength(1);
    } finally {
      while (!url) await new Promise((r) => setTimeout(r, 20));
      process.emit('SIGINT');
    }
    const run = await serving;
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('stopped');
  });

  it('after a restart, an old Last-Event-ID gets a reset first, then the new messages', async () => {
    const home = tempDir();
    const logsDir = join(home, 'logs');
    mkdirSync(join(spoolDir(logsDir), '.tmp'), { recursive: true });
    const script = join(home, 'capture.sh');
    writeFileSync(script, captureScript({ spoolDir: spoolDir(logsDir) }));
    const session = '0b8e2c1a-2222-4222-8333-444455556666';
    const toolCall = async (command: string, id: string) => {
      const call = {
        session_id: session,
        cwd: home,
        tool_name: 'Bash',
        tool_input: { command },
        tool_use_id: id,
      };
      await fireHook(script, home, 'PreToolUse', { ...call, hook_event_name: 'PreToolUse' });
      await fireHook(script, home, 'PostToolUse', {
        ...call,
        hook_event_name: 'PostToolUse',
        tool_response: {},
      });
    };
    const serve = async <T>(work: (url: string) => Promise<T>): Promise<T> => {
      let url = '';
      const serving = sat(['--home', home, 'serve', '--port', '0'], {
        onStdout: (text) => {
          url = /listening on (http:\/\/\S+?)\/\s/.exec(text)?.[1] ?? url;
        },
      });
      while (!url) await new Promise((r) => setTimeout(r, 20));
      try {
        return await work(url);
      } finally {
        process.emit('SIGINT');
        expect((await serving).code).toBe(0);
      }
    };
    const oldId = await serve(async (url) => {
      const live = readSse(`${url}/api/stream`, {}, (ms) => toolEvents(ms, 'echo before').length > 0);
      await new Promise((r) => setTimeout(r, 200));
      await toolCall('echo before', 'toolu_r1');
      return (await live).at(-1)!.id!;
    });
    await serve(async (url) => {
      const live = readSse(
        `${url}/api/stream`,
        { 'last-event-id': oldId },
        (ms) => toolEvents(ms, 'echo after').length > 0,
      );
      await new Promise((r) => setTimeout(r, 200));
      await toolCall('echo after', 'toolu_r2');
      const seen = await live;
      expect(seen[0]!.event).toBe('reset');
      expect(JSON.parse(seen[0]!.data).reason).toContain(`Last-Event-ID ${oldId} is not of this server run`);
      const [newRun] = splitId(seen[0]!.id!);
      expect(newRun).not.toBe(splitId(oldId)[0]);
      expect(toolEvents(seen, 'echo before')).toEqual([]);
      expect(toolEvents(seen, 'echo after')).toHaveLength(1);
      expect(seen.slice(1).every((m) => splitId(m.id!)[0] === newRun)).toBe(true);
    });
  });

  it('on another host: a generated token, printed once, needed by every request; SIGTERM stops it', async () => {
    const home = tempDir();
    let out = '';
    const serving = sat(['--home', home, 'serve', '--host', '0.0.0.0', '--port', '0'], {
      onStdout: (text) => {
        out += text;
      },
    });
    while (!/token \(printed once\): \S+/.test(out)) await new Promise((r) => setTimeout(r, 20));
    try {
      const token = /token \(printed once\): (\S+)/.exec(out)![1]!;
      const port = /:(\d+)\//.exec(out)![1];
      const base = `http://127.0.0.1:${port}`;
      expect(out).toContain(`?token=${token}`);
      expect((await fetch(`${base}/api/sessions`)).status).toBe(401);
      expect((await fetch(`${base}/`)).status).toBe(401);
      const ok = await fetch(`${base}/api/sessions`, { headers: { authorization: `Bearer ${token}` } });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ items: [], total: 0 });
    } finally {
      process.emit('SIGTERM');
    }
    expect((await serving).code).toBe(0);
  });

  it("receives Claude Code's OpenTelemetry (OTLP/HTTP JSON from the SDK's serializer): idempotent, partial success, JSON only", async () => {
    const home = tempDir();
    const session = '0b8e2c1a-7777-4222-8333-444455556666';
    let url = '';
    const serving = sat(['--home', home, 'serve', '--port', '0'], {
      onStdout: (text) => {
        url = /listening on (http:\/\/\S+?)\/\s/.exec(text)?.[1] ?? url;
      },
    });
    try {
      while (!url) await new Promise((r) => setTimeout(r, 20));
      const at = Date.now() - 60_000;
      const body = await otlpLogsBody([
        {
          name: 'api_request',
          at,
          attributes: {
            'session.id': session,
            model: 'claude-sonnet-4-5',
            cost_usd: 0.0123,
            duration_ms: '2100',
            input_tokens: '12',
            output_tokens: '340',
            cache_read_tokens: '9000',
            cache_creation_tokens: '500',
            request_id: 'req_otel_1',
            query_source: 'main',
          },
        },
        {
          name: 'tool_result',
          at: at + 1000,
          attributes: {
            'session.id': session,
            tool_name: 'Bash',
            tool_use_id: 'toolu_otel_1',
            success: 'true',
            duration_ms: '40',
          },
        },
        { name: 'tool_result', at, attributes: { 'session.id': session } },
      ]);
      const post = (payload: Uint8Array | string, type = 'application/json') =>
        fetch(`${url}/v1/logs`, { method: 'POST', headers: { 'content-type': type }, body: payload });
      const first = await post(body);
      expect(first.status).toBe(200);
      expect(await first.json()).toEqual({
        partialSuccess: { rejectedLogRecords: 1, errorMessage: expect.stringContaining('has no tool_name') },
      });
      expect((await post(body)).status).toBe(200);
      // Read the log directly: an in-process `sat events` would queue behind the running serve.
      const types: string[] = [];
      for await (const event of readSessionEvents(join(home, 'logs'), session)) types.push(event.type);
      expect(types.filter((t) => t === 'api_response')).toHaveLength(1);
      expect(types.filter((t) => t === 'tool_usage')).toHaveLength(1);
      expect((await post('not json')).status).toBe(400);
      expect((await post(body, 'application/x-protobuf')).status).toBe(415);
    } finally {
      while (!url) await new Promise((r) => setTimeout(r, 20));
      process.emit('SIGINT');
    }
    expect((await serving).code).toBe(0);
  });

  it('a port in use or out of range is a clear error', async () => {
    const bad = await sat(['serve', '--port', '70000']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--port');
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const taken = await sat(['--home', tempDir(), 'serve', '--port', String(port)]);
      expect(taken.code).toBe(1);
      expect(taken.stderr).toContain(`cannot listen on 127.0.0.1:${port}`);
    } finally {
      blocker.close();
    }
  });
});
