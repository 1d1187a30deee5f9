/** `ingestLog`'s `onProgress` (core's generic store): one report per batch written, the last one complete. */
import { join } from 'node:path';
import type { IngestProgress } from '@sat/core';
import { expect, it } from 'vitest';
import { open, sessionEvents, tempDir, writeLog } from './helpers.js';

it('reports after every batch, from the checkpoints on', async () => {
  const dir = tempDir();
  const logsDir = join(dir, 'logs');
  await writeLog(logsDir, sessionEvents('a', 300, 5, 1));
  await writeLog(logsDir, sessionEvents('b', 200, 4, 2));
  const store = await open({ file: join(dir, 'sat.db'), logsDir, batchSize: 64 });
  const seen: IngestProgress[] = [];
  await store.ingestLog(undefined, { onProgress: (p) => seen.push(p) });
  expect(seen).toHaveLength(Math.ceil(500 / 64));
  expect(seen.map((p) => p.done)).toEqual([...seen.map((_, i) => Math.min(500, (i + 1) * 64))]);
  expect(seen.at(-1)).toEqual({ done: 500, expected: 500, applied: 500, duplicates: 0 });
  const again: IngestProgress[] = [];
  await store.ingestLog(undefined, { onProgress: (p) => again.push(p) });
  expect(again).toEqual([]);
  await store.close();
});
