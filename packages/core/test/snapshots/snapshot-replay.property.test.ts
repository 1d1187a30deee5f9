import { appendFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AnySatEvent,
  createSnapshot,
  emptySessionState,
  loadSessionState,
  readEventsAfter,
  readSessionEvents,
  reduceSession,
  replaySession,
  type SessionState,
  sessionLogFiles,
} from '../../src/index.js';
import { reduceSessionInPlace } from '../../src/session-state/reduce-session.js';
import { appendDrafts, draftArbitrary, testConfig, toEvents } from './snapshot-helpers.js';

const S = 'prop-session';

describe('snapshot + replay of the rest == full replay', () => {
  it('in memory: a state stored as JSON at a random seq, then the rest replayed (500 random streams)', () => {
    fc.assert(
      fc.property(
        fc
          .array(draftArbitrary, { maxLength: 120 })
          .chain((drafts) => fc.tuple(fc.constant(drafts), fc.nat({ max: drafts.length }))),
        ([drafts, at]) => {
          const events = toEvents(S, drafts);
          const full = events.reduce(reduceSession, emptySessionState(S));
          const head = events.slice(0, at).reduce(reduceSession, emptySessionState(S));
          // What a snapshot stores and reads back.
          const restored = JSON.parse(JSON.stringify(head)) as SessionState;
          const resumed = events.slice(at).reduce(reduceSessionInPlace, restored);
          expect(resumed).toEqual(JSON.parse(JSON.stringify(full)));
          // Replaying an overlapping range changes nothing.
          expect(events.reduce(reduceSession, resumed)).toBe(resumed);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('on disk: createSnapshot at a random seq, more events, then loadSessionState == replay of the whole log (25 random sessions)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .array(draftArbitrary, { minLength: 1, maxLength: 60 })
          .chain((drafts) => fc.tuple(fc.constant(drafts), fc.integer({ min: 1, max: drafts.length }))),
        async ([drafts, at]) => {
          const config = testConfig();
          await appendDrafts(config, S, drafts.slice(0, at));
          const snap = await createSnapshot(config, S, { trigger: 'manual' });
          expect(snap.replayed).toBe(at);
          await appendDrafts(config, S, drafts.slice(at));
          const loaded = await loadSessionState(config, S);
          const full = await replaySession(config.paths.logs, S);
          expect(loaded.snapshot?.meta.id).toBe(snap.snapshot.id);
          // Only what came after the snapshot was read (its own snapshot event, unless the session ended, and the rest).
          const after = full.state.lastSeq - snap.snapshot.seq;
          expect(loaded.replayed).toBe(after);
          expect(loaded.state).toEqual(full.state);
          expect(loaded.offset).toBe(full.offset);
          // And both equal the pure fold of the events as the reader returns them.
          const events: AnySatEvent[] = [];
          for await (const e of readSessionEvents(config.paths.logs, S, { quarantine: false }))
            events.push(e);
          expect(JSON.parse(JSON.stringify(events.reduce(reduceSession, emptySessionState(S))))).toEqual(
            JSON.parse(JSON.stringify(full.state)),
          );
        },
      ),
      { numRuns: 25 },
    );
  });

  it('reads from the stored offset, and falls back to the start when the offset does not fit the log', async () => {
    const config = testConfig();
    const drafts = Array.from({ length: 30 }, (_, i) => ({
      type: 'decision' as const,
      data: { question: `q${i}`, selected: 'a' },
    }));
    await appendDrafts(config, S, drafts);
    const all: Array<{ seq: number; end: number }> = [];
    for await (const { event, end } of readEventsAfter(config.paths.logs, S))
      all.push({ seq: event.seq, end });
    expect(all.map((e) => e.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    const tenth = all[9]!;
    const seqs = async (offset: number) => {
      const out: number[] = [];
      for await (const { event } of readEventsAfter(config.paths.logs, S, { afterSeq: 10, offset }))
        out.push(event.seq);
      return out;
    };
    const rest = Array.from({ length: 20 }, (_, i) => i + 11);
    expect(await seqs(tenth.end)).toEqual(rest);
    expect(await seqs(tenth.end - 7)).toEqual(rest); // mid-line: read from the start
    expect(await seqs(all[4]!.end)).toEqual(rest); // too early: lines skipped by seq
    expect(await seqs(all[20]!.end)).toEqual(rest); // too late: the first event is not seq 11, read again
    expect(await seqs(10_000_000)).toEqual(rest); // past the end
    // A torn last line is left for later; the offsets stay those of whole lines.
    appendFileSync(sessionLogFiles(config.paths.logs, S).plain, '{"id":"torn","sess');
    expect(await seqs(tenth.end)).toEqual(rest);
  });
});
