/**
 * The pure decisions of `sat migrate`: which MongoDB databases it copies into (and which it
 * resumes), how a difference is located in two answers, and how a query is named.
 */
import type { MongoDatabaseInspection } from '@sat/store-mongo';
import { describe, expect, it } from 'vitest';
import { envOverrides } from '../src/migrate/env-overrides.js';
import { jsonDifferences } from '../src/migrate/json-diff.js';
import { resumeOrRefuse } from '../src/migrate/to-mongo.js';
import { describeQuery, spread } from '../src/migrate/verify-stores.js';

const empty: MongoDatabaseInspection = {
  location: 'mongodb://ana@db.example/sat',
  collections: {},
  documents: 0,
  machines: [],
  foreign: [],
  marker: undefined,
};
const copying = {
  state: 'copying' as const,
  machine: 'here',
  user: 'ana',
  startedAt: '2026-12-01T10:00:00Z',
};

describe('resumeOrRefuse', () => {
  it.each([
    ['an empty database: a fresh copy', empty, false],
    ['empty but for foreign collections: a fresh copy', { ...empty, foreign: ['users'] }, false],
    [
      "this machine's interrupted copy: resumed",
      { ...empty, documents: 40, machines: ['here'], marker: copying },
      true,
    ],
    ['killed right after the marker: resumed', { ...empty, marker: copying }, true],
    [
      'projection versions only (an earlier open): a fresh copy',
      { ...empty, collections: { meta: 2 }, documents: 2 },
      false,
    ],
    [
      'a finished migration whose data was dropped: a fresh copy',
      { ...empty, marker: { ...copying, state: 'done' as const, finishedAt: 'T' } },
      false,
    ],
  ])('%s', (_name, inspection, resume) => {
    expect(resumeOrRefuse(inspection, 'here')).toBe(resume);
  });

  it.each([
    [
      'sat data without a marker',
      { ...empty, documents: 9, machines: ['laptop'] },
      /holds 9 sat document\(s\) of machine\(s\) laptop/,
    ],
    [
      'a finished migration',
      {
        ...empty,
        documents: 9,
        machines: ['here'],
        marker: { ...copying, state: 'done' as const, finishedAt: 'T' },
      },
      /from a migration finished T/,
    ],
    [
      "another machine's copy in progress",
      { ...empty, documents: 3, marker: { ...copying, machine: 'other' } },
      /machine 'other' is migrating/,
    ],
    [
      "this machine's marker but another machine's data",
      { ...empty, documents: 3, machines: ['here', 'other'], marker: copying },
      /of machine\(s\) here, other/,
    ],
  ])('refuses %s with a CONFLICT', (_name, inspection, message) => {
    expect(() => resumeOrRefuse(inspection, 'here')).toThrow(message);
    try {
      resumeOrRefuse(inspection, 'here');
    } catch (error) {
      expect((error as { code: string }).code).toBe('CONFLICT');
    }
  });
});

describe('jsonDifferences', () => {
  it.each([
    [{ a: 1 }, { a: 1 }, []],
    [{ a: 1, b: [1, 2] }, { a: 1, b: [1, 3] }, [{ field: 'b[1]', source: 2, target: 3 }]],
    [{ t: { total: 5 } }, { t: {} }, [{ field: 't.total', source: 5, target: undefined }]],
    [[1], [1, 2], [{ field: '[1]', source: undefined, target: 2 }]],
    [null, { a: 1 }, [{ field: '', source: null, target: { a: 1 } }]],
  ])('%j vs %j', (a, b, expected) => {
    expect(jsonDifferences(a, b)).toEqual(expected);
  });
});

it('names queries as sat stats command lines and spreads samples over the log', () => {
  expect(describeQuery('cost', {})).toBe('sat stats cost');
  expect(describeQuery('tools', { days: 'all', agent: 'reviewer' })).toBe(
    'sat stats tools --days all --agent reviewer',
  );
  expect(spread([1, 2, 3, 4, 5, 6], 3)).toEqual([1, 3, 5]);
  expect(spread([1, 2], 5)).toEqual([1, 2]);
});

describe('envOverrides', () => {
  const back = { to: 'sqlite' as const, dryRun: false, json: false };
  const there = {
    to: 'mongo' as const,
    url: 'mongodb://a:pw@h/',
    database: 'sat',
    dryRun: false,
    json: false,
  };
  it.each([
    ['nothing set', {}, back, []],
    ['SAT_STORE=mongo after --to sqlite', { SAT_STORE: 'mongo' }, back, ['SAT_STORE']],
    ['SAT_STORE=mongo after --to mongo', { SAT_STORE: 'mongo' }, there, []],
    ['the same SAT_MONGO_URL as --url', { SAT_MONGO_URL: 'mongodb://a:pw@h/' }, there, []],
    [
      'another SAT_MONGO_URL and database',
      { SAT_MONGO_URL: 'mongodb://b@h/', SAT_MONGO_DATABASE: 'x' },
      there,
      ['SAT_MONGO_URL', 'SAT_MONGO_DATABASE'],
    ],
  ])('%s', (_name, env, request, variables) => {
    const notes = envOverrides(env, request);
    expect(notes.map((n) => n.split(' ')[0])).toEqual(variables);
    for (const note of notes) expect(note).not.toContain('pw');
  });
});
