import { createHash } from 'node:crypto';
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { pack as tarPack } from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { extractArchive } from '../src/archive/archive-reader.js';
import {
  type ArchiveObjectState,
  type ArchiveTierTarget,
  archiveKeys,
  archivePhase,
  backupSession,
  isSatError,
  LocalDirectoryTarget,
  listArchives,
  phasesDueForArchive,
  planRetention,
  pruneArchivedPhase,
  type RestoreRequestOptions,
  type RestoreRequestResult,
  readBackupMarker,
  restoreArchive,
  sessionLogFiles,
  supportsArchiveTier,
} from '../src/index.js';
import { freshConfig, hashTree, writeExtras, writeSession } from './backup/backup-fixtures.js';
import { tempDir } from './helpers.js';

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (e: unknown) => e,
  );
}

/** A local folder with an archive tier: objects can be "moved to Glacier" and restored, as on S3. */
class TieredTarget extends LocalDirectoryTarget implements ArchiveTierTarget {
  override readonly capabilities = {
    ...new LocalDirectoryTarget({ dir: '/' }).capabilities,
    archiveTier: true,
  };
  readonly tiers = new Map<string, ArchiveObjectState>();
  readonly requests: Array<{ key: string } & RestoreRequestOptions> = [];
  async archiveState(key: string): Promise<ArchiveObjectState> {
    if (!(await this.stat(key)))
      throw Object.assign(new Error('missing'), { isSatError: true, code: 'NOT_FOUND', details: {} });
    return this.tiers.get(key) ?? { state: 'available', storageClass: 'STANDARD' };
  }
  async requestRestore(key: string, options: RestoreRequestOptions = {}): Promise<RestoreRequestResult> {
    this.requests.push({ key, ...options });
    const now = this.tiers.get(key);
    if (!now || now.state === 'available') return { status: 'not-archived' };
    if (now.state === 'restoring') return { status: 'in-progress' };
    if (now.state === 'restored') return { status: 'already-restored' };
    this.tiers.set(key, { state: 'restoring', storageClass: now.storageClass });
    return { status: 'started' };
  }
  override async get(key: string) {
    const tier = this.tiers.get(key);
    if (tier && (tier.state === 'archived' || tier.state === 'restoring'))
      throw Object.assign(new Error('archived'), {
        isSatError: true,
        code: 'TARGET_ERROR',
        details: { archived: true },
      });
    return super.get(key);
  }
}

/** Phase 1: two closed sessions with snapshots and handoffs, one open one; phase 2: one closed session. */
async function phases() {
  const config = freshConfig();
  await writeSession(config, 'p1a', { close: true, phase: 1, start: 1 });
  await writeSession(config, 'p1b', { close: true, phase: 1, start: 2 });
  await writeSession(config, 'p1open', { phase: 1, start: 3, events: 50 });
  await writeSession(config, 'p2a', { close: true, phase: 2, start: 4 });
  writeExtras(config, 'p1a');
  return config;
}

const LOCAL_ROOTS = ['logs', 'state', 'handoffs'] as const;
function snapshot(config: ReturnType<typeof freshConfig>) {
  return Object.fromEntries(
    LOCAL_ROOTS.map((root) => [
      root,
      hashTree(config.paths[root], ['.archive-work', '.restore-work', '.locks']),
    ]),
  );
}

