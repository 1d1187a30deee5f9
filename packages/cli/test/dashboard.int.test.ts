import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { captureScript, spoolDir } from '@sat/core';
import { fireHook } from '@sat/core/fixtures';
import { describe, expect, it } from 'vitest';
import { BUILT_BIN, satProcess, tempDir } from './helpers.js';

const hasTmux = spawnSync('which', ['tmux']).status === 0;

function setupHome(): {
  home: string;
  script: string;
  fire: (session: string, hook: string, extra?: object) => Promise<number>;
} {
  const home = tempDir();
  const logsDir = join(home, 'logs');
  mkdirSync(join(spoolDir(logsDir), '.tmp'), { recursive: true });
  const script = join(home, 'capture.sh');
  writeFileSync(script, captureScript({ spoolDir: spoolDir(logsDir) }));
  const fire = (session: string, hook: string, extra: object = {}) =>
    fireHook(script, home, hook, { session_id: session, cwd: home, hook_event_name: hook, ...extra });
  return { home, script, fire };
}

async function toolCall(
  fire: ReturnType<typeof setupHome>['fire'],
  session: string,
  command: string,
  id: string,
  tool = 'Bash',
) {
  const call = { tool_name: tool, tool_input: { command }, tool_use_id: id };
  await fire(session, 'PreToolUse', call);
  await fire(session, 'PostToolUse', { ...call, tool_response: { stdout: 'ok' } });
}

let lastPane = '';
async function until(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the pane:\n${lastPane}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(!hasTmux)(
  'sat dashboard in a real terminal (tmux, the built bin, real hook processes)',
  () => {
    it('shows a tool call fired by the hook, switches, pauses, filters, opens details and quits on q', async () => {
      const { home, fire } = setupHome();
      const name = `sat-dash-${process.pid}`;
      const rcFile = join(home, 'rc');
      await fire('dash-first', 'SessionStart', { source: 'startup' });
      // CI=true as on a CI machine: the dashboard must still redraw (Ink alone would not).
      const command = `NO_COLOR=1 CI=true '${process.execPath}' '${BUILT_BIN}' --home '${home}' dashboard; echo $? > '${rcFile}'`;
      execFileSync('tmux', ['new-session', '-d', '-s', name, '-x', '80', '-y', '24', 'sh', '-c', command]);
      const pane = () => {
        const r = spawnSync('tmux', ['capture-pane', '-p', '-t', name], { encoding: 'utf8' });
        lastPane = r.status === 0 ? r.stdout : '';
        return lastPane;
      };
      const keys = (...k: string[]) => execFileSync('tmux', ['send-keys', '-t', name, ...k]);
      try {
        await until('the dashboard', () => pane().includes('sat dashboard'));
        await toolCall(fire, 'dash-first', 'echo from-the-hook', 'toolu_tmux_1');
        await until('the tool call', () => pane().includes('tool_usage Bash'));
        expect(
          pane()
            .split('\n')
            .every((line) => [...line].length <= 80),
        ).toBe(true);

        await fire('dash-second', 'SessionStart', { source: 'startup' });
        await until('the second session', () => pane().includes('session 1/2'));
        const header = () => pane().split('\n')[0] ?? '';
        const other = header().includes('dash-first') ? 'dash-second' : 'dash-first';
        keys('Tab');
        await until('the switch', () => header().includes(other));
        if (other !== 'dash-first') {
          keys('Tab');
          await until('back to the first', () => header().includes('dash-first'));
        }

        keys('p');
        await until('pause', () => pane().includes('PAUSED'));
        await toolCall(fire, 'dash-first', 'x', 'toolu_tmux_2', 'Grep');
        await new Promise((r) => setTimeout(r, 1500));
        expect(pane()).not.toContain('tool_usage Grep');
        keys('p');
        await until('resume', () => pane().includes('tool_usage Grep') && !pane().includes('PAUSED'));

        keys('a');
        await until('the filter', () => pane().includes('recent events of main'));
        keys('Down');
        await until('the selection', () => pane().includes('>') && />\S* main tool_usage Bash/.test(pane()));
        keys('Enter');
        await until(
          'the details',
          () => pane().includes('details (esc closes)') && pane().includes('"tool": "Bash"'),
        );
        keys('Escape');
        await until('the details closed', () => !pane().includes('details (esc closes)'));

        keys('q');
        await until('the exit', () => existsSync(rcFile) && readFileSync(rcFile, 'utf8').trim() !== '');
        expect(readFileSync(rcFile, 'utf8').trim()).toBe('0');
      } finally {
        spawnSync('tmux', ['kill-session', '-t', name]);
      }
    }, 60_000);
  },
);

describe('sat dashboard --once (the built bin)', () => {
  it('prints one plain 80-column frame with NO_COLOR, and reports a malformed payload without stopping', async () => {
    const { home, fire } = setupHome();
    await fire('dash-once', 'SessionStart', { source: 'startup' });
    await toolCall(fire, 'dash-once', 'echo once', 'toolu_once');
    writeFileSync(
      join(spoolDir(join(home, 'logs')), `${Date.now()}999999-4242.json`),
      '{"session_id": broken',
    );
    const { code, stdout } = await satProcess(['dashboard', '--once', '--width', '80'], {
      home,
      env: { NO_COLOR: '1' },
    });
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(24);
    expect(lines.every((line) => [...line].length <= 80)).toBe(true);
    expect(stdout).not.toContain('\u001b[');
    expect(stdout).toContain('echo once');
    expect(stdout).toMatch(/input problems 1: /);
  });

  it('refuses to run full-screen without a terminal and says to use --once', async () => {
    const { home } = setupHome();
    const { code, stderr } = await satProcess(['dashboard'], { home });
    expect(code).not.toBe(0);
    expect(stderr).toContain('--once');
  });
});
