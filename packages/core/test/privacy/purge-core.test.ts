import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  exportEntries,
  LocalDirectoryTarget,
  listPurgeQueue,
  loadConfig,
  type PurgeTarget,
  purgeOnTarget,
  SatError,
  type SessionExportDocument,
  scrubJson,
  sessionHtml,
  sessionMarkdown,
  UsageAccumulator,
} from '../../src/index.js';
import { tempDir } from '../helpers.js';

const S = '0199aaaa-bbbb-7ccc-8ddd-eeeeffff0001';

describe('scrubJson', () => {
  it.each([
    [
      'a key named after the session',
      { sessions: { [S]: { cost: 1 }, other: { cost: 2 } } },
      { sessions: { other: { cost: 2 } } },
    ],
    [
      'an array entry that names it',
      {
        jobs: [
          { session: S, n: 1 },
          { session: 'x', n: 2 },
        ],
      },
      { jobs: [{ session: 'x', n: 2 }] },
    ],
    [
      'a nested record by path',
      { files: { '/t/a.jsonl': { sessionId: S }, '/t/b.jsonl': { sessionId: 'y' } } },
      { files: { '/t/b.jsonl': { sessionId: 'y' } } },
    ],
    ['a string in a list', { recent: [`logs/${S}.jsonl`, 'logs/y.jsonl'] }, { recent: ['logs/y.jsonl'] }],
  ])('removes %s and keeps the rest', (_name, input, expected) => {
    const outcome = scrubJson(input, [S]);
    expect(outcome).toMatchObject({ kind: 'scrubbed', value: expected });
    expect(JSON.stringify((outcome as { value: unknown }).value)).not.toContain(S);
  });

  it('calls a value whose own fields name the session owned, and one that does not mention it clean', () => {
    expect(scrubJson({ session_id: S, prompt: 'secret' }, [S]).kind).toBe('owned');
    expect(scrubJson({ a: [1, 'b'] }, [S]).kind).toBe('clean');
  });
});

describe('purgeOnTarget', () => {
  it('queues the deletes of a target it cannot reach, names why, and the next purge there does them', async () => {
    const root = tempDir();
    const config = loadConfig({ root, env: {} });
    const dir = join(root, 'remote');
    const key = `SubAgentTracking/Phase_1/sessions/${S}/manifest.json`;
    const target = new LocalDirectoryTarget({ dir });
    await target.put(key, Buffer.from('{}'));
    let up = false;
    const spec: PurgeTarget = {
      name: 'gdrive',
      location: 'Google Drive folder SubAgentTracking',
      open: async () => {
        if (!up) throw new SatError('TARGET_UNAVAILABLE', '[backup-gdrive] Drive is down (retry later)');
        return target;
      },
    };
    const down = await purgeOnTarget(config, spec, [S], false);
    expect(down).toMatchObject({ status: 'queued', error: expect.stringContaining('Drive is down') });
    expect(listPurgeQueue(config)).toMatchObject([{ session: S, target: { name: 'gdrive' }, attempts: 1 }]);
    expect(await target.stat(key)).toBeDefined();

    up = true;
    const later = await purgeOnTarget(config, spec, [], false);
    expect(later).toMatchObject({ status: 'deleted', keys: [key], retried: [S] });
    expect(await target.stat(key)).toBeUndefined();
    expect(listPurgeQueue(config)).toEqual([]);
  });
});

function hostileDocument(): SessionExportDocument {
  const at = '2026-01-01T00:00:00.000Z';
  const base = { session: S, seq: 1, ts: at, agent: 'main', v: 1 } as const;
  const events = [
    {
      ...base,
      id: 'e1',
      type: 'user_prompt',
      data: { text: '<script>alert(1)</script> ``` end', chars: 30 },
    },
    {
      ...base,
      id: 'e2',
      seq: 2,
      type: 'tool_usage',
      data: {
        tool: 'Bash',
        success: false,
        parameters: { command: `echo ${'x'.repeat(5000)}` },
        error: 'exit 1',
      },
    },
    {
      ...base,
      id: 'e3',
      seq: 3,
      agent: '<img src=x onerror=alert(2)>',
      type: 'agent_invocation',
      data: { agent: 'rev"iewer', status: 'failed' },
    },
  ];
  const usage = new UsageAccumulator();
  for (const event of events) usage.add(event as never);
  return {
    session: S,
    start: at,
    end: at,
    events: 3,
    entries: exportEntries(events as never),
    usage: usage.result(S),
  };
}

describe('session export', () => {
  it('html escapes every text, loads nothing and runs nothing', () => {
    const html = sessionHtml(hostileDocument());
    expect(html).not.toMatch(/<script|<img|<[^>]*\s(src|href|on\w+)=|@import|url\(/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(2)&gt;');
    expect(html).toContain("default-src 'none'");
  });

  it('markdown fences texts so no text closes them, and cuts long tool parameters', () => {
    const md = sessionMarkdown(hostileDocument());
    expect(md).toContain('````text\n<script>alert(1)</script> ``` end\n````');
    expect(md).toMatch(/more characters cut/);
    expect(md).toContain('Tool ✗');
    expect(md.length).toBeLessThan(4000);
  });
});

describe('sessionFootprint guards', () => {
  it('never lists tombstones or credentials', async () => {
    const { sessionFootprint } = await import('../../src/index.js');
    const root = tempDir();
    const config = loadConfig({ root, env: {} });
    for (const dir of [join(config.paths.logs, '.purged'), config.paths.credentials, config.paths.state])
      mkdirSync(dir, { recursive: true });
    writeFileSync(join(config.paths.logs, '.purged', S), '{}');
    writeFileSync(join(config.paths.credentials, 'token.json'), JSON.stringify({ session: S }));
    writeFileSync(join(config.paths.state, 'cache.json'), JSON.stringify({ [S]: 1, other: 2 }));
    const items = sessionFootprint(config, [S]).map((i) => [i.path.slice(root.length + 1), i.action]);
    expect(items).toEqual([['state/cache.json', 'scrub']]);
  });
});
