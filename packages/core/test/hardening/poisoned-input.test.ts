import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  EventWriter,
  eventSchemas,
  ingestHookSpool,
  listSessions,
  loadConfig,
  spoolDir,
} from '../../src/index.js';
import { readAll, tempDir } from '../helpers.js';

const SESSION = '5f3c1d2e-0000-4000-8000-00000000beef';
let clock = 1_780_000_000_000;

/** Writes a payload into the spool as the capture hook does (`<ns since epoch>-<pid>.json`). */
function spool(logsDir: string, payload: unknown): string {
  const dir = spoolDir(logsDir);
  mkdirSync(dir, { recursive: true });
  clock += 1000;
  const name = `${clock}000000-1.json`;
  writeFileSync(join(dir, name), typeof payload === 'string' ? payload : JSON.stringify(payload));
  return name;
}

/** JSON text of `{"a":{"a":...}}` `depth` levels deep (JSON.stringify itself cannot make it). */
function nestedText(depth: number): string {
  return `${'{"a":'.repeat(depth)}"bottom"${'}'.repeat(depth)}`;
}

function nested(depth: number): unknown {
  return JSON.parse(nestedText(depth));
}

/** A payload's JSON text with one field's value given as JSON text. */
function withRawField(payload: Record<string, unknown>, field: string, text: string): string {
  return `${JSON.stringify(payload).slice(0, -1)},${JSON.stringify(field)}:${text}}`;
}

const post = (extra: Record<string, unknown>) => ({
  session_id: SESSION,
  hook_event_name: 'PostToolUse',
  tool_name: 'Bash',
  tool_use_id: `toolu_${++clock}`,
  tool_input: { command: 'ls' },
  tool_response: { stdout: 'ok' },
  ...extra,
});

describe('poisoned hook payloads', () => {
  it('ingests a payload nested 5,000 levels deep, cut with a marker, and the payloads after it', async () => {
    const logsDir = join(tempDir(), 'logs');
    const deep = spool(logsDir, withRawField(post({}), 'tool_response', nestedText(5000)));
    spool(logsDir, { session_id: SESSION, hook_event_name: 'Stop' });
    const result = await ingestHookSpool({ logsDir });
    expect(result.bad).toEqual([]);
    expect(result.appended).toBe(2);
    expect(result.cutPayloads).toEqual([{ file: deep, reason: expect.stringContaining('cut to 32 levels') }]);
    const { events, issues } = await readAll(logsDir, SESSION);
    expect(issues).toEqual([]);
    expect(events.map((e) => e.type)).toEqual(['tool_usage', 'turn_end']);
    // The whole 10 KB payload stays in the raw copy.
    const raw = readFileSync(join(logsDir, 'raw', `${SESSION}.jsonl`), 'utf8').split('\n')[0]!;
    expect(raw.split('"a":').length - 1).toBe(5000);
  });

  it('bounds free-form values that are stored: depth and size, with a visible marker', async () => {
    const logsDir = join(tempDir(), 'logs');
    spool(logsDir, {
      session_id: SESSION,
      hook_event_name: 'SessionStart',
      source: 'x'.repeat(3_000_000),
      model: nested(100),
    });
    spool(logsDir, withRawField({ session_id: SESSION, hook_event_name: 'Stop' }, 'x', nestedText(9000)));
    const result = await ingestHookSpool({ logsDir });
    expect(result.bad).toEqual([]);
    const lines = readFileSync(join(logsDir, 'raw', `${SESSION}.jsonl`), 'utf8')
      .trim()
      .split('\n');
    expect(lines).toHaveLength(2);
    const raw = JSON.parse(lines[0]!);
    expect(raw.cut).toContain('the raw copy holds the bounded form');
    expect(raw.payload.source).toMatch(/…\[cut: 2\.\d MB more\]$/);
    expect(JSON.stringify(raw.payload.model)).toContain('[cut: nested deeper than 32 levels]');
  });

  it('never parses a 50 MB payload: records its tool call with the parameters marked as cut', async () => {
    const logsDir = join(tempDir(), 'logs');
    const id = 'toolu_huge';
    const text = `{"session_id":"${SESSION}","hook_event_name":"PostToolUse","tool_name":"Read","tool_input":{"file_path":"/big"},"tool_response":"${'z'.repeat(50_000_000)}","tool_use_id":"${id}"}`;
    const name = spool(logsDir, text);
    const nameless = spool(logsDir, `{"tool_response":"${'z'.repeat(9_000_000)}"}`);
    const started = performance.now();
    const result = await ingestHookSpool({ logsDir });
    expect(performance.now() - started).toBeLessThan(5000);
    expect(result.cutPayloads).toEqual([
      { file: name, reason: expect.stringContaining('payload of 50.0 MB exceeds the 8 MiB limit') },
    ]);
    expect(result.bad).toEqual([
      { file: nameless, reason: expect.stringContaining('payload of 9.0 MB exceeds the 8 MiB limit') },
    ]);
    const reasons = readFileSync(join(spoolDir(logsDir), 'bad', 'reasons.log'), 'utf8');
    expect(reasons).toContain('{\\"tool_response\\":\\"zzz');
    const { events } = await readAll(logsDir, SESSION);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'tool_usage', data: { tool: 'Read', tool_use_id: id } });
    expect(JSON.stringify(events[0]!.data)).toContain('[cut: payload of 50.0 MB exceeds the 8 MiB limit');
  }, 60_000);
});

