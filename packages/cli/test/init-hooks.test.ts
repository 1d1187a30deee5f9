import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HOOK_EVENTS } from '../src/hook-catalogue.js';
import { type Run, sat, tempDir } from './helpers.js';

const TOOL_EVENTS = ['PreToolUse', 'PostToolUse', 'PostToolUseFailure'];
const PROJECT_SCRIPT = '"$CLAUDE_PROJECT_DIR/.claude/sat/capture.sh"';

/**
 * A throw-away project and home: nothing outside them is read or written. The child runs in the
 * repository (where tsx resolves); CLAUDE_PROJECT_DIR makes the temporary folder the project.
 */
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
  const run = (args: string[], extra: Record<string, string> = {}): Promise<Run> =>
    sat(args, { env: { ...env, ...extra } });
  return { project, home, run, settings: join(project, '.claude', 'settings.json') };
}

const read = (file: string) => JSON.parse(readFileSync(file, 'utf8'));

function existing() {
  return {
    $schema: 'https://json.schemastore.org/claude-code-settings.json',
    permissions: { allow: ['Bash(pnpm test)'] },
    hooks: {
      PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: './guard.sh', timeout: 5 }] }],
      Stop: [{ hooks: [{ type: 'command', command: 'notify-send done' }] }],
      MyEvent: [{ hooks: [{ type: 'command', command: 'echo hi' }] }],
    },
    env: { FOO: '1' },
  };
}

