import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { type MongoTestServer, startMongoTestServer } from '@sat/store-mongo/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sat, tempDir } from './helpers.js';

/** A real session of the bundled samples (marot/spotter): its prompt and a file it wrote are its own. */
const SESSION = '491e126e-1e71-469c-ade2-fcc8af567c74';
const OTHER = '55604662-cf2a-4331-851a-ec234028f8ca';
const PROMPT = 'Maybe there are igniter scripts?';
const PATH = '/home/marco/projects/spotter/plan.md';
const HOOK_TEXT = 'zebra-purge-marker-7c41';

function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)],
  );
}

/** Every file under `dir` that holds `text`, compressed ones (logs, snapshots, bundles with their database) decompressed. */
function holding(dir: string, text: string): string[] {
  return files(dir).filter((file) => {
    const bytes = readFileSync(file);
    let content = bytes.toString('latin1');
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) content = gunzipSync(bytes).toString('latin1');
    return content.includes(text) || relative(dir, file).includes(text);
  });
}

function hook(home: string, n: number, payload: object): void {
  const spool = join(home, 'logs', 'spool');
  mkdirSync(spool, { recursive: true });
  writeFileSync(
    join(spool, `${Date.now()}00000${n}-4242.json`),
    JSON.stringify({ session_id: SESSION, cwd: home, ...payload }),
  );
}

/** The samples imported, hook payloads for the session (raw copies, a pending call), its snapshot, handoff, review, backups. */
async function richHistory(): Promise<string> {
  const home = tempDir();
  const run = async (args: string[]) => {
    const done = await sat(args, { home });
    expect(done.code, `sat ${args.join(' ')}: ${done.stderr}`).toBe(0);
  };
  await run(['import', '--sample']);
  hook(home, 1, { hook_event_name: 'UserPromptSubmit', prompt: `run ${HOOK_TEXT}` });
  hook(home, 2, {
    hook_event_name: 'PreToolUse',
    tool_name: 'Bash',
    tool_use_id: 'toolu_purge_pending',
    tool_input: { command: `echo ${HOOK_TEXT}` },
  });
  await run(['ingest']);
  await run(['snapshot', 'create', SESSION]);
  await run(['handoff', SESSION]);
  await run(['review', '--session', SESSION, '--local-only']);
  await run(['backup', '--all']);
  await run(['stats', 'agents']);
  return home;
}

let mongo: MongoTestServer;
beforeAll(async () => {
  mongo = await startMongoTestServer();
});
afterAll(() => mongo?.close());

