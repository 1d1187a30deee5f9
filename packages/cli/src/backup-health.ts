import { chmodSync, existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { listBackupQueue, type SatConfig } from '@sat/core';
import { formatTime } from './output.js';

/** One finding about backups (the shape `sat doctor` prints). */
export interface BackupFinding {
  check: string;
  status: 'ok' | 'warn' | 'error';
  detail: string;
  fix?: string;
  /** Repairs the problem when `sat doctor --fix` asks. */
  repair?: () => void;
}

/** The Google Drive token file `sat setup gdrive` writes (`GDRIVE_TOKEN_FILE` of @sat/backup-gdrive). */
const GDRIVE_TOKEN = 'gdrive.json';

function installed(pkg: string): boolean {
  try {
    createRequire(import.meta.url).resolve(`${pkg}/package.json`);
    return true;
  } catch {
    return false;
  }
}

/** The GridFS target's finding: its package installed and a connection string configured. */
function mongoFinding(config: SatConfig, auto: string): BackupFinding {
  const mongo = config.store.mongo;
  if (!installed('@sat/store-mongo'))
    return {
      check: 'backup target',
      status: 'error',
      detail: 'backup.target is mongo but @sat/store-mongo is not installed',
      fix: 'npm i @sat/store-mongo',
    };
  if (!mongo.url)
    return {
      check: 'backup target',
      status: 'error',
      detail: 'backup.target is mongo but no connection string is configured (store.mongo.url)',
      fix: 'set store.mongo.url in sat.config.json or SAT_MONGO_URL',
    };
  return {
    check: 'backup target',
    status: 'ok',
    detail: `MongoDB GridFS in database ${mongo.database}; ${auto}`,
  };
}

/**
 * What can be told about backups without the network: the configured target is usable (its
 * package installed, its credentials or bucket set up, the token file private), and what waits in
 * the retry queue. `sat backup --test` checks the connection itself.
 */
export function backupFindings(config: SatConfig): BackupFinding[] {
  const findings: BackupFinding[] = [];
  const kind = config.backup.target;
  const auto =
    config.backup.auto === 'local' || (config.backup.auto && config.privacy.localOnly)
      ? `automatic backups to the local folder ${config.backup.dir} only (${config.privacy.localOnly ? 'privacy.localOnly' : 'backup.auto local'})`
      : config.backup.auto
        ? 'automatic backups on'
        : 'automatic backups off (backup.auto)';
  if (kind === 'local') {
    findings.push({
      check: 'backup target',
      status: 'ok',
      detail: `local folder ${config.backup.dir}; ${auto}`,
    });
  } else if (kind === 'gdrive') {
    const token = join(config.paths.credentials, GDRIVE_TOKEN);
    if (!installed('@sat/backup-gdrive'))
      findings.push({
        check: 'backup target',
        status: 'error',
        detail: 'backup.target is gdrive but @sat/backup-gdrive is not installed',
        fix: 'npm i @sat/backup-gdrive',
      });
    else if (!existsSync(token))
      findings.push({
        check: 'backup target',
        status: 'error',
        detail: `backup.target is gdrive but there is no token in ${token}`,
        fix: 'sat setup gdrive',
      });
    else {
      const mode = statSync(token).mode & 0o777;
      findings.push(
        mode & 0o077
          ? {
              check: 'backup target',
              status: 'warn',
              detail: `Google Drive token ${token} is readable by others (mode ${mode.toString(8)})`,
              fix: 'sat doctor --fix (sets mode 600)',
              repair: () => chmodSync(token, 0o600),
            }
          : {
              check: 'backup target',
              status: 'ok',
              detail: `Google Drive, token in ${token} (mode 600); ${auto}`,
            },
      );
    }
  } else if (kind === 'mongo') {
    findings.push(mongoFinding(config, auto));
  } else {
    const s3 = config.archive.s3;
    if (!installed('@sat/archive-s3'))
      findings.push({
        check: 'backup target',
        status: 'error',
        detail: 'backup.target is s3 but @sat/archive-s3 is not installed',
        fix: 'npm i @sat/archive-s3',
      });
    else if (!s3)
      findings.push({
        check: 'backup target',
        status: 'error',
        detail: 'backup.target is s3 but no bucket is configured (archive.s3.bucket)',
        fix: 'sat setup s3 --bucket <name>',
      });
    else
      findings.push({
        check: 'backup target',
        status: 'ok',
        detail: `s3://${s3.bucket}/${s3.prefix}; ${auto}`,
      });
  }

  const queue = listBackupQueue(config);
  if (queue.length > 0) {
    const oldest = queue.reduce((a, b) => (a.createdAt <= b.createdAt ? a : b));
    findings.push({
      check: 'backup queue',
      status: 'warn',
      detail: `${queue.length} backup(s) wait for their target, the oldest since ${formatTime(oldest.createdAt)} (${oldest.attempts} attempt(s); last error: ${oldest.lastError ?? 'none'})`,
      fix: "make the target reachable, then 'sat backup' retries them now (the capture pipeline retries them with backoff)",
    });
  }
  return findings;
}
