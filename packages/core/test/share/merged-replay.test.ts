import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type AnySatEvent,
  importBundle,
  replaySession,
  type SessionState,
  shareSession,
} from '../../src/index.js';
import { tempDir } from '../helpers.js';
import { append, eventsOf, person, writeOpenSession } from './share-fixtures.js';

const S = 'replayed-1';

async function bundleOf(events: readonly AnySatEvent[]): Promise<string> {
  const sharer = person('ana');
  await append(
    sharer,
    events.map(({ type, session, data, agent, parent, ts, id, meta }) => ({
      type,
      session,
      data,
      agent,
      ts,
      id,
      ...(meta ? { meta } : {}),
      ...(parent ? { parent } : {}),
    })),
  );
  return (await shareSession(sharer, S, { out: join(tempDir(), `${events[0]!.id}.sat.tgz`) })).file;
}

/**
 * The state without what depends on the local log's seqs (positions, not content): every `seq`
 * field, and the error-spike window, which is a list of seqs.
 */
function content(state: SessionState): unknown {
  const copy = structuredClone(state) as Omit<SessionState, 'alerts'> & { alerts: { window?: unknown } };
  delete copy.alerts.window;
  return JSON.parse(
    JSON.stringify(copy, (key, value) => (/seq$|Seq$|Seqs$|^seqs$/.test(key) ? undefined : value)),
  );
}

describe('replaySession of a merged session', () => {
  it('folds events in time order, so the state does not depend on the order the parts came in', async () => {
    const ana = person('ana');
    await writeOpenSession(ana, S, 60);
    const events = await eventsOf(ana, S);
    const early = await bundleOf(events.slice(0, 35));
    const late = await bundleOf(events.slice(25));
    const inOrder = person('bob');
    await importBundle(inOrder, early);
    await importBundle(inOrder, late);
    const reversed = person('cy');
    await importBundle(reversed, late);
    await importBundle(reversed, early);

    const a = (await replaySession(inOrder.paths.logs, S)).state;
    const b = (await replaySession(reversed.paths.logs, S)).state;
    const whole = (await replaySession(ana.paths.logs, S)).state;
    expect(b.lastSeq).toBe(60);
    expect(content(b)).toEqual(content(a));
    expect(content(a)).toEqual(content(whole));
    // Resuming from the merged state reads nothing twice.
    const resumed = await replaySession(reversed.paths.logs, S, { from: { state: structuredClone(b) } });
    expect(resumed.replayed).toBe(0);
    expect(resumed.state.events).toBe(60);
  });
});
