import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  HOOK_EVENTS,
  hookCommand,
  isOurHookCommand,
  PROJECT_SCRIPT_EXPRESSION,
  quoteScriptPath,
} from '../src/hook-catalogue.js';
import { readSettings, settingsFilePath } from '../src/settings-file.js';
import { type ClaudeSettings, installHooks, uninstallHooks } from '../src/settings-merge.js';

const ABS = quoteScriptPath('/data/sat/capture.sh');

function others(): ClaudeSettings {
  return {
    $schema: 'https://json.schemastore.org/claude-code-settings.json',
    permissions: { allow: ['Bash(pnpm test)'], deny: [] },
    hooks: {
      PreToolUse: [
        { matcher: 'Bash', hooks: [{ type: 'command', command: './guard.sh', timeout: 5 }] },
        { matcher: 'Edit|Write', hooks: [{ type: 'command', command: 'prettier --check' }] },
      ],
      Stop: [{ hooks: [{ type: 'command', command: 'notify-send done' }] }],
      Custom: [],
    },
    env: { FOO: '1' },
  };
}

describe('hookCommand, quoteScriptPath and isOurHookCommand', () => {
  it('builds the project command literally, and recognises ours whatever the path and quoting', () => {
    expect(hookCommand('Stop', PROJECT_SCRIPT_EXPRESSION)).toBe(
      'sh "$CLAUDE_PROJECT_DIR/.claude/sat/capture.sh" Stop',
    );
    expect(hookCommand('PreToolUse', ABS)).toBe('sh "/data/sat/capture.sh" PreToolUse');
    for (const event of HOOK_EVENTS) {
      expect(isOurHookCommand(hookCommand(event, PROJECT_SCRIPT_EXPRESSION))).toBe(true);
      expect(isOurHookCommand(hookCommand(event, quoteScriptPath('/we "$ird`/\\x/sat/capture.sh')))).toBe(
        true,
      );
    }
    expect(isOurHookCommand('sh /home/me/.claude/sat/capture.sh Stop')).toBe(true);
    expect(isOurHookCommand("bash '/x/sat/capture.sh' SessionEnd 2>/dev/null")).toBe(true);
    expect(isOurHookCommand('sh sat/capture.sh Stop')).toBe(true);
    expect(isOurHookCommand('sh /x/mysat/capture.sh Stop')).toBe(false);
    expect(isOurHookCommand('sh /x/sat/capture.sh.bak Stop')).toBe(false);
    expect(isOurHookCommand('sh /x/sat/capture.sh')).toBe(false);
    expect(isOurHookCommand('./guard.sh')).toBe(false);
    expect(isOurHookCommand(undefined)).toBe(false);
  });

  it('quotes a path so the shell gives it back unchanged', () => {
    const path = '/tmp/we ird $HOME `id` "q" \\back/sat/capture.sh';
    expect(execFileSync('sh', ['-c', `printf '%s' ${quoteScriptPath(path)}`], { encoding: 'utf8' })).toBe(
      path,
    );
  });
});

describe('installHooks', () => {
  it('adds one group per event, matcher "*" only for tool events, timeout 10', () => {
    const { settings, added, alreadyPresent, updated } = installHooks({}, PROJECT_SCRIPT_EXPRESSION);
    expect(added).toEqual([...HOOK_EVENTS]);
    expect(alreadyPresent).toEqual([]);
    expect(updated).toEqual([]);
    expect(Object.keys(settings.hooks!)).toEqual([...HOOK_EVENTS]);
    expect(settings.hooks!.PostToolUseFailure).toEqual([
      {
        matcher: '*',
        hooks: [
          {
            type: 'command',
            command: 'sh "$CLAUDE_PROJECT_DIR/.claude/sat/capture.sh" PostToolUseFailure',
            timeout: 10,
          },
        ],
      },
    ]);
    expect(settings.hooks!.SessionStart).toEqual([
      {
        hooks: [
          {
            type: 'command',
            command: 'sh "$CLAUDE_PROJECT_DIR/.claude/sat/capture.sh" SessionStart',
            timeout: 10,
          },
        ],
      },
    ]);
  });

  it('keeps every other key, group and hook in order, appends ours, and does not change its input', () => {
    const input = others();
    const snapshot = JSON.stringify(input);
    const { settings } = installHooks(input, ABS);
    expect(JSON.stringify(input)).toBe(snapshot);
    expect(Object.keys(settings)).toEqual(['$schema', 'permissions', 'hooks', 'env']);
    expect(Object.keys(settings.hooks!).slice(0, 3)).toEqual(['PreToolUse', 'Stop', 'Custom']);
    expect(settings.hooks!.PreToolUse!.slice(0, 2)).toEqual(others().hooks!.PreToolUse);
    expect(settings.hooks!.PreToolUse![2]!.hooks[0]!.command).toBe('sh "/data/sat/capture.sh" PreToolUse');
    expect(settings.hooks!.Stop![0]).toEqual(others().hooks!.Stop![0]);
    expect(settings.hooks!.Stop).toHaveLength(2);
    expect(settings.hooks!.Custom).toEqual([]);
  });

  it('is idempotent, and replaces only an outdated hook of ours in place', () => {
    const once = installHooks(others(), ABS).settings;
    const twice = installHooks(once, ABS);
    expect(twice.settings).toEqual(once);
    expect(twice.added).toEqual([]);
    expect(twice.alreadyPresent).toEqual([...HOOK_EVENTS]);

    const input = others();
    input.hooks!.Stop![0]!.hooks.push({
      type: 'command',
      command: 'sh "/old/sat/capture.sh" Stop',
      async: true,
    });
    const result = installHooks(input, ABS);
    expect(result.updated).toEqual(['Stop']);
    expect(result.settings.hooks!.Stop).toEqual([
      {
        hooks: [
          { type: 'command', command: 'notify-send done' },
          { type: 'command', command: 'sh "/data/sat/capture.sh" Stop', async: true, timeout: 10 },
        ],
      },
    ]);
  });

  it('drops a duplicate of ours and a tool hook of ours hidden behind a narrow matcher', () => {
    const ours = { type: 'command', command: hookCommand('PreToolUse', ABS), timeout: 10 };
    const { settings, added, updated } = installHooks(
      {
        hooks: {
          PreToolUse: [{ matcher: 'Bash', hooks: [ours] }],
          Stop: [
            { hooks: [{ type: 'command', command: hookCommand('Stop', ABS), timeout: 10 }] },
            { hooks: [{ type: 'command', command: 'sh /x/sat/capture.sh Stop' }] },
          ],
        },
      },
      ABS,
    );
    expect(added).toContain('PreToolUse');
    expect(updated).toEqual(['Stop']);
    expect(settings.hooks!.PreToolUse).toEqual([{ matcher: '*', hooks: [ours] }]);
    expect(settings.hooks!.Stop).toHaveLength(1);
  });

  it('throws INVALID_CONFIG on a hooks value of the wrong shape', () => {
    expect(() => installHooks({ hooks: { Stop: {} } } as unknown as ClaudeSettings, ABS)).toThrow(
      /"hooks.Stop" must be a list/,
    );
  });
});

