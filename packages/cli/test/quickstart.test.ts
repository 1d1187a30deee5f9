import { describe, expect, it } from 'vitest';
import { sat, tempDir } from './helpers.js';

describe('sat quickstart', () => {
  it('on a machine without transcripts imports the bundled sessions, shows cost and how to resume', async () => {
    const home = tempDir();
    const result = await sat(['quickstart'], {
      home,
      env: { HOME: tempDir(), CLAUDE_CONFIG_DIR: tempDir() },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('importing the bundled sample sessions');
    expect(result.stdout).toMatch(/94 events appended to 4 sessions/);
    // The busiest sample session, its cost, the sub-agent, and the way back in.
    expect(result.stdout).toContain(
      'what happened in the busiest session, 491e126e-1e71-469c-ade2-fcc8af567c74',
    );
    expect(result.stdout).toMatch(/cost\s+\$0\.5400/);
    expect(result.stdout).toMatch(/Plan\s+1\s+1 completed/);
    expect(result.stdout).toContain('resume with: claude --resume 491e126e-1e71-469c-ade2-fcc8af567c74');
    // Running it again imports nothing twice.
    const again = await sat(['quickstart'], { home, env: { HOME: tempDir(), CLAUDE_CONFIG_DIR: tempDir() } });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/cost\s+\$0\.5400/);
  });
});
