import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  eventOrigin,
  eventOwner,
  isPurged,
  listTombstones,
  readTombstone,
  removeTombstone,
  tombstonesDir,
  writeTombstone,
} from '../src/index.js';
import { tempDir } from './helpers.js';

const local = { user: 'me', machine: 'here' };

describe('eventOrigin / eventOwner', () => {
  it("gives an imported event's origin and owner, and the local identity for one recorded here", () => {
    const origin = { user: 'ana', machine: 'ana-mac', bundle: 'sha256:ab', seq: 7 };
    expect(eventOrigin({ meta: { origin } })).toEqual(origin);
    expect(eventOwner({ meta: { origin } }, local)).toEqual({ user: 'ana', machine: 'ana-mac' });
    expect(eventOwner({}, local)).toEqual(local);
  });

  it('ignores a malformed origin rather than trusting it', () => {
    for (const origin of [
      'ana',
      { user: 'ana', machine: 'm', bundle: 'b' },
      { user: '', machine: 'm', bundle: 'b', seq: 1 },
      { user: 'ana', machine: 'm', bundle: 'b', seq: 0 },
      { user: 'x'.repeat(201), machine: 'm', bundle: 'b', seq: 1 },
    ]) {
      expect(eventOrigin({ meta: { origin } })).toBeUndefined();
      expect(eventOwner({ meta: { origin } }, local)).toEqual(local);
    }
  });
});

describe('tombstones', () => {
  it('record a purge once, list them, and can be removed', () => {
    const logs = tempDir();
    expect(isPurged(logs, 'gone-1')).toBe(false);
    const first = writeTombstone(logs, 'gone-1', new Date('2026-12-01T00:00:00Z'));
    expect(writeTombstone(logs, 'gone-1', new Date('2026-12-05T00:00:00Z'))).toEqual(first);
    writeTombstone(logs, 'gone-0', new Date('2026-12-02T00:00:00Z'));
    expect(listTombstones(logs).map((t) => t.session)).toEqual(['gone-1', 'gone-0']);
    expect(readTombstone(logs, 'gone-1')).toEqual({
      session: 'gone-1',
      purgedAt: '2026-12-01T00:00:00.000Z',
    });
    removeTombstone(logs, 'gone-1');
    expect(isPurged(logs, 'gone-1')).toBe(false);
    expect(isPurged(logs, 'gone-0')).toBe(true);
  });

  it('refuse a name that is not a session id, and still count a damaged tombstone as a purge', () => {
    const logs = tempDir();
    expect(() => writeTombstone(logs, '../x')).toThrow(/not a session id/);
    expect(isPurged(logs, '../x')).toBe(false);
    writeTombstone(logs, 'gone-2');
    writeFileSync(join(tombstonesDir(logs), 'gone-2'), '{broken');
    expect(readTombstone(logs, 'gone-2')).toEqual({ session: 'gone-2', purgedAt: '' });
    expect(existsSync(join(logs, 'gone-2.jsonl'))).toBe(false);
  });
});
