import { describe, expect, it } from 'vitest';
import { applyFields, parseDriveQuery, parseFields } from '../src/testing/fake-drive-query.js';

const file = {
  name: "it's",
  mimeType: 'application/vnd.google-apps.folder',
  trashed: false,
  parents: ['p1'],
  appProperties: { satKeyHash: 'h' },
};

describe('the fake server parses Drive queries as Drive does', () => {
  it('evaluates name, parents, mimeType, trashed, appProperties has, and/or/not, parentheses', () => {
    expect(parseDriveQuery("name = 'it\\'s' and 'p1' in parents and trashed = false")(file)).toBe(true);
    expect(
      parseDriveQuery("appProperties has { key='satKeyHash' and value='h' } and trashed = false")(file),
    ).toBe(true);
    expect(parseDriveQuery("appProperties has { key='satKeyHash' and value='x' }")(file)).toBe(false);
    expect(
      parseDriveQuery("not (mimeType = 'application/vnd.google-apps.folder') or name != 'a'")(file),
    ).toBe(true);
    expect(parseDriveQuery("'p2' in parents")(file)).toBe(false);
  });

  it('refuses malformed queries', () => {
    for (const q of ["name = 'open", "name 'x'", 'trashed = maybe', "size = '1'", "name = 'a' and"])
      expect(() => parseDriveQuery(q)).toThrow();
  });

  it('applies partial-response field selections', () => {
    const body = { kind: 'k', nextPageToken: 't', files: [{ id: '1', name: 'a', size: '3' }] };
    expect(applyFields(body, parseFields('nextPageToken,files(id,name)'))).toEqual({
      nextPageToken: 't',
      files: [{ id: '1', name: 'a' }],
    });
  });
});
