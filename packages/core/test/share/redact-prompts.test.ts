import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  type AnySatEvent,
  importBundle,
  importTranscripts,
  listSessionIds,
  redactPrompts,
  type SatConfig,
  sessionOverview,
  shareSession,
} from '../../src/index.js';
import { REPO, tempDir } from '../helpers.js';
import { eventsOf, person } from './share-fixtures.js';

const SPOTTER = join(REPO, 'packages/cli/fixtures/claude-code/spotter');

/** Every piece of prompt or response text in an event (what --redact-prompts must drop). */
function texts(event: AnySatEvent): string[] {
  const d = event.data as Record<string, unknown>;
  const found: unknown[] = [];
  if (event.type === 'user_prompt') found.push(d.text);
  if (event.type === 'turn_end') found.push(d.last_message);
  if (event.type === 'agent_invocation')
    found.push((d.context as Record<string, unknown> | undefined)?.prompt);
  if (event.type === 'tool_usage') {
    const p = (d.parameters ?? {}) as Record<string, unknown>;
    found.push(p.prompt, p.content, p.new_string, d.error);
  }
  if (event.type === 'decision') found.push(d.question, d.rationale);
  if (event.type === 'error') found.push(d.message);
  return found.filter((t): t is string => typeof t === 'string' && t.trim().length >= 12);
}

describe('sat share --redact-prompts on real Claude Code sessions (spotter fixture)', () => {
  let ana: SatConfig;
  let sessions: string[];
  // A fresh root per test: temporary folders are removed after each one.
  beforeEach(async () => {
    ana = person('ana');
    await importTranscripts({ paths: [SPOTTER], logsDir: ana.paths.logs, stateDir: ana.paths.state });
    sessions = listSessionIds(ana.paths.logs);
  });

  it('leaves none of the prompt and response text in the bundle, and every figure as it was', async () => {
    let checked = 0;
    for (const session of sessions) {
      const events = await eventsOf(ana, session);
      const shared = await shareSession(ana, session, {
        out: join(tempDir(), `${session}.sat.tgz`),
        redactPrompts: true,
      });
      const bundle = gunzipSync(readFileSync(shared.file)).toString('utf8');
      expect(bundle).toContain(events[0]!.id);
      for (const text of events.flatMap(texts)) {
        checked++;
        expect(bundle).not.toContain(JSON.stringify(text).slice(1, -1).slice(0, 60));
      }
      const bob = person('bob');
      await importBundle(bob, shared.file);
      const [theirs, mine] = await Promise.all([
        sessionOverview(ana.paths.logs, session),
        sessionOverview(bob.paths.logs, session),
      ]);
      expect({ ...mine, firstPrompt: undefined, origin: undefined, firstErrors: [] }).toEqual({
        ...theirs,
        firstPrompt: undefined,
        firstErrors: [],
      });
      expect(mine.firstPrompt ?? '').toBe('');
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('treats a redacted copy as the same event as its original (no conflict when it comes back)', async () => {
    const session = sessions[0]!;
    const bob = person('bob');
    await importBundle(
      bob,
      (await shareSession(ana, session, { out: join(tempDir(), 'r.sat.tgz'), redactPrompts: true })).file,
    );
    const back = await importBundle(
      ana,
      (await shareSession(bob, session, { out: join(tempDir(), 'b.sat.tgz') })).file,
    );
    expect(back).toMatchObject({ appended: 0, conflicts: [] });
    expect(back.alreadyPresent).toBe((await eventsOf(ana, session)).length);
  });

  it('returns other events unchanged', () => {
    const event = {
      id: 'e1',
      session: 's',
      seq: 1,
      ts: '2026-01-01T00:00:00.000Z',
      type: 'api_response',
      agent: 'main',
      v: 2,
      data: { model: 'm', message_id: 'x', source: 'transcript', tokens: { input: 1, output: 1 } },
    } as unknown as AnySatEvent;
    expect(redactPrompts(event)).toBe(event);
  });
});
