import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AnySatEvent,
  EventWriter,
  importBundle,
  importTranscripts,
  loadConfig,
  readSessionEvents,
  type SatConfig,
  shareSession,
} from '@sat/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, sat } from './helpers.js';

const SPOTTER = join(REPO, 'packages/cli/fixtures/claude-code/spotter');
/** The fixture's largest session: a main agent with a sub-agent, its tools, errors, files and API responses. */
const SESSION = '491e126e-1e71-469c-ade2-fcc8af567c74';

const roots: string[] = [];
function root(user: string): SatConfig {
  const dir = mkdtempSync(join(tmpdir(), 'sat-merge-'));
  roots.push(dir);
  return loadConfig({ root: dir, cwd: dir, env: { SAT_USER: user, SAT_MACHINE: `${user}-laptop` } });
}
afterAll(() => {
  for (const dir of roots) rmSync(dir, { recursive: true, force: true });
});

/** A bundle of `events` (ids, times and content kept; seqs those of the part's own log). */
async function bundleOf(events: readonly AnySatEvent[]): Promise<string> {
  const sharer = root('ana');
  const writer = new EventWriter({ logsDir: sharer.paths.logs });
  for (const { type, session, data, agent, parent, ts, id, meta } of events)
    writer.append({
      type,
      session,
      data,
      agent,
      ts,
      id,
      ...(meta ? { meta } : {}),
      ...(parent ? { parent } : {}),
    });
  await writer.close();
  return (await shareSession(sharer, SESSION, { out: join(sharer.root, 'part.sat.tgz') })).file;
}

async function showJson(config: SatConfig): Promise<unknown> {
  const run = await sat(['show', SESSION, '--json'], {
    home: config.root,
    env: { SAT_USER: 'bob', SAT_MACHINE: 'bob-laptop' },
  });
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout);
}

describe('merging the parts of a shared session', () => {
  let events: AnySatEvent[];
  let whole: unknown;
  beforeAll(async () => {
    const ana = root('ana');
    await importTranscripts({ paths: [SPOTTER], logsDir: ana.paths.logs, stateDir: ana.paths.state });
    events = [];
    for await (const event of readSessionEvents(ana.paths.logs, SESSION)) events.push(event);
    const receiver = root('bob');
    await importBundle(receiver, await bundleOf(events));
    whole = await showJson(receiver);
  });

  // Nothing needs normalising: `sat show --json` carries no local seq and no bundle id, and the
  // owner is the sharer's (the same for every part). Only what is legitimately local differs
  // between the receivers' logs (each event's seq and meta.origin's bundle and seq), and the
  // view shows none of it.
  it('gives the same `sat show --json` whatever the overlapping split and the import order', async () => {
    const parts = 3;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uniqueArray(fc.integer({ min: 0, max: parts - 1 }), { minLength: 1, maxLength: parts }), {
          minLength: events.length,
          maxLength: events.length,
        }),
        fc.shuffledSubarray([0, 1, 2], { minLength: parts, maxLength: parts }),
        async (placement, order) => {
          const split = [0, 1, 2].map((part) => events.filter((_, i) => placement[i]!.includes(part)));
          const receiver = root('bob');
          for (const part of order)
            if (split[part]!.length > 0) await importBundle(receiver, await bundleOf(split[part]!));
          const merged: AnySatEvent[] = [];
          for await (const event of readSessionEvents(receiver.paths.logs, SESSION)) merged.push(event);
          expect(merged.map((e) => e.id).sort()).toEqual(events.map((e) => e.id).sort());
          expect(await showJson(receiver)).toEqual(whole);
        },
      ),
      { numRuns: 12 },
    );
  });
});
