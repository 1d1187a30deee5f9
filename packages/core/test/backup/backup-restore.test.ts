import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { pack as tarPack } from 'tar-stream';
import { describe, expect, it } from 'vitest';
import {
  applyRetention,
  backupSession,
  backupSessions,
  closeSessionLog,
  EventWriter,
  isSatError,
  LocalDirectoryTarget,
  listBackups,
  planRetention,
  readBackupMarker,
  restoreSession,
  type SatConfig,
  sessionInfo,
  sessionLogFiles,
} from '../../src/index.js';
import { readAll, tempDir } from '../helpers.js';
import { FlakyTarget, freshConfig, hashTree, writeExtras, writeSession } from './backup-fixtures.js';

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

/** Every file of the session's data that a backup holds (logs, state, handoffs), with its SHA-256. */
function dataFiles(config: SatConfig): Record<string, string> {
  return {
    ...prefixed('logs', hashTree(config.paths.logs, ['.locks', 'quarantine'])),
    ...prefixed('state', hashTree(config.paths.state, ['.locks', '.backup-work', '.restore-work'])),
    ...prefixed('handoffs', hashTree(config.paths.handoffs)),
  };
}

function prefixed(prefix: string, tree: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(tree).map(([k, v]) => [`${prefix}/${k}`, v]));
}

/** Builds a gzip tar with the given entries (for crafted, hostile bundles). */
async function craftBundle(
  file: string,
  entries: Array<{ name: string; data?: Buffer; type?: 'file' | 'symlink'; linkname?: string }>,
): Promise<void> {
  const pack = tarPack();
  const { createWriteStream } = await import('node:fs');
  const done = pipeline(pack as unknown as Readable, createGzip(), createWriteStream(file));
  for (const entry of entries) {
    if (entry.type === 'symlink') pack.entry({ name: entry.name, type: 'symlink', linkname: entry.linkname });
    else pack.entry({ name: entry.name, size: entry.data!.length }, entry.data!);
  }
  pack.finalize();
  await done;
}

