import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sat, tempDir } from './helpers.js';

describe('a full disk', () => {
  it('gives every command one clear line, never "unexpected error" with a stack', async (ctx) => {
    const home = tempDir();
    const big = randomBytes(300_000).toString('base64'); // does not compress
    const logged = await sat(['--home', home, 'log', 'decision', '--session', 'full-disk', '--new'], {
      input: JSON.stringify({ question: big, selected: 'yes' }),
    });
    expect(logged.code, logged.stderr).toBe(0);
    // The data root's disk is full where the bundle is staged.
    const mount = join(home, 'state', '.backup-work');
    mkdirSync(mount, { recursive: true });
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mount], { stdio: 'ignore' });
    } catch {
      ctx.skip('mounting a tmpfs is not permitted here (needs root)');
    }
    try {
      const run = await sat(['--home', home, 'backup', 'full-disk']);
      expect(run.code).toBe(1);
      expect(run.stderr).not.toContain('unexpected error');
      expect(run.stderr).not.toMatch(/\n\s+at /);
      expect(run.stderr.toLowerCase()).toContain('no space left on device');
    } finally {
      execFileSync('umount', [mount], { stdio: 'ignore' });
    }
  });
});
