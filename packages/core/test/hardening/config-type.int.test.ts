import { spawn } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureScript, loadConfig, spoolDir } from '../../src/index.js';
import { tempDir } from '../helpers.js';

function runHook(script: string, payload: string, env: Record<string, string>): Promise<number | null> {
  const child = spawn('sh', [script, 'Stop'], {
    stdio: ['pipe', 'ignore', 'ignore'],
    env: { ...process.env, ...env },
  });
  child.stdin.end(payload);
  return new Promise((resolve) => child.on('close', resolve));
}

describe('a config file with a wrong type', () => {
  it('never stops the hook from spooling, and the error names the key, the type expected and the value found', async () => {
    const root = tempDir();
    writeFileSync(join(root, 'sat.config.json'), JSON.stringify({ writer: { lockTimeoutMs: 'fast' } }));
    const logsDir = join(root, 'logs');
    const script = join(root, 'capture.sh');
    writeFileSync(script, captureScript({ spoolDir: spoolDir(logsDir) }));
    const code = await runHook(script, '{"session_id":"cfg-1","hook_event_name":"Stop"}', { SAT_HOME: root });
    expect(code).toBe(0);
    expect(readdirSync(spoolDir(logsDir)).filter((name) => name.endsWith('.json'))).toHaveLength(1);
    // `sat doctor` prints this message as its config finding.
    expect(() => loadConfig({ root, env: {} })).toThrow(
      /sat\.config\.json: writer\.lockTimeoutMs expected integer, got "fast"/,
    );
  });
});
