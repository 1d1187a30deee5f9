import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CliContext } from '../src/context.js';
import { copyBar } from '../src/migrate/copy-progress.js';
import { stderrBars } from '../src/progress-bar.js';

/** A context whose stderr is (or is not) a terminal, keeping what is drawn on it. */
function terminal(isTTY: boolean): { ctx: CliContext; drawn: () => string } {
  let text = '';
  const err = Object.assign(
    new Writable({
      write(chunk, _encoding, done) {
        text += String(chunk);
        done();
      },
    }),
    { isTTY, columns: 100, cursorTo: () => true, clearLine: () => true, moveCursor: () => true },
  );
  const ctx = { err, out: err, print() {}, note() {} } as unknown as CliContext;
  return { ctx, drawn: () => text };
}

describe('the CLI progress bars on stderr', () => {
  it('draw on a terminal, with the format and its fields', async () => {
    const { ctx, drawn } = terminal(true);
    const bar = (await stderrBars(ctx))!({ format: 'working [{bar}] {percentage}% | {what}' });
    bar.update(1, 4, { what: 'first' });
    bar.update(2, 4, { what: 'second' });
    bar.stop();
    expect(drawn()).toContain('working [');
    expect(drawn()).toMatch(/25% \| first/);

    const copy = terminal(true);
    const copying = await copyBar(copy.ctx, false);
    copying.update({ done: 52_000, expected: 100_000, applied: 52_000, duplicates: 0 });
    copying.stop();
    expect(copy.drawn()).toContain('52% | 52,000 of 100,000 events');
  });

  it('draw nothing when stderr is not a terminal, or for --json', async () => {
    const piped = terminal(false);
    expect(await stderrBars(piped.ctx)).toBeUndefined();
    const bar = await copyBar(piped.ctx, false);
    bar.update({ done: 1, expected: 2, applied: 1, duplicates: 0 });
    bar.stop();
    const json = terminal(true);
    (await copyBar(json.ctx, true)).update({ done: 1, expected: 2, applied: 1, duplicates: 0 });
    expect(piped.drawn() + json.drawn()).toBe('');
  });
});
