import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { readSessionEvents } from '@sat/core';
import { fireHook } from '@sat/core/fixtures';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Run, sat, tempDir } from './helpers.js';

const OURS = {
  CLAUDE_CODE_ENABLE_TELEMETRY: '1',
  OTEL_LOGS_EXPORTER: 'otlp',
  OTEL_METRICS_EXPORTER: 'otlp',
  OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
  OTEL_LOGS_EXPORT_INTERVAL: '1000',
  OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:8000',
};

function sandbox() {
  const project = tempDir();
  const home = tempDir();
  const env: Record<string, string> = {
    CLAUDE_PROJECT_DIR: project,
    HOME: home,
    CLAUDE_CONFIG_DIR: '',
    SAT_HOME: '',
    SAT_CONFIG: '',
  };
  const run = (args: string[]): Promise<Run> => sat(args, { env });
  const settings = join(project, '.claude', 'settings.json');
  const write = (value: unknown) => {
    mkdirSync(join(project, '.claude'), { recursive: true });
    writeFileSync(settings, typeof value === 'string' ? value : `${JSON.stringify(value, null, 2)}\n`);
  };
  return { project, run, settings, write, local: join(project, '.claude', 'settings.local.json') };
}

const read = (file: string) => JSON.parse(readFileSync(file, 'utf8'));