describe('backupSession and restoreSession', () => {
  it('backs up a closed session with its extras and restores every file byte-identical', async () => {
    const config = freshConfig();
    await writeSession(config, 's1', { close: true, events: 500 });
    writeExtras(config, 's1');
    const target = new LocalDirectoryTarget({ dir: config.backup.dir });

    const result = await backupSession(config, target, 's1');
    const before = dataFiles(config);
    expect(result.status).toBe('uploaded');
    expect(result.bundleKey).toBe('SubAgentTracking/Phase_0/sessions/s1/bundle.tar.gz');
    expect(result.manifestKey).toBe('SubAgentTracking/Phase_0/sessions/s1/manifest.json');
    expect(result.files.map((f) => f.path).sort()).toEqual(
      [
        'handoffs/latest-s1.md',
        'handoffs/s1-2026-01-01T00-00-00Z.md',
        'logs/raw/s1.jsonl',
        'logs/s1.jsonl.gz',
        'logs/s1.meta.json',
        'snapshots/index.jsonl',
        'snapshots/nested/snap-1.json.gz',
      ].sort(),
    );
    // The manifest beside the bundle lists each file with the SHA-256 of its bytes.
    const manifest = JSON.parse(readFileSync(target.pathOf(result.manifestKey), 'utf8'));
    expect(manifest.bundle.sha256).toBe(result.sha256);
    const log = manifest.files.find((f: { path: string }) => f.path === 'logs/s1.jsonl.gz');
    expect(log.sha256).toBe(before['logs/s1.jsonl.gz']);
    // The marker lets retention remove the local copy.
    const marker = readBackupMarker(sessionLogFiles(config.paths.logs, 's1'))!;
    expect(marker).toMatchObject({ target: 'local', checksum: result.sha256, bytes: result.bytes });
    expect(marker.location).toBe(join(config.backup.dir, result.bundleKey));
    expect(typeof marker.at).toBe('string');

    // Lose everything of the session locally, then restore it.
    const files = sessionLogFiles(config.paths.logs, 's1');
    for (const file of [files.compressed, files.meta, join(config.paths.logs, 'raw', 's1.jsonl')])
      rmSync(file);
    rmSync(join(config.paths.state, 'snapshots'), { recursive: true });
    rmSync(join(config.paths.handoffs, 'latest-s1.md'));
    rmSync(join(config.paths.handoffs, 's1-2026-01-01T00-00-00Z.md'));

    let told: unknown;
    const restored = await restoreSession(config, target, 's1', {
      onRestored: (r) => {
        told = r;
      },
    });
    expect(told).toBe(restored);
    expect(restored.files.every((f) => f.action === 'restored')).toBe(true);
    expect(dataFiles(config)).toEqual(before);
    const { events, issues } = await readAll(config.paths.logs, 's1');
    expect(issues).toEqual([]);
    expect(events).toHaveLength(500);
    // Nothing is left in the staging folders.
    expect(readdirSync(join(config.paths.state, '.restore-work'))).toEqual([]);
  });

  it('closes an ended session first, and files it under the phase of its phase events', async () => {
    const config = freshConfig();
    await writeSession(config, 'ended', { end: true, phase: 3 });
    const target = new LocalDirectoryTarget({ dir: config.backup.dir });
    const result = await backupSession(config, target, 'ended');
    expect(result.closedNow).toBe(true);
    expect(result.logClosed).toBe(true);
    expect(result.phase).toBe('3');
    expect(result.bundleKey).toBe('SubAgentTracking/Phase_3/sessions/ended/bundle.tar.gz');
    expect(sessionInfo(config.paths.logs, 'ended')?.status).toBe('closed');
    expect(result.eventAppended).toBe(false);
  });

  it('backs up an open session as a consistent copy of its log so far, then records a backup event', async () => {
    const config = freshConfig();
    await writeSession(config, 'open', { events: 100 });
    const files = sessionLogFiles(config.paths.logs, 'open');
    const sizeBefore = readFileSync(files.plain).length;
    const target = new LocalDirectoryTarget({ dir: config.backup.dir });
    const result = await backupSession(config, target, 'open');
    expect(result.logClosed).toBe(false);
    expect(result.files.find((f) => f.path === 'logs/open.jsonl')?.bytes).toBe(sizeBefore);
    expect(result.eventAppended).toBe(true);
    const { events } = await readAll(config.paths.logs, 'open');
    const last = events[events.length - 1]!;
    expect(last.type).toBe('backup');
    expect(last.data).toMatchObject({ target: 'local', checksum: result.sha256, bytes: result.bytes });
    expect(sessionInfo(config.paths.logs, 'open')?.status).toBe('active');
  });

  it('does not upload the same bundle twice', async () => {
    const config = freshConfig();
    await writeSession(config, 's1', { close: true });
    writeExtras(config, 's1');
    const target = new FlakyTarget(new LocalDirectoryTarget({ dir: config.backup.dir }));
    expect((await backupSession(config, target, 's1')).status).toBe('uploaded');
    const again = await backupSession(config, target, 's1');
    expect(again.status).toBe('unchanged');
    expect(target.puts.get(again.bundleKey)).toBe(1);
    expect(target.puts.get(again.manifestKey)).toBe(1);
    // backupSessions skips a session whose marker already covers its closed log.
    const all = await backupSessions(config, target);
    expect(all.map((item) => [item.session, item.status])).toEqual([['s1', 'up-to-date']]);
    expect(target.puts.get(again.bundleKey)).toBe(1);
  });

  it('includes a consistent database copy through the injected hook, and warns without one', async () => {
    const config = freshConfig();
    await writeSession(config, 's1', { close: true });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(config.paths.analytics, { recursive: true });
    writeFileSync(join(config.paths.analytics, 'sat.db'), 'SQLite format 3\0 pretend');
    const target = new LocalDirectoryTarget({ dir: config.backup.dir });
    const without = await backupSession(config, target, 's1');
    expect(without.files.some((f) => f.kind === 'database')).toBe(false);
    expect(without.warnings.join()).toContain('analytics database left out');
    const calls: string[][] = [];
    const withHook = await backupSession(config, target, 's1', {
      databaseBackup: async (dest, source) => {
        calls.push([dest, source]);
        copyFileSync(source, dest);
      },
    });
    expect(calls).toHaveLength(1);
    expect(calls[0]![1]).toBe(join(config.paths.analytics, 'sat.db'));
    expect(withHook.files.find((f) => f.kind === 'database')?.path).toBe('analytics/sat.db');
    expect(withHook.warnings).toEqual([]);
    // Restoring keeps the newer local database, and says so.
    rmSync(sessionLogFiles(config.paths.logs, 's1').compressed);
    rmSync(sessionLogFiles(config.paths.logs, 's1').meta);
    writeFileSync(join(config.paths.analytics, 'sat.db'), 'SQLite format 3\0 newer');
    const restored = await restoreSession(config, target, 's1');
    expect(restored.files.find((f) => f.kind === 'database')).toMatchObject({ action: 'skipped' });
    expect(readFileSync(join(config.paths.analytics, 'sat.db'), 'utf8')).toContain('newer');
  });

  it('lists what the target holds', async () => {
    const config = freshConfig();
    await writeSession(config, 'a', { close: true, start: Date.UTC(2026, 0, 1) });
    await writeSession(config, 'b', { close: true, phase: 2, start: Date.UTC(2026, 0, 2) });
    const target = new LocalDirectoryTarget({ dir: config.backup.dir });
    const results = await backupSessions(config, target);
    expect(results.map((r) => r.status)).toEqual(['uploaded', 'uploaded']);
    const listed = await listBackups(target);
    expect(listed.map((b) => [b.session, b.phase, b.complete]).sort()).toEqual([
      ['a', '0', true],
      ['b', '2', true],
    ]);
    for (const b of listed) {
      expect(b.bytes).toBeGreaterThan(0);
      expect(b.modified).toBeInstanceOf(Date);
    }
  });

  it('lets retention remove a backed-up closed session, but not one backed up while it was open', async () => {
    const config = freshConfig();
    await writeSession(config, 'old', { close: true, start: Date.UTC(2026, 0, 1) });
    await writeSession(config, 'old-open', { start: Date.UTC(2026, 0, 2) });
    await writeSession(config, 'new', { start: Date.UTC(2026, 0, 3) });
    const target = new LocalDirectoryTarget({ dir: config.backup.dir });
    await backupSession(config, target, 'old');
    await backupSession(config, target, 'old-open');
    // old-open ends after its backup: the backup does not hold its last events.
    const writer = new EventWriter({ logsDir: config.paths.logs });
    writer.append({ type: 'session_end', session: 'old-open', data: {} });
    await writer.close();
    await closeSessionLog(config.paths.logs, 'old-open');
    const plan = await planRetention(config.paths.logs, 1);
    expect(plan.remove.map((r) => r.session)).toEqual(['old']);
    expect(plan.blocked.map((r) => [r.session, r.reason])).toEqual([
      ['old-open', 'changed since its backup: back it up again'],
    ]);
    applyRetention(plan);
    expect(sessionInfo(config.paths.logs, 'old')).toBeUndefined();
    // Backing it up again covers it.
    expect((await backupSession(config, target, 'old-open')).logClosed).toBe(true);
    expect((await planRetention(config.paths.logs, 1)).remove.map((r) => r.session)).toEqual(['old-open']);
    // And the removed one comes back from the backup.
    await restoreSession(config, target, 'old');
    expect(sessionInfo(config.paths.logs, 'old')?.status).toBe('closed');
  });
});

