import type { AnySatEvent } from '@sat/core';
import { render } from 'ink-testing-library';
import { createElement } from 'react';
import { describe, expect, it } from 'vitest';
import { DashboardApp } from '../../src/dashboard/app.js';
import { applyLiveBatch, emptyLiveModel } from '../../src/dashboard/live-model.js';
import { dashboardView } from '../../src/dashboard/view-model.js';

const T0 = Date.now();
const ev = (seq: number, type: string, data: Record<string, unknown>, agent = 'main') =>
  ({
    v: 1,
    id: `e${seq}`,
    session: 'sess-ink',
    seq,
    ts: new Date(T0 + seq).toISOString(),
    type,
    agent,
    data,
  }) as AnySatEvent;

/** Waits until the latest frame holds `text` (Ink renders after the input is read). */
async function frameWith(app: { lastFrame: () => string | undefined }, text: string): Promise<string> {
  const deadline = Date.now() + 5000;
  while (!(app.lastFrame() ?? '').includes(text) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 10));
  return app.lastFrame() ?? '';
}

describe('DashboardApp', () => {
  it('shows the session, reacts to pause, filter, details and quits on q', async () => {
    const model = applyLiveBatch(
      emptyLiveModel(),
      {
        events: [
          ev(1, 'session_start', { source: 'startup' }),
          ev(2, 'tool_usage', { tool: 'Bash', success: true, duration_ms: 250 }),
          ev(3, 'tool_usage', { tool: 'Grep', success: true, duration_ms: 9 }, 'explorer'),
        ],
        issues: [],
        inFlight: [],
        closed: [],
        ingestBusy: false,
      },
      T0,
    );
    const app = render(
      createElement(DashboardApp, {
        view: (ui) => dashboardView(model, { ui, now: Date.now() }),
        color: false,
        size: { width: 80, height: 24 },
      }),
    );
    expect(app.lastFrame()).toContain('sess-ink');
    expect(app.lastFrame()).toContain('Bash 250 ms');
    app.stdin.write('p');
    expect(await frameWith(app, 'PAUSED')).toContain('PAUSED');
    app.stdin.write('a');
    expect(await frameWith(app, 'recent events of main')).toContain('recent events of main (2)');
    app.stdin.write('a');
    expect(await frameWith(app, 'recent events of explorer')).toContain('recent events of explorer (1)');
    app.stdin.write('\r');
    const details = await frameWith(app, 'details (esc closes)');
    expect(details).toContain('details (esc closes)');
    expect(details).toContain('"tool": "Grep"');
    app.stdin.write('q');
    app.unmount();
  });
});