describe('transcript paths from payloads', () => {
  it('refuses /etc/shadow and folders with a note, and never hands them to the import', async () => {
    const root = tempDir();
    const logsDir = join(root, 'logs');
    const projects = join(root, 'claude', 'projects');
    mkdirSync(join(projects, '-p'), { recursive: true });
    const good = join(projects, '-p', 'x.jsonl');
    writeFileSync(good, '');
    const folder = join(root, 'folder.jsonl');
    mkdirSync(folder);
    const outside = join(root, 'elsewhere.jsonl');
    writeFileSync(outside, '');
    for (const path of ['/etc/shadow', folder, outside, good])
      spool(logsDir, { session_id: SESSION, hook_event_name: 'Stop', transcript_path: path });
    const result = await ingestHookSpool({ logsDir, transcriptRoots: [projects] });
    expect(result.transcripts).toEqual([good]);
    expect(result.refusedTranscripts.map((r) => [r.path, r.reason])).toEqual([
      ['/etc/shadow', 'not a .jsonl file'],
      [folder, 'not a regular file'],
      [outside, expect.stringContaining('outside the transcript folders')],
    ]);
    const { events } = await readAll(logsDir, SESSION);
    const notes = events.filter((e) => e.type === 'notification').map((e) => e.data.message);
    expect(notes).toEqual([
      expect.stringContaining('/etc/shadow'),
      expect.stringContaining(folder),
      expect.stringContaining(outside),
    ]);
  });

  it('reads the folders of capture.transcriptRoots (config file and SAT_TRANSCRIPT_ROOTS), and names a wrong type', () => {
    const root = tempDir();
    writeFileSync(join(root, 'sat.config.json'), JSON.stringify({ capture: { transcriptRoots: ['mine'] } }));
    expect(loadConfig({ root, env: {} }).capture.transcriptRoots).toEqual([join(root, 'mine')]);
    expect(loadConfig({ root, env: { SAT_TRANSCRIPT_ROOTS: '/a:/b' } }).capture.transcriptRoots).toEqual([
      '/a',
      '/b',
    ]);
    writeFileSync(join(root, 'sat.config.json'), JSON.stringify({ capture: { transcriptRoots: '/a' } }));
    expect(() => loadConfig({ root, env: {} })).toThrow(/capture\.transcriptRoots expected array, got "\/a"/);
  });
});

describe('timestamps and durations', () => {
  it('refuses a ts that is not a real date, on write and on read', async () => {
    const logsDir = tempDir();
    const writer = new EventWriter({ logsDir });
    const event = { type: 'turn_end', session: 's1', data: {}, ts: '2026-02-30T10:00:00Z' } as const;
    expect(() => writer.append(event)).toThrow(/ts must be an ISO-8601 time \(a real date\)/);
    await writer.close();
    const stored = {
      id: 'e1',
      session: 's1',
      seq: 1,
      ts: '2026-02-30T10:00:00Z',
      type: 'turn_end',
      agent: 'main',
      v: 1,
      data: {},
    };
    expect(() => eventSchemas().readStored(stored)).toThrow(/ts: "2026-02-30T10:00:00Z" is not a real date/);
    expect(eventSchemas().readStored({ ...stored, ts: '2028-02-29T10:00:00Z' }).ts).toBe(
      '2028-02-29T10:00:00Z',
    );
  });

  it('keeps an event from year 9999 flagged, at its write time: the session does not last 8,000 years', async () => {
    const logsDir = tempDir();
    const writer = new EventWriter({ logsDir });
    writer.append({ type: 'turn_end', session: 's1', data: {} });
    writer.append({ type: 'turn_end', session: 's1', data: {}, ts: '9999-01-01T00:00:00Z' });
    await writer.close();
    const { events } = await readAll(logsDir, 's1');
    expect(events[1]!.meta).toEqual({ ts_suspect: true, ts_original: '9999-01-01T00:00:00Z' });
    expect(Date.parse(events[1]!.ts) - Date.now()).toBeLessThan(60_000);
    const [info] = await listSessions(logsDir);
    expect(Date.parse(info!.lastEventAt!) - Date.parse(info!.start!)).toBeLessThan(60_000);
  });

  it('refuses a duration over 7 days naming the field; the hook mapping drops it instead', async () => {
    expect(() =>
      eventSchemas().checkPayload('tool_usage', { tool: 'Bash', success: true, duration_ms: 1e15 }),
    ).toThrow(/data\.duration_ms/);
    const logsDir = join(tempDir(), 'logs');
    spool(logsDir, post({ duration_ms: 1e15 }));
    const result = await ingestHookSpool({ logsDir });
    expect(result.bad).toEqual([]);
    const { events } = await readAll(logsDir, SESSION);
    expect(events[0]!.type).toBe('tool_usage');
    expect(events[0]!.data).not.toHaveProperty('duration_ms');
  });
});

describe('a spool that held a poisoned payload', () => {
  it('leaves nothing in the spool but the bad folder and the state', async () => {
    const logsDir = join(tempDir(), 'logs');
    spool(logsDir, withRawField(post({}), 'tool_input', nestedText(20_000)));
    spool(logsDir, '{"session_id": "x", garbage');
    await ingestHookSpool({ logsDir });
    const left = readdirSync(spoolDir(logsDir)).filter((n) => n.endsWith('.json') && !n.startsWith('.'));
    expect(left).toEqual([]);
  });
});
