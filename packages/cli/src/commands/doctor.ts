import { spawnSync } from 'node:child_process';
import {
  accessSync,
  chmodSync,
  constants,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import {
  captureScriptPath,
  closeSessionLog,
  FileLock,
  findWorkLeftovers,
  isOwnerAlive,
  listLostCaptures,
  listSessions,
  Quarantine,
  type ReadIssue,
  readSessionEvents,
  type SatConfig,
  type SessionInfo,
  sessionLogFiles,
  spoolDir,
} from '@sat/core';
import { backupFindings } from '../backup-health.js';
import type { HandlerOf } from '../command-spec.js';
import { otelEnvStatus } from '../otel-env.js';
import { formatTime, printJson } from '../output.js';
import type { doctorCommand } from '../registry.js';
import { readSettings, type SettingsScope, settingsFilePath } from '../settings-file.js';
import { dataFolders, GITIGNORE_BLOCK_START } from './init.js';

/** One finding of `sat doctor`. */
export interface Finding {
  check: string;
  status: 'ok' | 'warn' | 'error';
  detail: string;
  fix?: string;
  fixed?: boolean;
}

type Fixer = () => Promise<void> | void;

/** Records a finding (after trying its repair, with --fix, when it is not ok). */
type Add = (finding: Finding, repair?: Fixer) => Promise<void>;

function recorder(fix: boolean, findings: Finding[]): Add {
  return async (finding, repair) => {
    if (fix && repair && finding.status !== 'ok') {
      try {
        await repair();
        finding.fixed = true;
      } catch (error) {
        finding.detail += ` (repair failed: ${(error as Error).message})`;
      }
    }
    findings.push(finding);
  };
}

/** Each data folder exists, is readable and writable, and credentials are private. */
async function checkFolders(config: SatConfig, add: Add): Promise<void> {
  for (const [name, dir] of Object.entries(config.paths)) {
    if (!existsSync(dir)) {
      await add(
        { check: `folder ${name}`, status: 'error', detail: `${dir} does not exist`, fix: "run 'sat init'" },
        () => {
          mkdirSync(dir, { recursive: true, mode: 0o700 });
        },
      );
      continue;
    }
    try {
      accessSync(dir, constants.R_OK | constants.W_OK);
    } catch {
      await add({
        check: `folder ${name}`,
        status: 'error',
        detail: `${dir} is not readable and writable by this user`,
        fix: `chown or chmod ${dir}`,
      });
      continue;
    }
    if (name === 'credentials' && (statSync(dir).mode & 0o077) !== 0) {
      await add(
        {
          check: 'folder credentials',
          status: 'warn',
          detail: `${dir} can be read by other users (mode ${(statSync(dir).mode & 0o777).toString(8)})`,
          fix: `chmod 700 ${dir}`,
        },
        () => chmodSync(dir, 0o700),
      );
      continue;
    }
    await add({ check: `folder ${name}`, status: 'ok', detail: dir });
  }
}

/** The data root's .gitignore keeps logs and credentials out of git. */
async function checkGitIgnore(config: SatConfig, add: Add): Promise<void> {
  const ignoreFile = join(config.root, '.gitignore');
  const ignored = existsSync(ignoreFile) && readFileSync(ignoreFile, 'utf8').includes(GITIGNORE_BLOCK_START);
  await add(
    ignored
      ? { check: 'git-ignore', status: 'ok', detail: `${ignoreFile} keeps logs and credentials out of git` }
      : {
          check: 'git-ignore',
          status: 'warn',
          detail: `${ignoreFile} has no sat entries: raw logs or credentials could be committed`,
          fix: "run 'sat init'",
        },
  );
}

/** Each data folder under the root that git would not ignore (when the root is in a git work tree). */
async function checkGitTracked(config: SatConfig, add: Add): Promise<void> {
  const inside = spawnSync('git', ['-C', config.root, 'rev-parse', '--is-inside-work-tree'], {
    encoding: 'utf8',
  });
  if (inside.status !== 0 || inside.stdout.trim() !== 'true') return;
  const folders = [...new Set(dataFolders(config))].filter(
    (dir) => !relative(config.root, dir).startsWith('..'),
  );
  const probes = folders.map((dir) => `${dir}/`);
  const answer = spawnSync('git', ['-C', config.root, 'check-ignore', '--', ...probes], { encoding: 'utf8' });
  if (answer.status !== 0 && answer.status !== 1) return;
  const ignored = new Set(answer.stdout.split('\n').filter(Boolean));
  const tracked = folders.filter((_, i) => !ignored.has(probes[i]!));
  if (tracked.length === 0) return;
  await add({
    check: 'git-ignore',
    status: 'warn',
    detail: `git does not ignore ${tracked.join(', ')}: its logs, backups or credentials could be committed`,
    fix: "run 'sat init' (it git-ignores every data folder)",
  });
}

/** Files and folders under `dirs` that others can read: all of them should be 0600 in 0700 folders. */
function exposedPaths(dirs: readonly string[]): string[] {
  const exposed: string[] = [];
  const walk = (path: string): void => {
    const stats = lstatSync(path, { throwIfNoEntry: false });
    if (!stats || stats.isSymbolicLink()) return;
    if ((stats.mode & 0o077) !== 0) exposed.push(path);
    if (stats.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
  };
  for (const dir of new Set(dirs)) walk(dir);
  return exposed;
}

/** Data folders (and the root itself) readable by group or others; --fix makes them private. */
async function checkPermissions(config: SatConfig, add: Add): Promise<void> {
  if (!existsSync(config.root)) return;
  const rootExposed = (statSync(config.root).mode & 0o077) !== 0 ? [config.root] : [];
  const folders = dataFolders(config).filter((dir) => !relative(config.root, dir).startsWith('..'));
  const exposed = [...rootExposed, ...exposedPaths(folders)];
  if (exposed.length === 0) {
    await add({ check: 'permissions', status: 'ok', detail: `everything under ${config.root} is private` });
    return;
  }
  await add(
    {
      check: 'permissions',
      status: 'warn',
      detail: `${exposed.length} file(s) or folder(s) under ${config.root} can be read by other users: ${exposed.slice(0, 5).join(', ')}${exposed.length > 5 ? ', ...' : ''}`,
      fix: 'sat doctor --fix (makes them 0600, folders 0700)',
    },
    () => {
      for (const path of exposed) chmodSync(path, statSync(path).mode & 0o700);
    },
  );
}

/** The analytics database passes SQLite's quick_check. */
async function checkDatabase(config: SatConfig, add: Add): Promise<void> {
  const file = join(config.paths.analytics, 'sat.db');
  if (!existsSync(file)) return;
  let check: { ok: boolean; problems: string[] };
  try {
    const { checkSqliteDatabase } = await import('@sat/store-sqlite');
    check = checkSqliteDatabase(file);
  } catch (error) {
    await add({
      check: 'database',
      status: 'warn',
      detail: `cannot check ${file}: ${(error as Error).message}`,
    });
    return;
  }
  await add(
    check.ok
      ? { check: 'database', status: 'ok', detail: `${file} passes SQLite's quick_check` }
      : {
          check: 'database',
          status: 'error',
          detail: `${file} is damaged: ${check.problems.slice(0, 3).join('; ')}`,
          fix: "run 'sat rebuild' (it moves the damaged file aside as sat.db.damaged-<time> and rebuilds it from the log)",
        },
  );
}

/** Work folders of killed backups and restores (full copies of the database, bundles). */
async function checkWorkLeftovers(config: SatConfig, add: Add): Promise<void> {
  for (const leftover of findWorkLeftovers(config)) {
    await add(
      {
        check: 'backup work',
        status: 'warn',
        detail: `${leftover.path} (${leftover.bytes} bytes) was left by a killed backup or restore (${leftover.reason})`,
        fix: 'sat doctor --fix (removes it; the next backup does too)',
      },
      () => rmSync(leftover.path, { recursive: true, force: true }),
    );
  }
}

/** Leftover takeover guards and stale locks of dead writers. */
async function checkLocks(config: SatConfig, add: Add): Promise<void> {
  const logsDir = config.paths.logs;
  const locksDir = join(logsDir, '.locks');
  if (existsSync(locksDir)) {
    for (const name of readdirSync(locksDir)) {
      const path = join(locksDir, name);
      if (name.endsWith('.takeover')) {
        await add(
          {
            check: 'locks',
            status: 'warn',
            detail: `leftover takeover guard ${path}`,
            fix: 'sat doctor --fix',
          },
          () => rmSync(path, { force: true }),
        );
        continue;
      }
      const lock = new FileLock(path);
      const owner = lock.readOwner();
      if (owner === null || (owner && isOwnerAlive(owner))) continue;
      await add(
        {
          check: 'locks',
          status: 'warn',
          detail: `stale lock ${path}${owner ? ` (pid ${owner.pid} is gone)` : ' (unreadable)'}; writers take it over on their own`,
          fix: 'sat doctor --fix',
        },
        () => {
          // Taking it over removes it; then release.
          if (lock.tryAcquire()) lock.release();
        },
      );
    }
  }
}

/** Temporary files an interrupted write left in the logs folder (older than an hour). */
async function checkTempFiles(config: SatConfig, add: Add): Promise<void> {
  const logsDir = config.paths.logs;
  if (existsSync(logsDir)) {
    for (const name of readdirSync(logsDir)) {
      if (!/\.tmp-\d+/.test(name)) continue;
      const path = join(logsDir, name);
      const ageHours = (Date.now() - statSync(path).mtimeMs) / 3_600_000;
      if (ageHours < 1) continue;
      await add(
        { check: 'logs', status: 'warn', detail: `leftover temporary file ${path}`, fix: 'sat doctor --fix' },
        () => rmSync(path, { force: true }),
      );
    }
  }
}

/** Failed hook captures, payloads set aside, and hooks that run a capture script that is missing. */
async function checkCapture(config: SatConfig, add: Add): Promise<void> {
  const spool = spoolDir(config.paths.logs);
  const errorsLog = join(spool, 'errors.log');
  if (existsSync(errorsLog)) {
    const lines = readFileSync(errorsLog, 'utf8').split('\n').filter(Boolean);
    if (lines.length > 0) {
      await add(
        {
          check: 'capture',
          status: 'warn',
          detail: `${lines.length} hook capture(s) failed (the agent went on; those payloads were lost), latest: ${lines.at(-1)}`,
          fix: `check free disk space and the permissions of ${spool}; 'sat doctor --fix' clears the note`,
        },
        () => renameSync(errorsLog, `${errorsLog}.${Date.now()}`),
      );
    }
  }
  const lost = listLostCaptures(spool);
  if (lost.length > 0) {
    await add(
      {
        check: 'capture',
        status: 'warn',
        detail: `${lost.length} hook capture(s) were lost with no room even for a note (the agent went on), from ${formatTime(lost[0]!.at)} to ${formatTime(lost.at(-1)!.at)}`,
        fix: `free disk space on the file system of ${spool}; 'sat doctor --fix' removes the markers`,
      },
      () => {
        for (const marker of lost) rmSync(join(spool, marker.file), { force: true });
      },
    );
  }
  const badReasons = join(spool, 'bad', 'reasons.log');
  if (existsSync(badReasons)) {
    const lines = readFileSync(badReasons, 'utf8').split('\n').filter(Boolean);
    await add({
      check: 'capture',
      status: 'warn',
      detail: `${lines.length} captured payload(s) could not be read and were set aside in ${join(spool, 'bad')} (latest: ${lines.at(-1)?.replace('\t', ': ')})`,
      fix: 'inspect them; delete the folder once done',
    });
  }
  const script = captureScriptPath(config.root);
  const settingsFile = join(config.projectDir, '.claude', 'settings.json');
  if (
    existsSync(settingsFile) &&
    readFileSync(settingsFile, 'utf8').includes('sat/capture.sh') &&
    !existsSync(script) &&
    config.root === join(config.projectDir, '.claude')
  ) {
    await add({
      check: 'capture',
      status: 'error',
      detail: `${settingsFile} runs ${script}, which does not exist: hooks capture nothing`,
      fix: "run 'sat init'",
    });
  }
}

/** Whether a settings file exports Claude Code's telemetry to `sat serve` (`sat init --otel`); optional. */
async function checkOtel(config: SatConfig, add: Add): Promise<void> {
  const scopes: SettingsScope[] = ['local', 'project', 'user'];
  const found = scopes.flatMap((scope) => {
    const file = settingsFilePath(scope, config.projectDir);
    try {
      const settings = readSettings(file);
      return settings ? [{ file, status: otelEnvStatus(settings) }] : [];
    } catch {
      return [];
    }
  });
  const set = found.find((f) => f.status.state === 'on') ?? found.find((f) => f.status.state === 'partial');
  if (!set) {
    await add({
      check: 'otel',
      status: 'ok',
      detail: "Claude Code's telemetry export is not set (optional: 'sat init --otel', then 'sat serve')",
    });
    return;
  }
  const content = set.status.contentSwitches.length
    ? `; ${set.status.contentSwitches.join(', ')} on: content is exported too`
    : '';
  await add(
    set.status.state === 'on'
      ? {
          check: 'otel',
          status: 'ok',
          detail: `${set.file} exports Claude Code's telemetry to ${set.status.endpoint} (received while 'sat serve' runs)${content}`,
        }
      : {
          check: 'otel',
          status: 'warn',
          detail: `${set.file} enables Claude Code's telemetry but ${set.status.differing.join(', ')} are not what sat serve reads${content}`,
          fix: "'sat init --otel --force' (or remove the variables with 'sat init --otel --uninstall')",
        },
  );
}

/** What to do about each kind of broken log. */
const BROKEN_LOG_FIXES: Record<string, string> = {
  'corrupt-compressed': 'restore the session from a backup',
  'seq-gap': 'inspect the log; events out of order were written by an older or foreign writer',
  'seq-reused':
    "the session's lock was broken (deleted while writers ran): every event was kept and is read; find what removes files under logs/.locks/",
};

/** One session's log: broken or set-aside lines, and a close that was interrupted or is due. */
async function checkSession(config: SatConfig, info: SessionInfo, add: Add): Promise<number> {
  const logsDir = config.paths.logs;
  const files = sessionLogFiles(logsDir, info.session);
  const issues: ReadIssue[] = [];
  let events = 0;
  for await (const _ of readSessionEvents(logsDir, info.session, {
    onIssue: (issue) => issues.push(issue),
  }))
    events++;
  const bad = issues.filter((i) => i.kind !== 'in-progress-tail');
  const broken = bad.filter(
    (i) => i.kind === 'corrupt-compressed' || i.kind === 'seq-gap' || i.kind === 'seq-reused',
  );
  const setAside = bad.filter((i) => !broken.includes(i));
  for (const issue of broken) {
    await add({
      check: `session ${info.session}`,
      status: 'error',
      detail: `${issue.kind} in ${issue.file} at byte ${issue.offset}: ${issue.message}`,
      fix: BROKEN_LOG_FIXES[issue.kind] ?? BROKEN_LOG_FIXES['seq-gap']!,
    });
  }
  if (setAside.length > 0) {
    const where = setAside
      .slice(0, 3)
      .map((i) => `byte ${i.offset}${i.line ? ` (line ${i.line})` : ''}: ${i.kind}`)
      .join('; ');
    await add({
      check: `session ${info.session}`,
      status: 'warn',
      detail: `${setAside.length} unreadable line(s) set aside in ${files.quarantine} (${where}); ${events} events read`,
      fix: 'nothing was lost beyond those lines; inspect the quarantine file if they matter',
    });
  }
  const interrupted = existsSync(files.compressed) && (existsSync(files.plain) || !existsSync(files.meta));
  if (interrupted || info.status === 'ended') {
    await add(
      {
        check: `session ${info.session}`,
        status: 'warn',
        detail: interrupted
          ? 'an earlier close was interrupted (compressed log without metadata, or plain log still present)'
          : 'ended but not compressed yet',
        fix: 'sat doctor --fix (compresses and verifies it)',
      },
      async () => {
        await closeSessionLog(logsDir, info.session);
      },
    );
  }
  return new Quarantine(files.quarantine).entries().length;
}

/** Whether local-only mode is on (`privacy.localOnly`), and a configured cloud target it refuses. */
async function checkPrivacy(config: SatConfig, add: Add): Promise<void> {
  if (!config.privacy.localOnly) {
    await add({
      check: 'privacy',
      status: 'ok',
      detail: 'local-only mode off: configured cloud targets may be contacted (privacy.localOnly)',
    });
    return;
  }
  const source = config.sources['privacy.localOnly'] ?? 'default';
  const cloud = config.backup.target !== 'local' ? config.backup.target : undefined;
  await add({
    check: 'privacy',
    status: cloud ? 'warn' : 'ok',
    detail: `local-only mode on (privacy.localOnly, ${source}): no cloud target is contacted${cloud ? `; backup.target is ${cloud}, which is refused (automatic backups go to ${config.backup.dir})` : ''}`,
    ...(cloud && { fix: 'set backup.target to local, or turn local-only mode off' }),
  });
}

/** Every check, in the order the findings are printed. */
const CHECKS: readonly ((config: SatConfig, add: Add) => Promise<void>)[] = [
  checkPrivacy,
  checkFolders,
  checkGitIgnore,
  checkGitTracked,
  checkPermissions,
  checkDatabase,
  checkWorkLeftovers,
  checkLocks,
  checkTempFiles,
  checkCapture,
  checkOtel,
];

async function inspect(config: SatConfig, fix: boolean): Promise<Finding[]> {
  const findings: Finding[] = [];
  const add = recorder(fix, findings);
  await add({
    check: 'config',
    status: 'ok',
    detail: config.configFile
      ? `read ${config.configFile}`
      : 'no config file: using the defaults and SAT_* variables',
  });
  for (const check of CHECKS) await check(config, add);
  const sessions = await listSessions(config.paths.logs);
  let quarantinedTotal = 0;
  for (const info of sessions) quarantinedTotal += await checkSession(config, info, add);
  for (const { repair, ...finding } of backupFindings(config)) await add(finding, repair);
  await add({
    check: 'logs',
    status: 'ok',
    detail: `${sessions.length} session(s) checked${quarantinedTotal ? `, ${quarantinedTotal} quarantined line(s) on record` : ''}`,
  });
  return findings;
}

/** Checks the installation and the logs, says how to fix each problem, and repairs with --fix. */
export const run: HandlerOf<typeof doctorCommand> = async (ctx, _args, options) => {
  let findings: Finding[];
  try {
    findings = await inspect(ctx.config(), Boolean(options.fix));
  } catch (error) {
    const finding: Finding = {
      check: 'config',
      status: 'error',
      detail: (error as Error).message,
      fix: 'fix the value it names, or remove it to use the default',
    };
    findings = [finding];
  }
  const failing = findings.filter((f) => f.status === 'error' && !f.fixed);
  if (options.json) {
    printJson(ctx, { ok: failing.length === 0, findings });
    return failing.length === 0 ? 0 : 1;
  }
  for (const f of findings) {
    const mark = f.fixed ? 'fixed' : f.status === 'ok' ? 'ok' : f.status === 'warn' ? 'WARN' : 'ERROR';
    ctx.print(
      `${mark.padEnd(5)}  ${f.check}: ${f.detail}${f.fix && !f.fixed && f.status !== 'ok' ? `\n       fix: ${f.fix}` : ''}`,
    );
  }
  const warnings = findings.filter((f) => f.status === 'warn' && !f.fixed).length;
  ctx.print(
    failing.length === 0
      ? `\nno errors${warnings ? `, ${warnings} warning(s)` : ''}`
      : `\n${failing.length} error(s), ${warnings} warning(s)`,
  );
  return failing.length === 0 ? 0 : 1;
};
