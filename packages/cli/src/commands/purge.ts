import {
  backupSession,
  isPurged,
  isValidSessionId,
  LocalDirectoryTarget,
  listBackups,
  listSessions,
  type PurgeResult,
  type PurgeTarget,
  purgeSessions,
  type SatConfig,
} from '@sat/core';
import { openStore } from '../analytics.js';
import { backupTarget, sqliteDatabaseBackup } from '../backup-target.js';
import type { HandlerOf, OptionsOf } from '../command-spec.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { formatBytes, printJson } from '../output.js';
import type { purgeCommand } from '../registry.js';
import { resolveSession } from '../session-arg.js';

type PurgeFlags = OptionsOf<typeof purgeCommand>;

/** The sessions the local backup folder holds (purged too: a session may live only there). */
async function backedUpSessions(config: SatConfig): Promise<string[]> {
  try {
    return (await listBackups(new LocalDirectoryTarget({ dir: config.backup.dir }))).map((b) => b.session);
  } catch {
    return [];
  }
}

function parseBefore(text: string): number {
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
  if (Number.isNaN(ms)) throw new UsageError(`--before needs a date (YYYY-MM-DD or ISO-8601), not '${text}'`);
  return ms;
}

/** A session argument: a local session (id or prefix), else the full id of a backed-up or purged one (a purge again retries its queued deletes). */
async function resolveOne(config: SatConfig, arg: string, backedUp: readonly string[]): Promise<string> {
  try {
    return await resolveSession(config.paths.logs, arg);
  } catch (error) {
    if (isValidSessionId(arg) && (backedUp.includes(arg) || isPurged(config.paths.logs, arg))) return arg;
    throw error;
  }
}

/** The sessions the arguments and flags name, sorted. */
async function selectSessions(config: SatConfig, args: string[], options: PurgeFlags): Promise<string[]> {
  const ways = [args.length > 0, options.before !== undefined, options.all === true].filter(Boolean).length;
  if (ways !== 1)
    throw new UsageError('name what to purge in one way: session ids, --before <date>, or --all');
  const backedUp = await backedUpSessions(config);
  if (args.length > 0) {
    const out: string[] = [];
    for (const arg of args) out.push(await resolveOne(config, arg, backedUp));
    return [...new Set(out)].sort();
  }
  const local = await listSessions(config.paths.logs);
  if (options.all) return [...new Set([...local.map((s) => s.session), ...backedUp])].sort();
  const before = parseBefore(options.before!);
  return local
    .filter((s) => {
      const last = Date.parse(s.lastEventAt ?? s.start ?? '');
      return !Number.isNaN(last) && last < before;
    })
    .map((s) => s.session)
    .sort();
}

/** Where the configured cloud backup target is, in words that stay the same between runs (the queue's key). */
function remoteTargets(config: SatConfig): PurgeTarget[] {
  const kind = config.backup.target;
  if (kind === 'local') return [];
  const location =
    kind === 'gdrive'
      ? `Google Drive folder ${config.backup.gdrive.folder}`
      : kind === 's3'
        ? `s3://${config.archive.s3?.bucket ?? '(no bucket)'}/${config.archive.s3?.prefix ?? ''}`
        : `MongoDB database ${config.store.mongo.database}`;
  return [{ name: kind, location, open: () => backupTarget(config) }];
}

/** Rebuilds the analytics store from the logs left (SQLite: its file was deleted; MongoDB: this machine's rows). */
async function rebuildStore(ctx: CliContext, result: PurgeResult): Promise<string | undefined> {
  const config = ctx.config();
  if (result.dryRun || (!result.rebuildStore && config.store.kind !== 'mongo')) return undefined;
  try {
    const store = await openStore(ctx);
    try {
      await store.rebuild();
    } finally {
      await store.close();
    }
    return undefined;
  } catch (error) {
    return `the analytics store was not rebuilt: ${(error as Error).message} (its rows of these sessions remain until 'sat rebuild' succeeds)`;
  }
}

/**
 * Backs up again, to the local folder, the other sessions whose bundles there hold a copy of the
 * analytics database taken before the purge (it has the purged sessions' rows): their new bundles
 * carry the rebuilt one. Returns what could not be done.
 */
