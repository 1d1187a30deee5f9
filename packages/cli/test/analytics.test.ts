import { describe, expect, it, vi } from 'vitest';
import { openStore, refreshAnalytics } from '../src/analytics.js';
import type { CliContext } from '../src/context.js';

vi.mock('@sat/store-sqlite', () => {
  throw new Error("Cannot find package '@sat/store-sqlite'");
});

function context(notes: string[], kind: 'sqlite' | 'mongo' = 'sqlite'): CliContext {
  return {
    config: () =>
      ({
        store: { kind, mongo: { database: 'sat', machine: 'm', user: 'u' } },
        privacy: { localOnly: false },
        sources: {},
      }) as unknown as ReturnType<CliContext['config']>,
    out: process.stdout,
    err: process.stderr,
    stdin: process.stdin,
    print() {},
    note: (line) => notes.push(line),
  };
}

describe('the analytics store, when its package is missing', () => {
  it('openStore names the package to add', async () => {
    await expect(openStore(context([]))).rejects.toThrow(/add the package @sat\/store-sqlite/);
  });

  it('store.kind mongo without @sat/store-mongo says npm i @sat/store-mongo', async () => {
    const missing = async () => {
      throw Object.assign(
        new Error("Cannot find package '@sat/store-mongo' imported from /x/cli/dist/bin.js"),
        {
          code: 'ERR_MODULE_NOT_FOUND',
        },
      );
    };
    await expect(openStore(context([], 'mongo'), { importMongo: missing })).rejects.toThrow(
      "the MongoDB analytics store (store.kind 'mongo') needs the package @sat/store-mongo, which is not installed: npm i @sat/store-mongo",
    );
  });

  it('refreshAnalytics only warns (the log keeps the events)', async () => {
    const notes: string[] = [];
    await refreshAnalytics(context(notes));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/warning: analytics not updated .*@sat\/store-sqlite.*sat rebuild/);
  });
});