describe('archivePhase', () => {
  it('puts every closed session of the phase in ONE verified tar.gz with a manifest, marks them for retention', async () => {
    const config = await phases();
    const target = new LocalDirectoryTarget({ dir: tempDir() });
    const result = await archivePhase(config, target, 1);
    const { archiveKey, manifestKey } = archiveKeys(1);
    expect(result).toMatchObject({
      phase: '1',
      status: 'uploaded',
      archiveKey,
      manifestKey,
      verified: { checksums: true, readBack: true },
    });
    expect(result.sessions.map((s) => [s.session, s.source, s.marked])).toEqual([
      ['p1a', 'local', true],
      ['p1b', 'local', true],
    ]);
    expect(result.skipped.map((s) => s.session)).toEqual(['p1open']);
    const stored = readFileSync(target.pathOf(archiveKey));
    expect(createHash('sha256').update(stored).digest('hex')).toBe(result.sha256);
    const manifest = JSON.parse(readFileSync(target.pathOf(manifestKey), 'utf8'));
    expect(manifest.format).toBe('sat-archive/1');
    expect(manifest.archive).toMatchObject({ key: archiveKey, bytes: stored.length, sha256: result.sha256 });
    const p1a = manifest.sessions.find((s: { session: string }) => s.session === 'p1a');
    expect(p1a.files.map((f: { path: string }) => f.path)).toEqual(
      expect.arrayContaining([
        'logs/p1a.jsonl.gz',
        'logs/p1a.meta.json',
        'snapshots/index.jsonl',
        'handoffs/latest-p1a.md',
      ]),
    );
    for (const f of p1a.files) expect(f.sha256).toMatch(/^[0-9a-f]{64}$/);

    const marker = readBackupMarker(sessionLogFiles(config.paths.logs, 'p1a'))!;
    expect(marker.archive).toMatchObject({ key: archiveKey, phase: '1', sha256: result.sha256 });
    expect(marker.key).toBeUndefined();
    const plan = await planRetention(config.paths.logs, 0);
    expect(plan.remove.map((r) => r.session).sort()).toEqual(['p1a', 'p1b']);

    const again = await archivePhase(config, target, 1);
    expect(again.status).toBe('unchanged');
    expect(await listArchives(target)).toEqual([
      expect.objectContaining({ phase: '1', complete: true, bytes: stored.length }),
    ]);
  });

  it('takes sessions that are only on the backup target from their backup; keeps existing backup markers', async () => {
    const config = await phases();
    const backups = new LocalDirectoryTarget({ dir: tempDir() });
    await backupSession(config, backups, 'p1b');
    const before = readBackupMarker(sessionLogFiles(config.paths.logs, 'p1b'))!;
    // p1c exists only as a backup.
    const other = freshConfig();
    await writeSession(other, 'p1c', { close: true, phase: 1 });
    await backupSession(other, backups, 'p1c');
    const target = new LocalDirectoryTarget({ dir: tempDir() });
    const result = await archivePhase(config, target, '1', { backupTarget: backups });
    expect(result.sessions.map((s) => [s.session, s.source])).toEqual([
      ['p1a', 'local'],
      ['p1b', 'local'],
      ['p1c', 'backup'],
    ]);
    const after = readBackupMarker(sessionLogFiles(config.paths.logs, 'p1b'))!;
    expect(after.key).toBe(before.key);
    expect(after.archive?.phase).toBe('1');
  });

  it('refuses to replace an archive holding a session it cannot find any more (CONFLICT), and a phase with no session', async () => {
    const config = await phases();
    const target = new LocalDirectoryTarget({ dir: tempDir() });
    await archivePhase(config, target, 1);
    await pruneArchivedPhase(config, target, 1, { removeLocal: true });
    await writeSession(config, 'p1new', { close: true, phase: 1, start: 9 });
    const error = await failure(archivePhase(config, target, 1));
    expect(isSatError(error, 'CONFLICT')).toBe(true);
    expect((error as Error).message).toContain('sat archive restore 1');
    expect(isSatError(await failure(archivePhase(config, target, 9)), 'NOT_FOUND')).toBe(true);
  });
});

