import type { AnySatEvent, NewEvent } from '../../src/events/envelope.js';
import { type PlantedHistory, type PlantedHistoryOptions, plantedHistory } from '../../src/fixtures/index.js';
import { digestSession, type SessionDigest } from '../../src/insights/session-digest.js';

/** The events of a planted session as the log would hold them (seq, id, agent, v). */
export function asLogged(events: Iterable<NewEvent>): AnySatEvent[] {
  let seq = 0;
  return [...events].map(
    (event) =>
      ({
        ...event,
        id: `${event.session}-${++seq}`,
        seq,
        agent: event.agent ?? 'main',
        v: 1,
        ts: typeof event.ts === 'string' ? event.ts : (event.ts ?? new Date(0)).toISOString(),
      }) as AnySatEvent,
  );
}

/** A planted history and the digests of its sessions, oldest first. */
export async function plantedDigests(
  options: PlantedHistoryOptions,
): Promise<{ history: PlantedHistory; digests: SessionDigest[] }> {
  const history = plantedHistory(options);
  const digests: SessionDigest[] = [];
  for (const { session } of history.sessions) {
    const digest = await digestSession(asLogged(history.events(session)));
    if (digest) digests.push(digest);
  }
  return { history, digests };
}
