import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { backupSession, findWorkLeftovers, LocalDirectoryTarget } from '../../src/index.js';
import { freshConfig, writeSession } from '../backup/backup-fixtures.js';

describe('a killed backup leaves nothing behind for long', () => {
  it('the next backup removes the work folders of dead runs, and only those', async () => {
    const config = freshConfig();
    await writeSession(config, 's1', { close: true });
    const work = join(config.paths.state, '.backup-work');
    const dead = join(work, '4194301-5a1e0000-0000-4000-8000-000000000000');
    const running = join(work, `${process.pid}-5a1e0000-0000-4000-8000-000000000001`);
    for (const dir of [dead, running]) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'sat.db'), Buffer.alloc(1024));
    }
    expect(findWorkLeftovers(config).map((l) => l.path)).toEqual([dead]);
    await backupSession(config, new LocalDirectoryTarget({ dir: config.backup.dir }), 's1');
    expect(existsSync(dead)).toBe(false);
    expect(readdirSync(work)).toEqual([running.split('/').pop()]);
  });
});
