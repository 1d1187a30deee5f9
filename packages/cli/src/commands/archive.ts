import {
  type ArchivePhaseResult,
  type ArchiveTierTarget,
  archivePhase,
  listArchives,
  type PruneArchivedPhaseResult,
  phasesDueForArchive,
  pruneArchivedPhase,
  type RestoreTier,
  restoreArchive,
  type SatConfig,
  type StorageTarget,
} from '@sat/core';
import { archiveTarget } from '../archive-target.js';
import { backupTarget } from '../backup-target.js';
import type { HandlerOf, OptionsOf } from '../command-spec.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { formatBytes, formatTime, printJson, printTable } from '../output.js';
import type {
  archiveAutoCommand,
  archiveListCommand,
  archivePhaseCommand,
  archiveRestoreCommand,
} from '../registry.js';

/** What `sat archive phase` and `sat archive auto` both take. */
type PruneFlags = OptionsOf<typeof archivePhaseCommand> | OptionsOf<typeof archiveAutoCommand>;

const TIERS: readonly RestoreTier[] = ['Standard', 'Bulk', 'Expedited'];

function interactive(ctx: CliContext, options: PruneFlags): boolean {
  return !options.json && Boolean(ctx.stdin.isTTY) && Boolean(ctx.out.isTTY);
}

async function confirm(ctx: CliContext, message: string): Promise<boolean> {
  const prompts = await import('@clack/prompts');
  const answer = await prompts.confirm({ message, output: ctx.err as NodeJS.WriteStream });
  return !prompts.isCancel(answer) && answer === true;
}

/** The backup target of the config, when it can be built (its sessions may be archived and pruned). */
async function configuredBackupTarget(
  ctx: CliContext,
  config: SatConfig,
): Promise<StorageTarget | undefined> {
  try {
    return await backupTarget(config, {});
  } catch (error) {
    ctx.note(`sat: the backup target is not used: ${(error as Error).message}`);
    return undefined;
  }
}

function phaseArg(arg: string | undefined, action: string): string {
  const phase = arg?.trim();
  if (!phase)
    throw new UsageError(
      `give the phase: sat archive ${action} <N> (see 'sat phase' and 'sat archive --help')`,
    );
  return phase;
}

function printArchived(ctx: CliContext, result: ArchivePhaseResult): void {
  ctx.print(
    `${result.status === 'unchanged' ? 'already archived' : 'archived'}: phase ${result.phase}, ${result.sessions.length} session(s), ${formatBytes(result.bytes)} → ${result.location}`,
  );
  ctx.print(
    `verified: checksums${result.verified.readBack ? ' and a full read-back' : ` (no read-back: the object is ${result.verified.state})`}`,
  );
  printTable(ctx, result.sessions, [
    { header: 'SESSION', value: (s) => s.session },
    { header: 'FROM', value: (s) => s.source },
    { header: 'FILES', value: (s) => s.files, align: 'right' },
    { header: 'SIZE', value: (s) => formatBytes(s.bytes), align: 'right' },
  ]);
  for (const s of result.skipped) ctx.note(`sat: ${s.session} left out: ${s.reason}`);
  for (const w of result.warnings) ctx.note(`sat: ${w}`);
}

function printPruned(ctx: CliContext, pruned: PruneArchivedPhaseResult): void {
  const local = pruned.removedLocal.reduce((n, r) => n + r.files.length, 0);
  const freed = pruned.removedLocal.reduce((n, r) => n + r.bytes, 0);
  ctx.print(
    `removed: ${pruned.removedBackups.length} session backup(s), ${local} local file(s) (${formatBytes(freed)}); 'sat archive restore ${pruned.phase}' brings them back`,
  );
  for (const k of pruned.keptBackups) ctx.note(`sat: kept backup ${k.bundleKey}: ${k.reason}`);
  for (const k of pruned.keptLocal) ctx.note(`sat: kept ${k.file}: ${k.reason}`);
}

/** Archives one phase, then (confirmed) removes the copies the verified archive makes redundant. */
async function archiveOne(
  ctx: CliContext,
  config: SatConfig,
  target: ArchiveTierTarget,
  backup: StorageTarget | undefined,
  phase: string,
  options: PruneFlags,
  confirmed: boolean,
): Promise<{ archive: ArchivePhaseResult; pruned?: PruneArchivedPhaseResult }> {
  const archive = await archivePhase(config, target, phase, { backupTarget: backup });
  if (!options.json) printArchived(ctx, archive);
  let go = confirmed;
  if (!go && interactive(ctx, options))
    go = await confirm(
      ctx,
      `The archive is verified. Remove phase ${phase}'s session backups${options.keepLocal ? '' : ' and local files'} now?`,
    );
  if (!go) {
    if (!options.json)
      ctx.note(
        `sat: nothing removed; run 'sat archive phase ${phase} --yes' to remove the copies the archive holds`,
      );
    return { archive };
  }
  const pruned = await pruneArchivedPhase(config, target, phase, {
    backupTarget: backup,
    removeLocal: !options.keepLocal,
  });
  if (!options.json) printPruned(ctx, pruned);
  return { archive, pruned };
}