describe('sat init: Claude Code hooks', () => {
  it('installs all 12 events into .claude/settings.json; a second run changes nothing', async () => {
    const { run, settings, project } = sandbox();
    const first = await run(['init', '--json']);
    expect(first.code, first.stderr).toBe(0);
    const result = JSON.parse(first.stdout);
    expect(result.settingsFile).toBe(settings);
    expect(result.settingsChanged).toBe(true);
    expect(result.hooks).toEqual({ added: [...HOOK_EVENTS], updated: [], alreadyPresent: [], removed: [] });
    expect(existsSync(join(project, '.claude', 'logs'))).toBe(true);

    const text = readFileSync(settings, 'utf8');
    expect(text.endsWith('}\n')).toBe(true);
    const { hooks } = JSON.parse(text);
    expect(Object.keys(hooks)).toEqual([...HOOK_EVENTS]);
    for (const event of HOOK_EVENTS) {
      const group = { hooks: [{ type: 'command', command: `sh ${PROJECT_SCRIPT} ${event}`, timeout: 10 }] };
      expect(hooks[event], event).toEqual([TOOL_EVENTS.includes(event) ? { matcher: '*', ...group } : group]);
    }

    const mtime = statSync(settings).mtimeMs;
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = await run(['init']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain(`hooks: all 12 already present in ${settings}`);
    expect(readFileSync(settings, 'utf8')).toBe(text);
    expect(statSync(settings).mtimeMs).toBe(mtime);

    // Already installed in a file formatted another way: still nothing to write.
    const tabbed = JSON.stringify(JSON.parse(text), null, '\t');
    writeFileSync(settings, tabbed);
    expect(JSON.parse((await run(['init', '--json'])).stdout).settingsChanged).toBe(false);
    expect(readFileSync(settings, 'utf8')).toBe(tabbed);
  });

  it('merges with other hooks and keys, keeps them in order, and --uninstall gives the file back', async () => {
    const { run, settings, project } = sandbox();
    mkdirSync(join(project, '.claude'));
    const original = `${JSON.stringify(existing(), null, 2)}\n`;
    writeFileSync(settings, original);
    chmodSync(settings, 0o600);

    const first = await run(['init']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(`hooks: added 12 in ${settings}`);
    const merged = read(settings);
    expect(Object.keys(merged)).toEqual(['$schema', 'permissions', 'hooks', 'env']);
    expect(merged.permissions).toEqual(existing().permissions);
    expect(merged.env).toEqual({ FOO: '1' });
    expect(Object.keys(merged.hooks).slice(0, 3)).toEqual(['PreToolUse', 'Stop', 'MyEvent']);
    expect(merged.hooks.PreToolUse).toEqual([
      ...existing().hooks.PreToolUse,
      { matcher: '*', hooks: [{ type: 'command', command: `sh ${PROJECT_SCRIPT} PreToolUse`, timeout: 10 }] },
    ]);
    expect(merged.hooks.Stop).toEqual([
      ...existing().hooks.Stop,
      { hooks: [{ type: 'command', command: `sh ${PROJECT_SCRIPT} Stop`, timeout: 10 }] },
    ]);
    expect(merged.hooks.MyEvent).toEqual(existing().hooks.MyEvent);
    expect(statSync(settings).mode & 0o777).toBe(0o600);

    const installed = readFileSync(settings, 'utf8');
    const again = JSON.parse((await run(['init', '--json'])).stdout);
    expect(again.settingsChanged).toBe(false);
    expect(again.hooks.alreadyPresent).toHaveLength(12);
    expect(readFileSync(settings, 'utf8')).toBe(installed);

    const removed = await run(['init', '--uninstall', '--json']);
    expect(removed.code, removed.stderr).toBe(0);
    expect(JSON.parse(removed.stdout).hooks.removed).toHaveLength(12);
    expect(readFileSync(settings, 'utf8')).toBe(original);
    expect(statSync(settings).mode & 0o777).toBe(0o600);
    expect(existsSync(join(project, '.claude', 'logs'))).toBe(true);

    const nothing = await run(['init', '--uninstall']);
    expect(nothing.stdout).toContain(`hooks: no sat hooks in ${settings}, nothing removed`);
    expect(readFileSync(settings, 'utf8')).toBe(original);
  });

  it('--uninstall removes emptied containers but not the file, and touches no folder', async () => {
    const { run, settings, project } = sandbox();
    await run(['init']);
    const out = await run(['init', '--uninstall']);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toContain(`hooks: removed 12 sat hook(s) from ${settings}`);
    expect(readFileSync(settings, 'utf8')).toBe('{}\n');

    const fresh = sandbox();
    expect((await fresh.run(['init', '--uninstall'])).code).toBe(0);
    expect(existsSync(join(fresh.project, '.claude'))).toBe(false);
    expect(existsSync(join(project, '.claude', 'logs'))).toBe(true);
  });

  it('replaces an outdated hook of ours in place', async () => {
    const { run, settings, project } = sandbox();
    mkdirSync(join(project, '.claude'));
    const stale = existing();
    stale.hooks.Stop[0]!.hooks.push({ type: 'command', command: 'sh "/old/root/sat/capture.sh" Stop' });
    writeFileSync(settings, JSON.stringify(stale));
    const result = JSON.parse((await run(['init', '--json'])).stdout);
    expect(result.hooks.updated).toEqual(['Stop']);
    expect(result.hooks.added).toHaveLength(11);
    expect(read(settings).hooks.Stop).toEqual([
      {
        hooks: [
          { type: 'command', command: 'notify-send done' },
          { type: 'command', command: `sh ${PROJECT_SCRIPT} Stop`, timeout: 10 },
        ],
      },
    ]);
  });

  it('--local and --user write their own files; --user uses an absolute script path', async () => {
    const { run, settings, project, home } = sandbox();
    const local = await run(['init', '--local', '--json']);
    expect(local.code, local.stderr).toBe(0);
    const localFile = join(project, '.claude', 'settings.local.json');
    expect(JSON.parse(local.stdout).settingsFile).toBe(localFile);
    expect(read(localFile).hooks.Stop[0].hooks[0].command).toBe(`sh ${PROJECT_SCRIPT} Stop`);
    expect(existsSync(settings)).toBe(false);

    const user = await run(['init', '--user']);
    expect(user.code, user.stderr).toBe(0);
    const userFile = join(home, '.claude', 'settings.json');
    expect(read(userFile).hooks.SessionEnd[0].hooks[0].command).toBe(
      `sh "${join(project, '.claude', 'sat', 'capture.sh')}" SessionEnd`,
    );

    const configDir = tempDir();
    const moved = await run(['init', '--user', '--json'], { CLAUDE_CONFIG_DIR: configDir });
    expect(JSON.parse(moved.stdout).settingsFile).toBe(join(configDir, 'settings.json'));
    expect(Object.keys(read(join(configDir, 'settings.json')).hooks)).toEqual([...HOOK_EVENTS]);

    expect((await run(['init', '--user', '--uninstall'])).code).toBe(0);
    expect(read(userFile)).toEqual({});
    expect((await run(['init', '--local', '--uninstall'])).code).toBe(0);
    expect(read(localFile)).toEqual({});
    expect(existsSync(settings)).toBe(false);

    const both = await run(['init', '--local', '--user']);
    expect(both.code).toBe(1);
    expect(both.stderr).toContain('--local and --user');
  });

  it('a custom data root gets its quoted absolute script path', async () => {
    const { run, settings } = sandbox();
    const root = join(tempDir(), 'data $root "x"');
    const out = await run(['init'], { SAT_HOME: root });
    expect(out.code, out.stderr).toBe(0);
    const command = read(settings).hooks.PreToolUse[0].hooks[0].command as string;
    expect(command).toBe(`sh "${join(root, 'sat', 'capture.sh').replace(/["$`\\]/g, '\\$&')}" PreToolUse`);
    expect(existsSync(join(root, 'logs'))).toBe(true);
  });

  it('an invalid settings file is named, left byte-identical, and exits 1', async () => {
    const { run, settings, project } = sandbox();
    mkdirSync(join(project, '.claude'));
    const broken = '{\n  "permissions": { "allow": [] },\n  "hooks": {\n}\n';
    writeFileSync(settings, broken);
    for (const args of [['init'], ['init', '--uninstall']]) {
      const out = await run(args);
      expect(out.code).toBe(1);
      expect(out.stderr).toContain(
        `${settings} is not valid JSON: unexpected end of file at line 5, column 1`,
      );
      expect(out.stderr.trim().split('\n')).toHaveLength(1);
      expect(readFileSync(settings, 'utf8')).toBe(broken);
    }
    const wrongShape = '{"hooks": {"Stop": {"command": "x"}}}';
    writeFileSync(settings, wrongShape);
    const shape = await run(['init']);
    expect(shape.code).toBe(1);
    expect(shape.stderr).toContain(`${settings} is not a Claude Code settings file we can change`);
    expect(shape.stderr).toContain('"hooks.Stop" must be a list');
    expect(readFileSync(settings, 'utf8')).toBe(wrongShape);
  });

  it('--no-hooks writes no settings', async () => {
    const { run, settings, project, home } = sandbox();
    const out = await run(['init', '--no-hooks', '--json']);
    expect(out.code, out.stderr).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ settingsFile: null, hooks: null });
    expect(existsSync(join(project, '.claude', 'logs'))).toBe(true);
    expect(existsSync(settings)).toBe(false);
    expect(existsSync(join(home, '.claude'))).toBe(false);
    const human = await run(['init', '--no-hooks']);
    expect(human.stdout).toContain('hooks: not installed (--no-hooks)');
  });
});
