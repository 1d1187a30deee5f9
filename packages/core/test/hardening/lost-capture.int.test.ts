import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureScript, listLostCaptures, spoolDir } from '../../src/index.js';
import { tempDir } from '../helpers.js';

function runHook(script: string, payload: string): Promise<number | null> {
  const child = spawn('sh', [script, 'PostToolUse'], { stdio: ['pipe', 'ignore', 'ignore'] });
  child.stdin.end(payload);
  return new Promise((resolve) => child.on('close', resolve));
}

describe('a capture that cannot be stored', () => {
  it('exits 0 and, when not even errors.log can be written, leaves a lost-<time> marker that the ingest reports', async (ctx) => {
    const root = tempDir();
    const logsDir = join(root, 'logs');
    const spool = spoolDir(logsDir);
    mkdirSync(spool, { recursive: true });
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4k', 'tmpfs', spool], { stdio: 'ignore' });
    } catch {
      ctx.skip('mounting a tmpfs is not permitted here (needs root)');
    }
    try {
      // A full disk (no block left for the payload), and no room for the note either.
      try {
        writeFileSync(join(spool, '.filler'), Buffer.alloc(64 * 1024));
      } catch {}
      mkdirSync(join(spool, 'errors.log'));
      const script = join(root, 'capture.sh');
      writeFileSync(script, captureScript({ spoolDir: spool }));

      const before = Math.floor(Date.now() / 1000);
      const payload = JSON.stringify({
        session_id: 's-lost',
        hook_event_name: 'PostToolUse',
        pad: 'x'.repeat(20_000),
      });
      expect(await runHook(script, payload)).toBe(0);
      expect(readdirSync(spool).filter((name) => name.endsWith('.json'))).toEqual([]);
      expect(readdirSync(spool).filter((name) => name.startsWith('lost-'))).toHaveLength(1);

      // The disk is still full (the ingest cannot even take its lock); doctor reads the markers.
      const lost = listLostCaptures(spool);
      expect(lost).toHaveLength(1);
      const at = Date.parse(lost[0]!.at) / 1000;
      expect(at).toBeGreaterThanOrEqual(before - 1);
      expect(at).toBeLessThanOrEqual(Date.now() / 1000 + 1);
    } finally {
      execFileSync('umount', [spool], { stdio: 'ignore' });
    }
  });
});