/** `sat archive phase <N>`: archive one phase, then (confirmed) remove the copies it holds. */
export const phase: HandlerOf<typeof archivePhaseCommand> = async (ctx, [arg], options) => {
  const phase = phaseArg(arg, 'phase');
  const config = ctx.config();
  const target = await archiveTarget(config);
  const backup = await configuredBackupTarget(ctx, config);
  const result = await archiveOne(ctx, config, target, backup, phase, options, options.yes === true);
  if (options.json) printJson(ctx, { target: target.name, location: target.location, ...result });
  return 0;
};

/** `sat archive auto`: archive every phase older than the newest `archive.keepPhases`. */
export const auto: HandlerOf<typeof archiveAutoCommand> = async (ctx, _args, options) => {
  const config = ctx.config();
  const target = await archiveTarget(config);
  const backup = await configuredBackupTarget(ctx, config);
  const keepPhases = config.archive.keepPhases;
  const due = await phasesDueForArchive(config, { keepPhases, backupTarget: backup, archiveTarget: target });
  if (due.length === 0) {
    if (options.json) printJson(ctx, { keepPhases, due: [], archived: [] });
    else ctx.print(`nothing to archive: every phase older than the newest ${keepPhases} is archived`);
    return 0;
  }
  const list = due.map((d) => `${d.phase} (${d.pending.length} session(s))`).join(', ');
  let go = options.yes === true;
  if (!go && interactive(ctx, options))
    go = await confirm(
      ctx,
      `Archive phase(s) ${list} to ${target.location} and then remove their local copies and backups?`,
    );
  else if (!go)
    throw new UsageError(
      `${due.length} phase(s) older than the newest ${keepPhases} are due for archiving: ${list}; run 'sat archive auto --yes' to archive them (no terminal to ask on)`,
    );
  if (!go) {
    ctx.note('sat: nothing archived');
    return 0;
  }
  const archived = [];
  for (const d of due) archived.push(await archiveOne(ctx, config, target, backup, d.phase, options, true));
  if (options.json) printJson(ctx, { keepPhases, due, archived });
  return 0;
};

/** `sat archive list`: the phase archives in the bucket. */
export const list: HandlerOf<typeof archiveListCommand> = async (ctx, _args, options) => {
  const config = ctx.config();
  const target = await archiveTarget(config);
  const archives = await listArchives(target);
  if (options.json) {
    printJson(ctx, { target: target.name, location: target.location, archives });
    return 0;
  }
  if (archives.length === 0) {
    ctx.print(`no phase archives in ${target.location}`);
    return 0;
  }
  printTable(ctx, archives, [
    { header: 'PHASE', value: (a) => a.phase },
    { header: 'SIZE', value: (a) => formatBytes(a.bytes), align: 'right' },
    { header: 'TIER', value: (a) => a.state?.storageClass },
    { header: 'STATE', value: (a) => (a.complete ? a.state?.state : 'incomplete: archive the phase again') },
    { header: 'ARCHIVED', value: (a) => formatTime(a.modified.toISOString()) },
  ]);
  return 0;
};

/** `sat archive restore <N>`: restore a phase archive (from Glacier, in two steps or with --wait). */
export const restore: HandlerOf<typeof archiveRestoreCommand> = async (ctx, [arg], options) => {
  const phase = phaseArg(arg, 'restore');
  const tier = (options.tier ?? 'Standard') as RestoreTier;
  if (!TIERS.includes(tier))
    throw new UsageError(`--tier must be Standard, Bulk or Expedited, not '${options.tier}'`);
  const days = Number(options.days ?? '7');
  if (!Number.isInteger(days) || days < 1)
    throw new UsageError(`--days must be a whole number of days, 1 or more, not '${options.days}'`);
  const pollSeconds = Number(options.pollSeconds ?? '60');
  if (!(pollSeconds > 0))
    throw new UsageError(`--poll-seconds must be a positive number, not '${options.pollSeconds}'`);
  const config = ctx.config();
  const target = await archiveTarget(config);
  let last = '';
  const result = await restoreArchive(config, target, phase, {
    wait: options.wait === true,
    tier,
    days,
    pollMs: pollSeconds * 1000,
    force: options.force,
    onStatus: (state) => {
      if (options.json || state.state === last) return;
      last = state.state;
      ctx.note(`sat: archive of phase ${phase}: ${state.state} (${state.storageClass})`);
    },
  });
  if (options.json) printJson(ctx, result);
  else if (result.status === 'restoring') {
    ctx.print(
      `restore of phase ${phase} from ${result.state.storageClass} ${result.request === 'in-progress' ? 'is under way' : `requested (${tier}, readable for ${days} days)`}; run 'sat archive restore ${phase}' again when it is ready, or add --wait`,
    );
  } else {
    const files = result.sessions.reduce((n, s) => n + s.files.length, 0);
    ctx.print(
      `restored phase ${phase}: ${result.sessions.length} session(s), ${files} file(s), verified byte for byte`,
    );
    for (const f of result.failed) ctx.note(`sat: ${f.session} not restored: ${f.error}`);
  }
  return result.failed.length > 0 ? 1 : 0;
};