async function refreshLocalBundles(config: SatConfig, result: PurgeResult): Promise<string[]> {
  if (result.dryRun || !result.rebuildStore || config.store.kind === 'mongo') return [];
  const local = new LocalDirectoryTarget({ dir: config.backup.dir });
  const held = new Set((await listBackups(local)).map((b) => b.session));
  const logs = new Set((await listSessions(config.paths.logs)).map((s) => s.session));
  const warnings: string[] = [];
  const databaseBackup = sqliteDatabaseBackup();
  for (const session of [...held].filter((s) => !result.sessions.includes(s)).sort()) {
    if (!logs.has(session)) {
      warnings.push(
        `the local backup of ${session} holds an analytics database from before the purge and its log is gone, so it cannot be backed up again (restore it, then run 'sat purge' again)`,
      );
      continue;
    }
    try {
      await backupSession(config, local, session, { databaseBackup, trigger: 'purge' });
    } catch (error) {
      warnings.push(
        `backing up ${session} again (its bundle holds the old database): ${(error as Error).message}`,
      );
    }
  }
  return warnings;
}

async function confirmed(ctx: CliContext, sessions: string[], options: PurgeFlags): Promise<boolean> {
  if (options.dryRun || options.yes) return true;
  if (!ctx.stdin.isTTY || !ctx.err.isTTY)
    throw new UsageError(
      `sat purge deletes ${sessions.length} session(s) for good and there is no terminal to ask on: add --yes (or --dry-run to see what would go)`,
    );
  const prompts = await import('@clack/prompts');
  const answer = await prompts.confirm({
    message: `delete ${sessions.length} session(s) (${sessions.slice(0, 3).join(', ')}${sessions.length > 3 ? ', ...' : ''}) everywhere? This cannot be undone`,
    output: ctx.err as NodeJS.WriteStream,
  });
  return !prompts.isCancel(answer) && answer === true;
}

function printResult(ctx: CliContext, result: PurgeResult): void {
  const verb = result.dryRun ? 'would delete' : 'deleted';
  const deleted = result.files.filter((f) => f.action !== 'scrub');
  const scrubbed = result.files.filter((f) => f.action === 'scrub');
  ctx.print(
    `${result.dryRun ? 'dry run: ' : ''}${result.sessions.length} session(s): ${verb} ${deleted.length} file(s) (${formatBytes(result.bytes)}), ${result.dryRun ? 'would remove' : 'removed'} their entries from ${scrubbed.length} shared file(s)`,
  );
  if (result.dryRun) for (const f of result.files) ctx.print(`  ${f.action.padEnd(7)} ${f.path}`);
  for (const t of result.targets) {
    const where = `${t.name} (${t.location})`;
    if (t.status === 'queued') ctx.print(`  ${where}: not reached, queued for the next purge: ${t.error}`);
    else
      ctx.print(
        `  ${where}: ${verb} ${t.keys.length} backup file(s)${t.retried.length ? `, and those of ${t.retried.length} earlier purge(s)` : ''}`,
      );
  }
  if (!result.dryRun) ctx.print(`  tombstones written: ${result.tombstones.length} (<logs>/.purged/)`);
  for (const warning of result.warnings) ctx.note(`sat: warning: ${warning}`);
}

/** `sat purge`: deletes sessions everywhere, leaving a tombstone for each. */
export const run: HandlerOf<typeof purgeCommand> = async (ctx, [args], options) => {
  const config = ctx.config();
  const sessions = await selectSessions(config, args, options);
  if (sessions.length === 0) {
    if (options.json) printJson(ctx, { sessions: [], dryRun: options.dryRun === true });
    else ctx.print('no session to purge');
    return 0;
  }
  if (!(await confirmed(ctx, sessions, options))) {
    ctx.note('sat: nothing purged');
    return 1;
  }
  const result = await purgeSessions(config, sessions, {
    targets: remoteTargets(config),
    dryRun: options.dryRun === true,
  });
  const storeWarning = await rebuildStore(ctx, result);
  if (storeWarning) result.warnings.push(storeWarning);
  result.warnings.push(...(await refreshLocalBundles(config, result)));
  const failed = result.warnings.length > 0;
  if (result.targets.some((t) => t.name !== 'local' && t.status === 'deleted'))
    result.warnings.push(
      "the other sessions' backups on the remote target hold an analytics database from before the purge: run 'sat backup --all' to replace them",
    );
  if (config.archive.s3?.bucket)
    result.warnings.push(
      `phase archives in s3://${config.archive.s3.bucket} are not rewritten: a purged session archived there stays until its phase archive is deleted`,
    );
  if (options.json) printJson(ctx, result);
  else printResult(ctx, result);
  return failed ? 1 : 0;
};
