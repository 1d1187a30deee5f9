import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureScript, ingestHookSpool, spoolDir } from '../../src/index.js';
import { tempDir } from '../helpers.js';

function runHook(script: string, payload: string): Promise<number | null> {
  const child = spawn('sh', [script, 'PostToolUse'], { stdio: ['pipe', 'ignore', 'ignore'] });
  child.stdin.end(payload);
  return new Promise((resolve) => child.on('close', resolve));
}

describe('a capture that cannot be stored', () => {
  it('exits 0 and, when not even errors.log can be written, leaves a lost-<time> marker that the ingest reports', async () => {
    const root = tempDir();
    const logsDir = join(root, 'logs');
    const spool = spoolDir(logsDir);
    mkdirSync(spool, { recursive: true });
    // No room for the payload (its .tmp folder cannot be made) and none for the note either.
    writeFileSync(join(spool, '.tmp'), 'not a folder');
    mkdirSync(join(spool, 'errors.log'));
    const script = join(root, 'capture.sh');
    writeFileSync(script, captureScript({ spoolDir: spool }));

    const before = Math.floor(Date.now() / 1000);
    expect(
      await runHook(script, JSON.stringify({ session_id: 's-lost', hook_event_name: 'PostToolUse' })),
    ).toBe(0);
    const markers = readdirSync(spool).filter((name) => name.startsWith('lost-'));
    expect(markers).toHaveLength(1);

    const result = await ingestHookSpool({ logsDir });
    expect(result.lostCaptures).toHaveLength(1);
    const at = Date.parse(result.lostCaptures[0]!.at) / 1000;
    expect(at).toBeGreaterThanOrEqual(before - 1);
    expect(at).toBeLessThanOrEqual(Date.now() / 1000 + 1);
  });
});
