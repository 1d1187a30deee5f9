import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { plantedHistory } from '../../src/fixtures/index.js';
import {
  AlertMemo,
  alertScansFile,
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

describe('AlertMemo saved to a file', () => {
  it('a new memo starts from the saved scans; a changed log, a corrupt file or another version is read again', async () => {
    const root = tempDir();
    const config = loadConfig({ root, cwd: root, env: {} });
    const writer = new EventWriter({ logsDir: config.paths.logs });
    const ts = '2026-03-01T10:00:00.000Z';
    const alert = (session: string, message: string) =>
      ({ type: 'alert', session, ts, data: { kind: 'context', level: 'warning', message } }) as NewEvent;
    writer.append(alert('s1', 'context 91% full'));
    writer.append(alert('s2', 'context 95% full'));
    await writer.close();
    const file = alertScansFile(config);
    const first = new AlertMemo(config.paths.logs, { file });
    const listed = await listAlerts(config, { memo: first, noAnomalies: true });
    expect(listed).toEqual(await listAlerts(config, { noAnomalies: true }));
    expect(first.save()).toBeUndefined();
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    saved.sessions.s1.value.alerts[0].message = 'from the file';
    writeFileSync(file, JSON.stringify(saved));
    const messages = async (memo: AlertMemo) =>
      (await listAlerts(config, { memo, noAnomalies: true })).alerts.map((a) => a.message).sort();
    expect(await messages(new AlertMemo(config.paths.logs, { file }))).toEqual([
      'context 95% full',
      'from the file',
    ]);
    const more = new EventWriter({ logsDir: config.paths.logs });
    more.append(alert('s1', 'context 99% full'));
    await more.close();
    expect(await messages(new AlertMemo(config.paths.logs, { file }))).toEqual([
      'context 91% full',
      'context 95% full',
      'context 99% full',
    ]);
    writeFileSync(file, '{"version":1,"key":"","sessions":{"s2":');
    expect(await messages(new AlertMemo(config.paths.logs, { file }))).toHaveLength(3);
    writeFileSync(file, JSON.stringify({ ...saved, version: 99 }));
    expect(await messages(new AlertMemo(config.paths.logs, { file }))).toHaveLength(3);
  });
});
