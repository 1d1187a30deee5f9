import { isSatError } from '@sat/core';
import { describe, expect, it } from 'vitest';
import { decodeAppProperties, encodeAppProperties, keyHash, queryString } from '../src/app-properties.js';

describe('appProperties encoding', () => {
  it('round-trips keys of any length and script, every property within 124 bytes', () => {
    for (const key of [
      'a',
      'SubAgentTracking/Phase_0/sessions/s1/bundle.tar.gz',
      `${'日本語/'.repeat(60)}x`,
      'é'.repeat(500),
    ]) {
      const props = encodeAppProperties({ root: '', key, sha256: 'ab', metadata: { session: 's1' } });
      for (const [name, value] of Object.entries(props))
        expect(Buffer.byteLength(name) + Buffer.byteLength(value ?? '')).toBeLessThanOrEqual(124);
      const decoded = decodeAppProperties(props as Record<string, string>);
      expect(decoded).toEqual({ key, sha256: 'ab', metadata: { session: 's1' } });
    }
  });

  it('removes properties of the previous version that the new one lacks', () => {
    const old = encodeAppProperties({ root: '', key: 'k', metadata: { a: '1', b: '2' }, sha256: 'x' });
    const next = encodeAppProperties({
      root: '',
      key: 'k',
      metadata: { a: '3' },
      previous: old as Record<string, string>,
    });
    expect(next).toMatchObject({ m_a: '3', m_b: null, satSha256: null });
  });

  it('the key hash depends on the root folder', () => {
    expect(keyHash('', 'a')).not.toBe(keyHash('Backups', 'a'));
  });

  it('refuses metadata Drive cannot hold', () => {
    const error = (() => {
      try {
        encodeAppProperties({ root: '', key: 'k', metadata: { big: 'x'.repeat(200) } });
      } catch (e) {
        return e;
      }
    })();
    expect(isSatError(error, 'TARGET_ERROR')).toBe(true);
    expect((error as Error).message).not.toContain('x'.repeat(50));
  });

  it('quotes query strings', () => {
    expect(queryString("it's a \\ path")).toBe("'it\\'s a \\\\ path'");
  });
});
