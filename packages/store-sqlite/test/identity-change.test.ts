/** A store opened with another `identity` than it was built with is rebuilt (core's generic store). */
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { open, sessionEvents, tempDir, writeLog } from './helpers.js';

it('rebuilds when the identity changes, so its answers stay those of a rebuild from the log', async () => {
  const dir = tempDir();
  const logsDir = join(dir, 'logs');
  const file = join(dir, 'sat.db');
  await writeLog(logsDir, sessionEvents('a', 40, 3, 1));
  const first = await open({ file, logsDir, identity: { user: 'ana', machine: 'old-name' } });
  await first.ingestLog();
  const owners = async (store: typeof first) => [
    ...new Set((await store.team({ days: 'all' })).rows.map((r) => `${r.user}@${r.machine}`)),
  ];
  expect(await owners(first)).toEqual(['ana@old-name']);
  await first.close();

  const renamed = await open({ file, logsDir, identity: { user: 'ana', machine: 'new-name' } });
  expect(await owners(renamed)).toEqual(['ana@new-name']);
  expect((await renamed.status()).lastRebuild?.reason).toBe('identity changed: ana@old-name -> ana@new-name');
  await renamed.close();

  // Opened again with the same identity: nothing is rebuilt.
  const again = await open({ file, logsDir, identity: { user: 'ana', machine: 'new-name' } });
  const before = (await again.status()).lastRebuild?.at;
  await again.close();
  const third = await open({ file, logsDir, identity: { user: 'ana', machine: 'new-name' } });
  expect((await third.status()).lastRebuild?.at).toBe(before);
  expect(await owners(third)).toEqual(['ana@new-name']);
  await third.close();
});