describe('sat purge', () => {
  it('refuses without --yes off a terminal, lists with --dry-run, then leaves no trace of the session but its tombstone', async () => {
    const home = await richHistory();
    for (const text of [PROMPT, PATH, HOOK_TEXT, SESSION])
      expect(holding(home, text).length, text).toBeGreaterThan(3);

    const refused = await sat(['purge', SESSION], { home });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('--yes');
    const dry = await sat(['purge', '491e126e', '--dry-run', '--json'], { home });
    expect(dry.code, dry.stderr).toBe(0);
    const plan = JSON.parse(dry.stdout);
    const planned = plan.files.map((f: { path: string }) => relative(home, f.path));
    expect(planned).toEqual(expect.arrayContaining([`logs/${SESSION}.jsonl`, `logs/raw/${SESSION}.jsonl`]));
    expect(plan.files.find((f: { path: string }) => f.path.endsWith('import-state.json')).action).toBe(
      'scrub',
    );
    expect(plan.targets[0]).toMatchObject({ name: 'local', status: 'would-delete' });
    expect(existsSync(join(home, 'logs', `${SESSION}.jsonl`))).toBe(true);

    const purged = await sat(['purge', SESSION, '--yes', '--json'], { home });
    expect(purged.code, purged.stderr).toBe(0);
    const result = JSON.parse(purged.stdout);
    expect(result.tombstones).toMatchObject([{ session: SESSION }]);
    expect(result.targets[0].keys.length).toBeGreaterThan(0);
    for (const text of [PROMPT, PATH, HOOK_TEXT]) expect(holding(home, text), text).toEqual([]);
    expect(holding(home, SESSION).map((f) => relative(home, f))).toEqual([`logs/.purged/${SESSION}`]);
    expect(JSON.parse(readFileSync(join(home, 'logs', '.purged', SESSION), 'utf8'))).toEqual({
      session: SESSION,
      purgedAt: expect.any(String),
    });

    const others = await sat(['sessions', '--json'], { home });
    const listed = JSON.parse(others.stdout).map((s: { session: string }) => s.session);
    expect(listed).toContain(OTHER);
    expect(listed).not.toContain(SESSION);
    expect(holding(join(home, 'backups'), OTHER).length).toBeGreaterThan(0);
    expect(statSync(join(home, 'analytics', 'sat.db')).size).toBeGreaterThan(0);
  });

  it('the tombstone keeps the import and the hook ingest from bringing it back, unless --include-purged', async () => {
    const home = tempDir();
    expect((await sat(['import', '--sample'], { home })).code).toBe(0);
    expect((await sat(['purge', SESSION, '--yes'], { home })).code).toBe(0);
    const again = await sat(['import', '--sample', '--json'], { home });
    expect(JSON.parse(again.stdout)).toMatchObject({ purgedSkipped: [SESSION], restoredPurged: [] });
    expect(again.stderr).toContain('--include-purged');
    hook(home, 1, { hook_event_name: 'UserPromptSubmit', prompt: `run ${HOOK_TEXT}` });
    const ingest = await sat(['ingest', '--json'], { home });
    expect(JSON.parse(ingest.stdout)).toMatchObject({ purgedSkipped: [SESSION], appended: 0 });
    expect(holding(home, HOOK_TEXT)).toEqual([]);

    const back = await sat(['import', '--sample', '--include-purged', '--json'], { home });
    expect(JSON.parse(back.stdout)).toMatchObject({ restoredPurged: [SESSION], purgedSkipped: [] });
    expect(existsSync(join(home, 'logs', '.purged', SESSION))).toBe(false);
    const show = await sat(['show', SESSION, '--json'], { home });
    expect(show.code, show.stderr).toBe(0);
  });

  it('--before and --all choose sessions by their last event; naming two ways is refused', async () => {
    const home = tempDir();
    expect((await sat(['import', '--sample'], { home })).code).toBe(0);
    const before = JSON.parse(
      (await sat(['purge', '--before', '2026-02-11', '--dry-run', '--json'], { home })).stdout,
    );
    expect(before.sessions).toHaveLength(3);
    expect(before.sessions).not.toContain('8463c716-a2ea-4c14-9efa-87158ebd9f20');
    const all = await sat(['purge', '--all', '--yes', '--json'], { home });
    expect(JSON.parse(all.stdout).sessions).toHaveLength(4);
    expect(JSON.parse((await sat(['sessions', '--json'], { home })).stdout)).toEqual([]);
    const both = await sat(['purge', SESSION, '--all'], { home });
    expect(both.code).toBe(1);
    expect(both.stderr).toContain('one way');
  });

  it("with store.kind mongo, this machine's rows of the session go: the store agrees with SQLite over the logs left", async () => {
    const home = tempDir();
    const env = { SAT_STORE: 'mongo', SAT_MONGO_URL: mongo.url, SAT_MONGO_DATABASE: 'purge_rows' };
    expect((await sat(['import', '--sample'], { home, env })).code).toBe(0);
    const tools = async (extra: Record<string, string>) => {
      const run = await sat(['stats', 'tools', '--days', 'all', '--json'], { home, env: extra });
      expect(run.code, run.stderr).toBe(0);
      return JSON.parse(run.stdout);
    };
    const before = await tools(env);
    expect((await sat(['purge', SESSION, '--yes'], { home, env })).code).toBe(0);
    const after = await tools(env);
    expect(after).not.toEqual(before);
    expect(after).toEqual(await tools({}));
  });
});