/** A port nothing listens on: bound once by the system, then released. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

afterEach(() => vi.unstubAllEnvs());

describe('sat init --otel', () => {
  it('adds the telemetry variables to env, keeping the other keys in order; a second run changes nothing', async () => {
    const { run, settings, write } = sandbox();
    write({ _comment: 'team settings', env: { FOO: '1', BAR: 'x' }, permissions: { allow: ['Bash(ls)'] } });
    const first = await run(['init', '--otel']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('otel: set 6 variable(s)');
    expect(first.stdout).toContain('not exported: prompt text (OTEL_LOG_USER_PROMPTS stays off)');
    expect(first.stdout).toContain('receive it with: sat serve');
    const after = read(settings);
    expect(Object.keys(after)).toEqual(['_comment', 'env', 'permissions', 'hooks']);
    expect(after.env).toEqual({ FOO: '1', BAR: 'x', ...OURS });
    expect(Object.keys(after.env).slice(0, 2)).toEqual(['FOO', 'BAR']);
    expect(after.env.OTEL_LOG_USER_PROMPTS).toBeUndefined();
    expect(after.env.OTEL_LOG_TOOL_DETAILS).toBeUndefined();

    const text = readFileSync(settings, 'utf8');
    const second = JSON.parse((await run(['init', '--otel', '--json'])).stdout);
    expect(second.otel).toMatchObject({ changed: false, added: [], conflicts: [] });
    expect(second.otel.alreadyPresent).toHaveLength(6);
    expect(readFileSync(settings, 'utf8')).toBe(text);
  });

  it('keeps a differing value and names it; --force replaces it; --port sets the endpoint', async () => {
    const { run, settings, write } = sandbox();
    write({
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_LOGS_EXPORT_INTERVAL: '5000' },
    });
    const kept = await run(['init', '--otel', '--port', '9000', '--no-hooks']);
    expect(kept.code, kept.stderr).toBe(0);
    expect(kept.stderr).toContain(
      "env.OTEL_EXPORTER_OTLP_ENDPOINT is 'http://collector:4318', not 'http://127.0.0.1:9000': left as it is",
    );
    expect(kept.stderr).toContain('OTEL_LOGS_EXPORT_INTERVAL');
    expect(read(settings).env.OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://collector:4318');
    expect(read(settings).env.CLAUDE_CODE_ENABLE_TELEMETRY).toBe('1');

    const forced = JSON.parse(
      (await run(['init', '--otel', '--port', '9000', '--no-hooks', '--force', '--json'])).stdout,
    );
    expect(forced.otel.conflicts.map((c: { key: string; replaced: boolean }) => [c.key, c.replaced])).toEqual(
      [
        ['OTEL_LOGS_EXPORT_INTERVAL', true],
        ['OTEL_EXPORTER_OTLP_ENDPOINT', true],
      ],
    );
    expect(read(settings).env).toEqual({ ...OURS, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9000' });
    expect((await run(['init', '--otel', '--port', '0'])).code).toBe(1);
    expect((await run(['init', '--port', '9000'])).stderr).toContain('add --otel');
  });

  it('--otel --uninstall removes only the keys sat wrote; --uninstall removes them with the hooks', async () => {
    const { run, settings, write } = sandbox();
    write({ env: { FOO: '1', OTEL_METRICS_EXPORTER: 'prometheus' } });
    expect((await run(['init', '--otel'])).code).toBe(0);
    const removed = await run(['init', '--otel', '--uninstall']);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toContain('otel: removed CLAUDE_CODE_ENABLE_TELEMETRY, OTEL_LOGS_EXPORTER');
    expect(removed.stderr).toContain('kept OTEL_METRICS_EXPORTER');
    const after = read(settings);
    expect(after.env).toEqual({ FOO: '1', OTEL_METRICS_EXPORTER: 'prometheus' });
    expect(Object.keys(after.hooks).length).toBeGreaterThan(0);
    expect((await run(['init', '--otel', '--uninstall'])).stdout).toContain('nothing removed');

    expect((await run(['init', '--otel'])).code).toBe(0);
    const all = JSON.parse((await run(['init', '--uninstall', '--json'])).stdout);
    expect(all.otel.removed).toHaveLength(5);
    expect(read(settings)).toEqual({ env: { FOO: '1', OTEL_METRICS_EXPORTER: 'prometheus' } });
  });

  it('puts a token only into a file that is not shared, masked in what it prints', async () => {
    const { run, settings, local, write } = sandbox();
    write({ env: { FOO: '1' } });
    const before = readFileSync(settings, 'utf8');
    const refused = await run(['init', '--otel', '--token', 's3cr3t-token']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('usually committed: add --local');
    expect(readFileSync(settings, 'utf8')).toBe(before);

    const done = await run(['init', '--otel', '--local', '--no-hooks', '--token', 's3cr3t-token', '--json']);
    expect(done.code, done.stderr).toBe(0);
    expect(read(local).env.OTEL_EXPORTER_OTLP_HEADERS).toBe('Authorization=Bearer s3cr3t-token');
    expect(readFileSync(settings, 'utf8')).toBe(before);
    const other = await run(['init', '--otel', '--local', '--no-hooks', '--token', 'another']);
    expect(other.stderr).toContain("is 'Authorization=Bearer s3…', not 'Authorization=Bearer an…'");
    expect(other.stdout + other.stderr).not.toContain('s3cr3t-token');
  });

  it('refuses a settings file with comments (Claude Code rejects them too) and leaves it as it was', async () => {
    const { run, settings, write } = sandbox();
    const text = '{\n  // the team\'s variables\n  "env": { "FOO": "1" }\n}\n';
    write(text);
    const out = await run(['init', '--otel']);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain(`${settings} is not valid JSON`);
    expect(readFileSync(settings, 'utf8')).toBe(text);
    write({ env: 'FOO=1' });
    const notObject = await run(['init', '--otel']);
    expect(notObject.code).toBe(1);
    expect(notObject.stderr).toContain(`"env" of ${settings} must be an object of variables, not "FOO=1"`);
    expect(read(settings)).toEqual({ env: 'FOO=1' });
  });

  it('with those variables in place and no server listening, a real hook still captures', async () => {
    const { project, run, settings } = sandbox();
    const port = await freePort();
    expect((await run(['init', '--otel', '--port', String(port)])).code).toBe(0);
    const env = read(settings).env as Record<string, string>;
    expect(env.OTEL_EXPORTER_OTLP_ENDPOINT).toBe(`http://127.0.0.1:${port}`);
    for (const [key, value] of Object.entries(env)) vi.stubEnv(key, value);
    const script = join(project, '.claude', 'sat', 'capture.sh');
    const session = '5f0c7a3e-2222-4333-8444-555566667777';
    const call = { session_id: session, cwd: project, tool_name: 'Bash', tool_use_id: 'toolu_otel_1' };
    const fire = (hook: string, payload: object) =>
      fireHook(script, project, hook, { ...payload, hook_event_name: hook });
    await fire('SessionStart', { session_id: session, cwd: project, source: 'startup' });
    await fire('PreToolUse', { ...call, tool_input: { command: 'echo otel' } });
    await fire('PostToolUse', {
      ...call,
      tool_input: { command: 'echo otel' },
      tool_response: { stdout: 'otel' },
    });
    vi.unstubAllEnvs();
    const ingest = await run(['ingest']);
    expect(ingest.code, ingest.stderr).toBe(0);
    const logs = join(project, '.claude', 'logs');
    expect(existsSync(logs)).toBe(true);
    const tools = [];
    for await (const event of readSessionEvents(logs, session))
      if (event.type === 'tool_usage') tools.push(event);
    expect(tools).toHaveLength(1);
    expect(JSON.stringify(tools[0]!.data)).toContain('echo otel');
  });

  it('sat doctor says whether the export is set, and which variables differ', async () => {
    const { run, write } = sandbox();
    const otel = async () =>
      (JSON.parse((await run(['doctor', '--json'])).stdout).findings as Array<{ check: string }>).filter(
        (f) => f.check === 'otel',
      );
    expect(await otel()).toEqual([
      expect.objectContaining({ status: 'ok', detail: expect.stringContaining('not set') }),
    ]);
    expect((await run(['init', '--otel', '--no-hooks'])).code).toBe(0);
    expect(await otel()).toEqual([
      expect.objectContaining({ status: 'ok', detail: expect.stringContaining('to http://127.0.0.1:8000') }),
    ]);
    write({
      env: {
        CLAUDE_CODE_ENABLE_TELEMETRY: '1',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_LOG_USER_PROMPTS: '1',
      },
    });
    const [partial] = await otel();
    expect(partial).toMatchObject({
      status: 'warn',
      fix: expect.stringContaining('sat init --otel --force'),
    });
    expect(partial).toMatchObject({ detail: expect.stringContaining('OTEL_EXPORTER_OTLP_PROTOCOL') });
    expect(partial).toMatchObject({ detail: expect.stringContaining('OTEL_LOG_USER_PROMPTS on') });
  });
});