describe('pruneArchivedPhase', () => {
  it('removes only what the verified archive holds, byte for byte; never without a verified archive', async () => {
    const config = await phases();
    const backups = new LocalDirectoryTarget({ dir: tempDir() });
    await backupSession(config, backups, 'p1a');
    await backupSession(config, backups, 'p2a');
    const target = new LocalDirectoryTarget({ dir: tempDir() });
    expect(
      isSatError(await failure(pruneArchivedPhase(config, target, 1, { removeLocal: true })), 'NOT_FOUND'),
    ).toBe(true);

    await archivePhase(config, target, 1);
    // A handoff edited after the archive is not the archived copy: it stays.
    const edited = join(config.paths.handoffs, 'latest-p1a.md');
    writeFileSync(edited, '# changed after the archive\n');
    // A damaged archive: nothing is removed.
    const archiveFile = target.pathOf(archiveKeys(1).archiveKey);
    const good = readFileSync(archiveFile);
    writeFileSync(archiveFile, Buffer.concat([good, Buffer.from('x')]));
    const damaged = await failure(
      pruneArchivedPhase(config, target, 1, { backupTarget: backups, removeLocal: true }),
    );
    expect(isSatError(damaged)).toBe(true);
    expect(sessionLogFiles(config.paths.logs, 'p1a').compressed).toSatisfy(
      (f: string) => readFileSync(f).length > 0,
    );
    writeFileSync(archiveFile, good);
    await target.put(archiveKeys(1).archiveKey, good); // the checksum record again

    const pruned = await pruneArchivedPhase(config, target, 1, { backupTarget: backups, removeLocal: true });
    expect(pruned.removedBackups.map((b) => b.session)).toEqual(['p1a']);
    expect(pruned.removedLocal.map((r) => r.session).sort()).toEqual(['p1a', 'p1b']);
    expect(pruned.keptLocal).toEqual([
      expect.objectContaining({ file: edited, reason: 'differs from the archived copy' }),
    ]);
    const files = sessionLogFiles(config.paths.logs, 'p1a');
    expect(() => readFileSync(files.compressed)).toThrow();
    expect(readFileSync(edited, 'utf8')).toContain('changed');
    const marker = readBackupMarker(files)!;
    expect(marker.archive?.phase).toBe('1');
    expect(marker.key).toBeUndefined(); // its backup is gone: the marker names the archive
    // phase 2's backup and files are untouched
    expect((await backups.stat('SubAgentTracking/Phase_2/sessions/p2a/bundle.tar.gz'))?.size).toBeGreaterThan(
      0,
    );
    expect(readFileSync(sessionLogFiles(config.paths.logs, 'p2a').compressed).length).toBeGreaterThan(0);
  });
});

describe('restoreArchive', () => {
  it('restores every session byte-identical after the local copies were removed', async () => {
    const config = await phases();
    const target = new LocalDirectoryTarget({ dir: tempDir() });
    await archivePhase(config, target, 1);
    const before = snapshot(config);
    await pruneArchivedPhase(config, target, 1, { removeLocal: true });
    expect(snapshot(config)).not.toEqual(before);
    const result = await restoreArchive(config, target, 1);
    expect(result.status).toBe('restored');
    expect(result.failed).toEqual([]);
    expect(result.sessions.map((s) => s.session)).toEqual(['p1a', 'p1b']);
    const after = snapshot(config);
    for (const root of LOCAL_ROOTS)
      for (const [path, sha] of Object.entries(before[root]!))
        if (!path.endsWith('.backup.json'))
          expect([root, path, after[root]![path]]).toEqual([root, path, sha]);
    expect(readBackupMarker(sessionLogFiles(config.paths.logs, 'p1a'))?.archive?.phase).toBe('1');
  });

  it('a flipped byte in the stored archive: CHECKSUM_MISMATCH, nothing restored', async () => {
    const config = await phases();
    const target = new LocalDirectoryTarget({ dir: tempDir() });
    await archivePhase(config, target, 1);
    await pruneArchivedPhase(config, target, 1, { removeLocal: true });
    const removed = snapshot(config);
    const file = target.pathOf(archiveKeys(1).archiveKey);
    const bytes = readFileSync(file);
    bytes[bytes.length >> 1]! ^= 0x01;
    writeFileSync(file, bytes);
    const error = await failure(restoreArchive(config, target, 1));
    expect(isSatError(error, 'CHECKSUM_MISMATCH')).toBe(true);
    expect((error as Error).message).toContain('nothing was restored');
    expect(snapshot(config)).toEqual(removed);
  });

  it('from an archive tier: requests the restore, returns restoring, then with wait polls until ready', async () => {
    const config = await phases();
    const target = new TieredTarget({ dir: tempDir() });
    expect(supportsArchiveTier(target)).toBe(true);
    const archived = await archivePhase(config, target, 1);
    expect(archived.verified.readBack).toBe(true);
    await pruneArchivedPhase(config, target, 1, { removeLocal: true });
    const { archiveKey, manifestKey } = archiveKeys(1);
    target.tiers.set(archiveKey, { state: 'archived', storageClass: 'GLACIER' });
    target.tiers.set(manifestKey, { state: 'archived', storageClass: 'GLACIER' });

    const first = await restoreArchive(config, target, 1, { tier: 'Bulk', days: 2 });
    expect(first).toMatchObject({ status: 'restoring', request: 'started', sessions: [] });
    expect(target.requests).toEqual([{ key: archiveKey, tier: 'Bulk', days: 2 }]);
    await expect(listArchives(target)).resolves.toEqual([
      expect.objectContaining({ state: { state: 'restoring', storageClass: 'GLACIER' } }),
    ]);

    const seen: string[] = [];
    let polls = 0;
    const result = await restoreArchive(config, target, 1, {
      wait: true,
      pollMs: 1,
      onStatus: (s) => {
        seen.push(s.state);
        if (++polls === 3) target.tiers.set(archiveKey, { state: 'restored', storageClass: 'GLACIER' });
      },
    });
    expect(seen).toEqual(['restoring', 'restoring', 'restoring', 'restored']);
    expect(result.status).toBe('restored');
    expect(result.sessions.map((s) => s.session)).toEqual(['p1a', 'p1b']);
  });
});