describe('restoreSession refuses what it must', () => {
  async function backedUp(): Promise<{ config: SatConfig; target: LocalDirectoryTarget; bundleKey: string }> {
    const config = freshConfig();
    await writeSession(config, 's1', { close: true });
    writeExtras(config, 's1');
    const target = new LocalDirectoryTarget({ dir: config.backup.dir });
    const { bundleKey } = await backupSession(config, target, 's1');
    return { config, target, bundleKey };
  }

  function dropLocal(config: SatConfig): void {
    const files = sessionLogFiles(config.paths.logs, 's1');
    rmSync(files.compressed);
    rmSync(files.meta);
  }

  it('detects a flipped byte in the stored bundle: a clear error, nothing extracted', async () => {
    const { config, target, bundleKey } = await backedUp();
    dropLocal(config);
    const file = target.pathOf(bundleKey);
    const bytes = readFileSync(file);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x10;
    writeFileSync(file, bytes);
    const error = await rejection(restoreSession(config, target, 's1'));
    expect(isSatError(error, 'CHECKSUM_MISMATCH')).toBe(true);
    expect((error as Error).message).toMatch(
      /cannot restore session s1: .*bundle\.tar\.gz.* is damaged.*nothing was restored/,
    );
    expect(existsSync(sessionLogFiles(config.paths.logs, 's1').compressed)).toBe(false);
    expect(readdirSync(join(config.paths.state, '.restore-work'))).toEqual([]);
  });

  it('detects a bundle that does not match its manifest even when the target does not verify reads', async () => {
    const { config, target, bundleKey } = await backedUp();
    dropLocal(config);
    // Replace the bundle through the target (so its own checksum file agrees): only the manifest knows.
    await target.put(bundleKey, Buffer.from('not the bundle'));
    const error = await rejection(restoreSession(config, target, 's1'));
    expect(isSatError(error, 'CHECKSUM_MISMATCH')).toBe(true);
    expect((error as Error).message).toContain('does not match its manifest; nothing was restored');
    expect(existsSync(sessionLogFiles(config.paths.logs, 's1').compressed)).toBe(false);
  });

  for (const [label, evil] of [
    ['a ../ entry', '../evil'],
    ['a deep ../ entry', 'snapshots/../../../evil'],
    ['an absolute path', '/tmp/sat-evil-absolute'],
  ] as const) {
    it(`refuses a bundle with ${label}, writing nothing`, async () => {
      const { config, target, bundleKey } = await backedUp();
      dropLocal(config);
      const manifestKey = bundleKey.replace('bundle.tar.gz', 'manifest.json');
      const manifest = JSON.parse(readFileSync(target.pathOf(manifestKey), 'utf8'));
      const crafted = join(tempDir(), 'evil.tar.gz');
      const log = manifest.files.find((f: { path: string }) => f.path === 'logs/s1.jsonl.gz');
      await craftBundle(crafted, [
        { name: evil, data: Buffer.from('owned') },
        { name: 'logs/s1.jsonl.gz', data: Buffer.alloc(log.bytes) },
      ]);
      await target.put(bundleKey, readFileSync(crafted));
      const stat = (await target.stat(bundleKey))!;
      manifest.bundle = { ...manifest.bundle, bytes: stat.size, ...stat.checksum };
      await target.put(manifestKey, Buffer.from(JSON.stringify(manifest)));
      const error = await rejection(restoreSession(config, target, 's1'));
      expect(isSatError(error, 'INVALID_BUNDLE')).toBe(true);
      expect((error as Error).message).toContain(JSON.stringify(evil));
      expect((error as Error).message).toContain('nothing was restored');
      expect(existsSync(join(config.root, '..', 'evil'))).toBe(false);
      expect(existsSync(join(config.paths.state, 'evil'))).toBe(false);
      expect(existsSync('/tmp/sat-evil-absolute')).toBe(false);
      expect(existsSync(sessionLogFiles(config.paths.logs, 's1').compressed)).toBe(false);
    });
  }

  it('refuses a link pointing outside, and a manifest naming a path outside the layout', async () => {
    const { config, target, bundleKey } = await backedUp();
    dropLocal(config);
    const manifestKey = bundleKey.replace('bundle.tar.gz', 'manifest.json');
    const manifest = JSON.parse(readFileSync(target.pathOf(manifestKey), 'utf8'));
    const crafted = join(tempDir(), 'link.tar.gz');
    await craftBundle(crafted, [
      { name: 'snapshots/link', type: 'symlink', linkname: '../../../../etc/passwd' },
    ]);
    await target.put(bundleKey, readFileSync(crafted));
    const stat = (await target.stat(bundleKey))!;
    await target.put(
      manifestKey,
      Buffer.from(
        JSON.stringify({ ...manifest, bundle: { ...manifest.bundle, bytes: stat.size, ...stat.checksum } }),
      ),
    );
    const linkError = await rejection(restoreSession(config, target, 's1'));
    expect(isSatError(linkError, 'INVALID_BUNDLE')).toBe(true);
    expect((linkError as Error).message).toContain('pointing outside the bundle');

    manifest.files[0].path = 'logs/../../outside.txt';
    await target.put(manifestKey, Buffer.from(JSON.stringify(manifest)));
    const pathError = await rejection(restoreSession(config, target, 's1'));
    expect(isSatError(pathError, 'INVALID_BUNDLE')).toBe(true);
    expect(existsSync(sessionLogFiles(config.paths.logs, 's1').compressed)).toBe(false);
  });

  it('refuses to overwrite a different local file unless forced', async () => {
    const { config, target } = await backedUp();
    const handoff = join(config.paths.handoffs, 'latest-s1.md');
    writeFileSync(handoff, '# edited locally\n');
    const error = await rejection(restoreSession(config, target, 's1'));
    expect(isSatError(error, 'CONFLICT')).toBe(true);
    expect((error as Error).message).toContain('handoffs/latest-s1.md');
    expect(readFileSync(handoff, 'utf8')).toBe('# edited locally\n');

    const forced = await restoreSession(config, target, 's1', { force: true });
    expect(forced.files.find((f) => f.path === 'handoffs/latest-s1.md')?.action).toBe('overwritten');
    expect(forced.files.filter((f) => f.action === 'unchanged').length).toBeGreaterThan(3);
    expect(readFileSync(handoff, 'utf8')).toBe('# Latest handoff of s1\n');
  });

  it('says when there is no backup of the session', async () => {
    const config = freshConfig();
    const target = new LocalDirectoryTarget({ dir: config.backup.dir });
    const error = await rejection(restoreSession(config, target, 'nothing'));
    expect(isSatError(error, 'NOT_FOUND')).toBe(true);
    expect((error as Error).message).toContain("see 'sat backups'");
  });
});

describe('bundles', () => {
  it('are reproducible: the same files give the same bytes', async () => {
    const config = freshConfig();
    await writeSession(config, 's1', { close: true });
    writeExtras(config, 's1');
    const one = new LocalDirectoryTarget({ dir: join(tempDir(), 'one') });
    const two = new LocalDirectoryTarget({ dir: join(tempDir(), 'two') });
    const a = await backupSession(config, one, 's1');
    const b = await backupSession(config, two, 's1');
    expect(a.sha256).toBe(b.sha256);
    expect(
      createHash('sha256')
        .update(readFileSync(one.pathOf(a.bundleKey)))
        .digest('hex'),
    ).toBe(a.sha256);
  });
});
