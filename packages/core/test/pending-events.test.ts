import { describe, expect, it } from 'vitest';
import { PendingEvents } from '../src/log/pending-events.js';

const HEAD = Buffer.from('","session":"s1","seq":');

function render(pending: PendingEvents, firstSeq: number, initial = 16): string {
  let out = Buffer.alloc(initial);
  const end = pending.render(out, 0, HEAD, firstSeq, (size) => {
    const grown = Buffer.alloc(size);
    out.copy(grown);
    out = grown;
    return grown;
  });
  return out.subarray(0, end).toString('utf8');
}

describe('PendingEvents', () => {
  it('renders each pending event as one finished JSONL line, seqs counted across digit boundaries', () => {
    for (const first of [0, 1, 9, 99, 999_999, 2 ** 40 - 1]) {
      const pending = new PendingEvents();
      pending.push('"id-a', '"type":"decision","data":{"q":"é ☃ 𝄞"}}');
      pending.push(JSON.stringify('custom "quoted" id').slice(0, -1), '"type":"error","data":{}}');
      const lines = render(pending, first).split('\n');
      expect(lines.pop()).toBe('');
      expect(lines.map((line) => JSON.parse(line))).toEqual([
        { id: 'id-a', session: 's1', seq: first, type: 'decision', data: { q: 'é ☃ 𝄞' } },
        { id: 'custom "quoted" id', session: 's1', seq: first + 1, type: 'error', data: {} },
      ]);
    }
  });

  it('grows for a large event, counts what is pending, and starts over after clear()', () => {
    const pending = new PendingEvents();
    const big = 'x'.repeat(5 * 1024 * 1024);
    pending.push('"big', `"data":"${big}"}`);
    pending.push('"small', '"data":1}');
    expect(pending.count).toBe(2);
    expect(pending.lineBytes).toBeGreaterThan(big.length);
    const lines = render(pending, 1).trimEnd().split('\n');
    expect(JSON.parse(lines[0]!).data).toHaveLength(big.length);
    expect(JSON.parse(lines[1]!)).toEqual({ id: 'small', session: 's1', seq: 2, data: 1 });
    pending.clear();
    expect(pending.count).toBe(0);
    expect(pending.lineBytes).toBe(0);
    expect(render(pending, 1)).toBe('');
    pending.push('"again', '"data":2}');
    expect(JSON.parse(render(pending, 7))).toEqual({ id: 'again', session: 's1', seq: 7, data: 2 });
  });
});
