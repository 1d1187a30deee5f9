import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  backupSession,
  closeSessionLog,
  EventWriter,
  loadConfig,
  readBackupMarker,
  restoreSession,
  sessionLogFiles,
} from '@sat/core';
import { realisticSessionEvents } from '@sat/core/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeDriveServer } from '../src/testing/fake-drive-server.js';
import { fakeTarget, tempDir } from './helpers.js';

let fake: FakeDriveServer;
let temp: ReturnType<typeof tempDir>;

beforeEach(async () => {
  fake = await FakeDriveServer.start();
  temp = tempDir();
});
afterEach(async () => {
  await fake.close();
  temp.remove();
});

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('core backup and restore through Google Drive', () => {
  it('backs a closed session up to Drive and restores it byte for byte', async () => {
    const root = join(temp.dir, 'data');
    const config = loadConfig({ root, cwd: root, env: {} });
    const writer = new EventWriter({ logsDir: config.paths.logs });
    for (const event of realisticSessionEvents({ session: 's1' }, 400)) writer.append(event);
    await writer.close();
    await closeSessionLog(config.paths.logs, 's1');
    const files = sessionLogFiles(config.paths.logs, 's1');
    const before = { log: sha(files.compressed), meta: sha(files.meta) };

    const target = await fakeTarget(fake, join(temp.dir, 'credentials'), { chunkSize: 256 * 1024 });
    const result = await backupSession(config, target, 's1');
    expect(result.status).toBe('uploaded');
    expect(result.bundleKey).toBe('SubAgentTracking/Phase_0/sessions/s1/bundle.tar.gz');
    expect(result.location).toBe(`gdrive:My Drive/${result.bundleKey}`);
    const bundle = fake.fileByKey(result.bundleKey)!;
    expect(bundle.md5Checksum).toBe(result.md5);
    expect(bundle.appProperties).toMatchObject({ m_session: 's1', satSha256: result.sha256 });
    expect(readBackupMarker(files)).toMatchObject({ target: 'gdrive', checksum: result.sha256 });

    // Again: the bundle is already there, nothing is uploaded.
    const uploads = fake.uploads.length;
    expect((await backupSession(config, target, 's1')).status).toBe('unchanged');
    expect(fake.uploads.length).toBe(uploads);

    rmSync(files.compressed);
    rmSync(files.meta);
    await restoreSession(config, target, 's1');
    expect({ log: sha(files.compressed), meta: sha(files.meta) }).toEqual(before);
  });
});
