import { validate, version } from 'uuid';
import { describe, expect, it } from 'vitest';
import { isValidSessionId, newId } from '../src/index.js';

describe('newId', () => {
  it('makes valid, unique UUIDv7s that sort in creation order, even many per millisecond', () => {
    const ids = Array.from({ length: 50_000 }, () => newId());
    for (const id of ids.slice(0, 1000)) {
      expect(validate(id)).toBe(true);
      expect(version(id)).toBe(7);
      expect('89ab').toContain(id[19]!);
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it('carries the current time in its first 48 bits', () => {
    const before = Date.now();
    const id = newId();
    const ms = Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16);
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(Date.now() + 5);
  });
});

describe('session ids', () => {
  it('accepts Claude Code session ids and refuses paths', () => {
    expect(isValidSessionId('55604662-cf2a-4331-851a-ec234028f8ca')).toBe(true);
    for (const bad of ['', '../x', 'a/b', '.hidden', 'a..b', 'x'.repeat(129), 'a b'])
      expect(isValidSessionId(bad)).toBe(false);
  });
});
