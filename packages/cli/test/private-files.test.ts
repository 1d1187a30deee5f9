import { lstatSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeFilesPrivate } from '../src/private-files.js';
import { sat, tempDir } from './helpers.js';

/**
 * Files under the root that are not sat's data: Claude Code's settings (committed for the team),
 * and the capture script, which must run (0700: the owner's only, checked below).
 */
const NOT_DATA = ['settings.json', 'sat/capture.sh'];

/** Every path under `root` whose mode is not the private one (0600 files, 0700 folders). */
function notPrivate(root: string): string[] {
  const wrong: string[] = [];
  const walk = (path: string): void => {
    if (NOT_DATA.includes(relative(root, path))) return;
    const stats = lstatSync(path);
    const mode = stats.mode & 0o777;
    const expected = stats.isDirectory() ? 0o700 : 0o600;
    if (mode !== expected) wrong.push(`${relative(root, path) || '.'} ${mode.toString(8)}`);
    if (stats.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
  };
  walk(root);
  return wrong;
}

describe('everything sat writes under its data root is private', () => {
  let previous: number;
  beforeAll(() => {
    // What bin.ts does before any command runs; the commands run in this process.
    previous = makeFilesPrivate();
  });
  afterAll(() => {
    process.umask(previous);
  });

  it('after init, a hook ingest, an import, stats, a snapshot, a handoff and a backup: files 0600, folders 0700', async () => {
    const project = tempDir();
    const home = join(project, '.claude');
    const env = { CLAUDE_PROJECT_DIR: project };
    const run = async (args: string[]) => {
      const result = await sat(['--home', home, ...args], { cwd: project, env });
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
      return result;
    };
    await run(['init']);
    const session = '7a1c0e52-1111-4222-8333-444455556666';
    const spool = join(home, 'logs', 'spool');
    mkdirSync(spool, { recursive: true });
    for (const [i, payload] of [
      { hook_event_name: 'SessionStart', source: 'startup' },
      { hook_event_name: 'UserPromptSubmit', prompt: 'List the files' },
    ].entries())
      writeFileSync(
        join(spool, `${1000 + i}-1.json`),
        JSON.stringify({
          session_id: session,
          cwd: project,
          transcript_path: join(project, 'none.jsonl'),
          ...payload,
        }),
      );
    await run(['ingest']);
    await run(['import', '--sample']);
    await run(['stats', 'agents']);
    await run(['snapshot', 'create', session]);
    await run(['handoff', session]);
    await run(['backup', '--all']);
    expect(readdirSync(join(home, 'handoffs')).length).toBeGreaterThan(0);
    expect(readdirSync(join(home, 'backups')).length).toBeGreaterThan(0);
    expect(notPrivate(home)).toEqual([]);
    expect(lstatSync(join(home, 'sat', 'capture.sh')).mode & 0o777).toBe(0o700);
  });
});
