import { mkdirSync, writeFileSync } from 'node:fs';
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

describe('loadConfig', () => {
  it('works with no config at all: <project>/.claude and the defaults', () => {
    const project = tempDir();
    mkdirSync(join(project, '.git'));
    mkdirSync(join(project, 'src', 'deep'), { recursive: true });
    const config = loadConfig({ cwd: join(project, 'src', 'deep'), env: {} });
    expect(config.projectDir).toBe(project);
    expect(config.root).toBe(join(project, '.claude'));
    expect(config.paths).toEqual({
      logs: join(project, '.claude', 'logs'),
      state: join(project, '.claude', 'state'),
      analytics: join(project, '.claude', 'analytics'),
      handoffs: join(project, '.claude', 'handoffs'),
      credentials: join(project, '.claude', 'credentials'),
    });
    expect(config.retention.keepSessions).toBe(2);
    expect(config.configFile).toBeUndefined();
  });

  it('uses CLAUDE_PROJECT_DIR and SAT_HOME', () => {
    const project = tempDir();
    expect(loadConfig({ cwd: '/', env: { CLAUDE_PROJECT_DIR: project } }).root).toBe(
      join(project, '.claude'),
    );
    const home = tempDir();
    expect(loadConfig({ env: { SAT_HOME: home } }).paths.logs).toBe(join(home, 'logs'));
  });

  it('applies defaults < file < environment < options', () => {
    const root = tempDir();
    writeFileSync(
      join(root, 'sat.config.json'),
      JSON.stringify({
        paths: { logs: 'my-logs', state: '/abs/state' },
        retention: { keepSessions: 5 },
        writer: { lockTimeoutMs: 500 },
      }),
    );
    const fromFile = loadConfig({ root, env: {} });
    expect(fromFile.paths.logs).toBe(join(root, 'my-logs'));
    expect(fromFile.paths.state).toBe('/abs/state');
    expect(fromFile.retention.keepSessions).toBe(5);
    expect(fromFile.writer.lockTimeoutMs).toBe(500);
    expect(fromFile.sources['retention.keepSessions']).toBe('file');

    const fromEnv = loadConfig({
      root,
      env: { SAT_KEEP_SESSIONS: '7', SAT_LOGS_DIR: 'env-logs', SAT_FSYNC: 'true' },
    });
    expect(fromEnv.retention.keepSessions).toBe(7);
    expect(fromEnv.paths.logs).toBe(join(root, 'env-logs'));
    expect(fromEnv.writer.fsync).toBe(true);
    expect(fromEnv.sources['retention.keepSessions']).toBe('env:SAT_KEEP_SESSIONS');

    const fromOptions = loadConfig({
      root,
      env: { SAT_KEEP_SESSIONS: '7' },
      overrides: { retention: { keepSessions: 1 } },
    });
    expect(fromOptions.retention.keepSessions).toBe(1);
    expect(fromOptions.paths.logs).toBe(join(root, 'my-logs'));
  });

  it('reads SAT_CONFIG from another place', () => {
    const root = tempDir();
    const file = join(tempDir(), 'team.json');
    writeFileSync(file, JSON.stringify({ retention: { keepSessions: 9 } }));
    expect(loadConfig({ root, env: { SAT_CONFIG: file } }).retention.keepSessions).toBe(9);
    expect(
      configError(() => loadConfig({ root, env: { SAT_CONFIG: join(root, 'missing.json') } })),
    ).toContain('does not exist');
  });

  it('names the file and the JSON error for a file that is not JSON', () => {
    const root = tempDir();
    writeFileSync(join(root, 'sat.config.json'), '{ "retention": ');
    const message = configError(() => loadConfig({ root, env: {} }));
    expect(message).toContain(join(root, 'sat.config.json'));
    expect(message).toContain('is not valid JSON');
  });

  it.each([
    [{ retention: { keepSessions: 'two' } }, 'retention.keepSessions expected integer, got "two"'],
    [
      { retention: { keepSessions: -1 } },
      'retention.keepSessions expected integer to be greater or equal to 0, got -1',
    ],
    [{ retention: { keep: 2 } }, 'retention.keep is not a known field'],
    [{ paths: { logs: '' } }, 'paths.logs expected string length greater or equal to 1'],
    [{ writer: { fsync: 'yes' } }, 'writer.fsync expected boolean'],
    [{ colour: 'blue' }, 'colour is not a known field'],
    [[1, 2], 'must be an object'],
    [{ backup: { target: 'ftp' } }, 'backup.target'],
    [{ archive: { s3: { bucket: 'My_Bucket' } } }, 'archive.s3.bucket'],
    [{ archive: { s3: { bucket: 'b-1', storageClass: 'STANDARD' } } }, 'archive.s3.storageClass'],
  ])('names the key, the value and what is allowed: %j', (content, expected) => {
    const root = tempDir();
    writeFileSync(join(root, 'sat.config.json'), JSON.stringify(content));
    const message = configError(() => loadConfig({ root, env: {} }));
    expect(message).toContain('sat.config.json');
    expect(message).toContain(expected);
  });

  it.each([
    ['SAT_KEEP_SESSIONS', 'two', 'expected a whole number'],
    ['SAT_FSYNC', 'maybe', 'expected true or false'],
    ['SAT_LOGS_DIR', ' ', 'expected a folder path'],
    ['SAT_LOCK_TIMEOUT_MS', '0', 'writer.lockTimeoutMs expected integer to be greater or equal to 1'],
  ])('names a bad environment variable: %s=%s', (name, value, expected) => {
    const message = configError(() => loadConfig({ root: tempDir(), env: { [name]: value } }));
    expect(message).toContain(expected);
    if (!expected.startsWith('writer')) expect(message).toContain(name);
  });

  it('fills the backup and archive settings: defaults, file, then SAT_* variables', () => {
    const root = tempDir();
    const defaults = loadConfig({ root, env: {} });
    expect(defaults.backup).toEqual({
      target: 'local',
      dir: join(root, 'backups'),
      auto: true,
      gdrive: { folder: 'SubAgentTracking' },
    });
    expect(defaults.archive).toEqual({ keepPhases: 2, s3: undefined });

    writeFileSync(
      join(root, 'sat.config.json'),
      JSON.stringify({
        backup: { target: 'gdrive', gdrive: { folder: 'Agents' } },
        archive: { keepPhases: 3, s3: { bucket: 'team-archive', storageClass: 'DEEP_ARCHIVE' } },
      }),
    );
    const fromFile = loadConfig({ root, env: {} });
    expect(fromFile.backup.target).toBe('gdrive');
    expect(fromFile.backup.gdrive.folder).toBe('Agents');
    expect(fromFile.archive).toEqual({
      keepPhases: 3,
      s3: {
        bucket: 'team-archive',
        prefix: '',
        region: undefined,
        endpoint: undefined,
        forcePathStyle: false,
        storageClass: 'DEEP_ARCHIVE',
        transitionDays: 0,
      },
    });

    const fromEnv = loadConfig({
      root,
      env: {
        SAT_BACKUP_TARGET: 's3',
        SAT_BACKUP_AUTO: 'false',
        SAT_S3_ENDPOINT: 'http://127.0.0.1:9000',
        SAT_S3_PREFIX: 'team/',
      },
    });
    expect(fromEnv.backup.target).toBe('s3');
    expect(fromEnv.backup.auto).toBe(false);
    expect(fromEnv.archive.s3).toMatchObject({
      bucket: 'team-archive',
      prefix: 'team/',
      endpoint: 'http://127.0.0.1:9000',
      forcePathStyle: true,
      storageClass: 'DEEP_ARCHIVE',
    });
    expect(fromEnv.sources['backup.target']).toBe('env:SAT_BACKUP_TARGET');
    expect(configError(() => loadConfig({ root, env: { SAT_BACKUP_TARGET: 'dropbox' } }))).toContain(
      'backup.target',
    );
  });

  it('refuses a data root that is a file', () => {
    const file = join(tempDir(), 'file');
    writeFileSync(file, '');
    expect(configError(() => loadConfig({ root: file, env: {} }))).toContain('is not a folder');
  });
});
