import { describe, expect, it } from 'vitest';
import { plantedHistory } from '../../src/fixtures/index.js';
import {
  AlertMemo,
  closeSessionLog,
  digestCacheDir,
  EventWriter,
  listAlerts,
  loadConfig,
  type NewEvent,
} from '../../src/index.js';
import { tempDir } from '../helpers.js';

describe('listAlerts with an AlertMemo', () => {
  it('equals the listing without one after an alert, a new session and a close, for every window', async () => {
    const root = tempDir();
    const config = loadConfig({ root, cwd: root, env: {} });
    const history = plantedHistory({ seed: 5, sessions: 24, eventsPerSession: 120 });
    const writer = new EventWriter({ logsDir: config.paths.logs });
    for (const { session } of history.sessions)
      for (const event of history.events(session)) writer.append(event);
    await writer.close();
    const memo = new AlertMemo(config.paths.logs, { digestCacheDir: digestCacheDir(config), settleMs: 0 });
    const now = new Date(history.sessions.at(-1)!.start + 86_400_000);
    const windows = [{}, { days: 3 }, { session: history.sessions[4]!.session }];
    const agree = async () => {
      await new Promise((r) => setTimeout(r, 25));
      for (const window of windows)
        expect(await listAlerts(config, { ...window, now, memo })).toEqual(
          await listAlerts(config, { ...window, now }),
        );
    };
    await agree();
    expect((await listAlerts(config, { now, memo })).anomalies.length).toBeGreaterThan(0);
    const target = history.sessions[4]!.session;
    const append = async (event: NewEvent) => {
      const more = new EventWriter({ logsDir: config.paths.logs });
      more.append(event);
      await more.close();
    };
    await append({
      type: 'alert',
      session: target,
      ts: new Date(now.getTime() - 3_600_000).toISOString(),
      data: { kind: 'context', level: 'warning', message: 'context 91% full' },
    } as NewEvent);
    await agree();
    expect((await listAlerts(config, { now, memo })).alerts.map((a) => a.session)).toContain(target);
    await append({ type: 'session_start', session: 'fresh-session', ts: now.toISOString(), data: {} });
    await agree();
    await closeSessionLog(config.paths.logs, target);
    await agree();
  });
});