describe('uninstallHooks', () => {
  it('gives back exactly what was there before installing', () => {
    const { settings, removed } = uninstallHooks(installHooks(others(), ABS).settings);
    expect([...removed].sort()).toEqual([...HOOK_EVENTS].sort());
    expect(JSON.stringify(settings)).toBe(JSON.stringify(others()));
  });

  it('removes the groups, events and hooks object it empties, and nothing already empty', () => {
    expect(uninstallHooks(installHooks({}, ABS).settings).settings).toEqual({});
    const mixed: ClaudeSettings = {
      hooks: {
        Stop: [
          {
            hooks: [
              { type: 'command', command: 'sh /a/sat/capture.sh Stop' },
              { type: 'command', command: 'x' },
            ],
          },
        ],
        Empty: [],
      },
    };
    const { settings, removed } = uninstallHooks(mixed);
    expect(removed).toEqual(['Stop']);
    expect(settings).toEqual({
      hooks: { Stop: [{ hooks: [{ type: 'command', command: 'x' }] }], Empty: [] },
    });
    expect(uninstallHooks({ hooks: {} })).toEqual({ settings: { hooks: {} }, removed: [] });
  });
});

describe('readSettings and settingsFilePath', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const file = (text: string): string => {
    const dir = mkdtempSync(join(tmpdir(), 'sat-settings-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'settings.json'), text);
    return join(dir, 'settings.json');
  };

  it('names the file and the line and column of a JSON error', () => {
    const path = file('{\n  "hooks": {\n    "Stop": [,]\n  }\n}\n');
    expect(() => readSettings(path)).toThrow(
      `${path} is not valid JSON: unexpected "," at line 3, column 14`,
    );
    expect(() => readSettings(file('{"a": 1'))).toThrow(/unexpected end of file at line 1, column 8/);
    expect(() => readSettings(file('{"a": 1,}'))).toThrow(/unexpected "}" at line 1, column 9/);
    expect(() => readSettings(file('{"hooks": {"Stop": [{"hooks": {}}]}}'))).toThrow(
      /"hooks.Stop\[0\].hooks" must be a list/,
    );
    expect(() => readSettings(file('[]'))).toThrow(/must hold a JSON object/);
  });

  it('reads a missing file as undefined and an empty one as {}', () => {
    expect(readSettings('/nonexistent/settings.json')).toBeUndefined();
    expect(readSettings(file('  \n'))).toEqual({});
    expect(readSettings(file('{"env": {}}'))).toEqual({ env: {} });
  });

  it('puts project, local and user settings where Claude Code reads them', () => {
    expect(settingsFilePath('project', '/p', {})).toBe('/p/.claude/settings.json');
    expect(settingsFilePath('local', '/p', {})).toBe('/p/.claude/settings.local.json');
    expect(settingsFilePath('user', '/p', { CLAUDE_CONFIG_DIR: '/cfg' })).toBe('/cfg/settings.json');
    expect(settingsFilePath('user', '/p', {})).toMatch(/\.claude\/settings\.json$/);
  });
});
