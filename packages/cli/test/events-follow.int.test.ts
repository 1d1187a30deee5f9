import { describe, expect, it } from 'vitest';
import { sat, satProcess, tempDir } from './helpers.js';

describe('sat events --follow (the built sat in its own process)', () => {
  it('--follow prints new events of a live session and stops at its end', async () => {
    const home = tempDir();
    await sat(['log', 'session_start', '--source', 'startup'], { home });
    let printed = '';
    let following: () => void = () => {};
    const started = new Promise<void>((resolve) => (following = resolve));
    const follower = satProcess(['events', 'active', '--follow'], {
      home,
      onStdout(text) {
        printed += text;
        if (printed.includes('session_start')) following();
      },
    });
    // It has read the session so far (and so found it) before anything more is logged.
    await Promise.race([started, follower]);
    await sat(['log', 'decision', '--question', 'live?', '--selected', 'yes'], { home });
    await sat(['log', 'session_end'], { home });
    const { code, stdout } = await follower;
    expect(code).toBe(0);
    expect(stdout).toContain('session_start');
    expect(stdout).toContain('live? -> yes');
    expect(stdout).toContain('session_end');
  });
});
