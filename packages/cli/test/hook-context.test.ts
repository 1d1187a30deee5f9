import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTEXT_LIMIT, sessionStartContext } from '../src/commands/hook.js';
import { tempDir } from './helpers.js';

describe('SessionStart continuity context', () => {
  it('gives the newest handoff after resume, compact or clear, and nothing at startup', () => {
    const dir = join(tempDir(), 'handoffs');
    mkdirSync(dir);
    writeFileSync(join(dir, 'latest-old.md'), '# Old handoff');
    utimesSync(join(dir, 'latest-old.md'), new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    writeFileSync(join(dir, 'latest-new.md'), '# New handoff\n\nGoal: ship it');
    for (const source of ['resume', 'compact', 'clear']) {
      const context = sessionStartContext({ source }, dir);
      expect(context).toContain('# New handoff');
      expect(context).not.toContain('Old handoff');
    }
    expect(sessionStartContext({ source: 'startup' }, dir)).toBeUndefined();
    expect(sessionStartContext({}, dir)).toBeUndefined();
    expect(sessionStartContext({ source: 'resume' }, join(dir, 'missing'))).toBeUndefined();
  });

  it('stays within Claude Code 10,000-character limit and says where the full text is', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'latest-big.md'), 'x'.repeat(50_000));
    const context = sessionStartContext({ source: 'resume' }, dir)!;
    expect(context.length).toBeLessThanOrEqual(CONTEXT_LIMIT);
    expect(context).toContain(`full text in ${join(dir, 'latest-big.md')}`);
  });
});