describe('phasesDueForArchive', () => {
  it('phases older than the newest two, not archived yet', async () => {
    const config = freshConfig();
    for (const [i, phase] of [1, 2, 3, 10].entries())
      await writeSession(config, `s${phase}`, { close: true, phase, start: i + 1 });
    expect((await phasesDueForArchive(config)).map((d) => d.phase)).toEqual(['1', '2']);
    expect((await phasesDueForArchive(config, { keepPhases: 3 })).map((d) => d.phase)).toEqual(['1']);
    const target = new LocalDirectoryTarget({ dir: tempDir() });
    await archivePhase(config, target, 1);
    expect(await phasesDueForArchive(config)).toEqual([{ phase: '2', pending: ['s2'], open: [] }]);
  });
});

describe('extractArchive', () => {
  async function craft(
    entries: Array<{ name: string; body?: string; type?: 'symlink'; linkname?: string }>,
  ): Promise<string> {
    const dir = tempDir();
    const file = join(dir, 'evil.tar.gz');
    const pack = tarPack();
    const done = pipeline(pack, createGzip(), createWriteStream(file));
    for (const e of entries)
      await new Promise<void>((resolve, reject) =>
        pack.entry(
          e.type ? { name: e.name, type: e.type, linkname: e.linkname } : { name: e.name },
          e.body ?? '',
          (err) => (err ? reject(err) : resolve()),
        ),
      );
    pack.finalize();
    await done;
    mkdirSync(join(dir, 'staging'));
    return file;
  }

  it('refuses .., absolute paths, links and unlisted entries, writing nothing outside the staging folder', async () => {
    for (const entries of [
      [{ name: '../escape.txt', body: 'x' }],
      [{ name: '/etc/evil', body: 'x' }],
      [{ name: 'sessions/s/link', type: 'symlink' as const, linkname: '/etc/passwd' }],
      [
        { name: 'sessions/s/unlisted.bin', body: 'x' },
        {
          name: 'manifest.json',
          body: JSON.stringify({
            format: 'sat-archive/1',
            phase: '1',
            createdAt: '2026-01-01T00:00:00.000Z',
            sessions: [],
            warnings: [],
          }),
        },
      ],
    ]) {
      const file = await craft(entries);
      const error = await failure(extractArchive(file, join(file, '..', 'staging'), 'crafted archive'));
      expect(isSatError(error, 'INVALID_BUNDLE'), JSON.stringify(entries[0]!.name)).toBe(true);
    }
  });
});
