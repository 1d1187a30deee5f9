import { writeFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/index.js';
import { tempDir } from './helpers.js';

function configError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect((error as { code?: string }).code).toBe('INVALID_CONFIG');
    return (error as Error).message;
  }
  throw new Error('expected INVALID_CONFIG');
}

describe('loadConfig: store', () => {
  it('defaults to SQLite, with MongoDB settings defaulting to the host and OS user', () => {
    const config = loadConfig({ root: tempDir(), env: {} });
    expect(config.store).toEqual({
      kind: 'sqlite',
      mongo: { database: 'sat', machine: hostname(), user: userInfo().username },
    });
  });

  it('reads store.* from the file and SAT_STORE / SAT_MONGO_URL / SAT_MONGO_DATABASE / SAT_MACHINE from the environment', () => {
    const root = tempDir();
    writeFileSync(
      join(root, 'sat.config.json'),
      JSON.stringify({ store: { kind: 'mongo', mongo: { database: 'team', user: 'ana', ttlDays: 90 } } }),
    );
    const fromFile = loadConfig({ root, env: {} });
    expect(fromFile.store).toEqual({
      kind: 'mongo',
      mongo: { database: 'team', machine: hostname(), user: 'ana', ttlDays: 90 },
    });
    const url = 'mongodb+srv://ana:pw@c0.example.net/';
    const fromEnv = loadConfig({
      root,
      env: { SAT_STORE: 'sqlite', SAT_MONGO_URL: url, SAT_MONGO_DATABASE: 'other', SAT_MACHINE: 'ci-7' },
    });
    expect(fromEnv.store).toEqual({
      kind: 'sqlite',
      mongo: { url, database: 'other', machine: 'ci-7', user: 'ana', ttlDays: 90 },
    });
    expect(fromEnv.sources['store.mongo.url']).toBe('env:SAT_MONGO_URL');
  });

  it('refuses a bad kind, URL, database name or TTL, naming the key', () => {
    const root = tempDir();
    for (const [store, key] of [
      [{ kind: 'postgres' }, 'store.kind'],
      [{ mongo: { url: 'http://localhost:27017' } }, 'store.mongo.url'],
      [{ mongo: { database: 'a.b' } }, 'store.mongo.database'],
      [{ mongo: { ttlDays: 0 } }, 'store.mongo.ttlDays'],
      [{ mongo: { port: 1 } }, 'store.mongo'],
    ] as const) {
      writeFileSync(join(root, 'sat.config.json'), JSON.stringify({ store }));
      expect(configError(() => loadConfig({ root, env: {} }))).toContain(key);
    }
    expect(configError(() => loadConfig({ root: tempDir(), env: { SAT_STORE: 'mysql' } }))).toContain(
      'store.kind',
    );
  });
});

describe('loadConfig: identity', () => {
  it('defaults to the OS user and host name, takes identity.* from the file and SAT_USER / SAT_MACHINE from the environment', () => {
    const root = tempDir();
    expect(loadConfig({ root, env: {} }).identity).toEqual({
      user: userInfo().username,
      machine: hostname(),
    });
    writeFileSync(
      join(root, 'sat.config.json'),
      JSON.stringify({ identity: { user: 'ana', machine: 'ana-mac' } }),
    );
    const fromFile = loadConfig({ root, env: {} });
    expect(fromFile.identity).toEqual({ user: 'ana', machine: 'ana-mac' });
    expect(fromFile.store.mongo).toMatchObject({ user: 'ana', machine: 'ana-mac' });
    const fromEnv = loadConfig({ root, env: { SAT_USER: 'bo', SAT_MACHINE: 'ci-7' } });
    expect(fromEnv.identity).toEqual({ user: 'bo', machine: 'ci-7' });
    expect(fromEnv.sources['identity.machine']).toBe('env:SAT_MACHINE');
  });

  it('refuses an empty user, naming the key', () => {
    const root = tempDir();
    writeFileSync(join(root, 'sat.config.json'), JSON.stringify({ identity: { user: '' } }));
    expect(configError(() => loadConfig({ root, env: {} }))).toContain('identity.user');
  });
});
