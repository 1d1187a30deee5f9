import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { installStatusline, isOurStatusline, uninstallStatusline } from '../src/settings-merge.js';
import { sat, tempDir } from './helpers.js';

const SAT = "'/usr/bin/node' '/opt/sat/dist/bin.js'";
const others = () => ({
  permissions: { allow: ['Bash(ls)'] },
  hooks: { Stop: [{ hooks: [{ type: 'command', command: 'notify-send done' }] }] },
  env: { FOO: '1' },
});

describe('statusLine in Claude Code settings', () => {
  it('installs statusLine and subagentStatusLine, keeping every other setting, idempotently', () => {
    const first = installStatusline(others(), SAT);
    expect(first.added).toEqual(['statusLine', 'subagentStatusLine']);
    expect(first.settings).toEqual({
      ...others(),
      statusLine: { type: 'command', command: `${SAT} statusline`, padding: 0 },
      subagentStatusLine: { type: 'command', command: `${SAT} statusline --subagents`, padding: 0 },
    });
    const again = installStatusline(first.settings, SAT);
    expect(again.alreadyPresent).toEqual(['statusLine', 'subagentStatusLine']);
    expect(again.settings).toEqual(first.settings);
    const moved = installStatusline(first.settings, "'/usr/local/bin/sat'");
    expect(moved.updated).toEqual(['statusLine', 'subagentStatusLine']);
    expect((moved.settings.statusLine as { command: string }).command).toBe(
      "'/usr/local/bin/sat' statusline",
    );
  });

  it("never overwrites someone else's statusLine without saying so (replaced only with force)", () => {
    const mine = {
      ...others(),
      statusLine: { type: 'command', command: '~/.claude/statusline.sh', padding: 1 },
    };
    const kept = installStatusline(mine, SAT);
    expect(kept.foreign).toEqual([
      { key: 'statusLine', command: '~/.claude/statusline.sh', replaced: false },
    ]);
    expect(kept.settings.statusLine).toEqual(mine.statusLine);
    expect(kept.added).toEqual(['subagentStatusLine']);
    const forced = installStatusline(mine, SAT, { force: true });
    expect(forced.foreign[0]!.replaced).toBe(true);
    expect(forced.settings.statusLine).toEqual({ type: 'command', command: `${SAT} statusline`, padding: 0 });
  });

  it('uninstalls only ours: other settings and a foreign statusLine stay', () => {
    const installed = installStatusline(others(), SAT).settings;
    expect(uninstallStatusline(installed)).toEqual({
      settings: others(),
      removed: ['statusLine', 'subagentStatusLine'],
    });
    const foreign = { ...others(), statusLine: { type: 'command', command: 'starship statusline claude' } };
    expect(uninstallStatusline(foreign)).toEqual({ settings: foreign, removed: [] });
    expect(isOurStatusline({ command: 'sat statusline --subagents' })).toBe(true);
    expect(isOurStatusline({ command: 'mysat statusline' })).toBe(false);
  });

  it('sat init --statusline writes both keys into the settings file; --uninstall --statusline removes them only', async () => {
    const project = tempDir();
    mkdirSync(join(project, '.git'));
    const settings = join(project, '.claude', 'settings.json');
    mkdirSync(join(project, '.claude'));
    writeFileSync(
      settings,
      JSON.stringify({ statusLine: { type: 'command', command: 'mine.sh' }, env: { A: '1' } }),
    );
    const env = { CLAUDE_PROJECT_DIR: project, SAT_HOME: '', SAT_CONFIG: '' };
    const run = await sat(['init', '--statusline'], { env, cwd: project });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(
      "statusLine already runs mine.sh: left as it is ('sat init --statusline --force' replaces it)",
    );
    let file = JSON.parse(readFileSync(settings, 'utf8'));
    expect(file.statusLine).toEqual({ type: 'command', command: 'mine.sh' });
    expect(file.subagentStatusLine.command).toMatch(/statusline --subagents$/);
    expect(file.hooks.Stop).toBeDefined();
    expect((await sat(['init', '--statusline', '--force'], { env, cwd: project })).code).toBe(0);
    file = JSON.parse(readFileSync(settings, 'utf8'));
    expect(file.statusLine.command).toMatch(/ statusline$/);
    const removed = await sat(['init', '--uninstall', '--statusline'], { env, cwd: project });
    expect(removed.stdout).toContain('statusline: removed statusLine, subagentStatusLine');
    file = JSON.parse(readFileSync(settings, 'utf8'));
    expect(file.statusLine).toBeUndefined();
    expect(file.hooks.Stop).toBeDefined();
    expect(file.env).toEqual({ A: '1' });
    expect(existsSync(settings)).toBe(true);
  });
});
