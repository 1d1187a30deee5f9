import { isValidSessionId, listBackups, restoreSession } from '@sat/core';
import { backupTarget } from '../backup-target.js';
import type { HandlerOf } from '../command-spec.js';
import { UsageError } from '../errors.js';
import { formatBytes, printJson, printTable } from '../output.js';
import type { restoreCommand } from '../registry.js';
import { transferBar } from '../transfer-progress.js';

/** The session an argument names: a full id, or a unique prefix of a backed-up session. */
async function sessionOf(arg: string, sessions: () => Promise<string[]>): Promise<string> {
  const known = await sessions();
  if (known.includes(arg)) return arg;
  const matches = [...new Set(known.filter((id) => id.startsWith(arg)))];
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1)
    throw new UsageError(
      `'${arg}' matches ${matches.length} backed-up sessions (${matches.slice(0, 3).join(', ')}, ...): give more of the id`,
    );
  if (!isValidSessionId(arg)) throw new UsageError(`'${arg}' is not a session id`);
  return arg;
}

/** Restores a session from its backup: verified, extracted safely, byte-identical. */
export const run: HandlerOf<typeof restoreCommand> = async (ctx, args, options) => {
  const config = ctx.config();
  const target = await backupTarget(config, options);
  const session = await sessionOf(args[0]!, async () => (await listBackups(target)).map((b) => b.session));
  const bar = await transferBar(ctx);
  let result: Awaited<ReturnType<typeof restoreSession>>;
  try {
    result = await restoreSession(config, target, session, { force: options.force, onProgress: bar.update });
  } finally {
    bar.stop();
  }
  if (options.json) {
    printJson(ctx, result);
    return 0;
  }
  printTable(ctx, result.files, [
    { header: 'FILE', value: (f) => f.file },
    { header: 'ACTION', value: (f) => f.action },
    { header: 'SIZE', value: (f) => formatBytes(f.bytes), align: 'right' },
    { header: 'NOTE', value: (f) => f.reason },
  ]);
  const written = result.files.filter((f) => f.action === 'restored' || f.action === 'overwritten').length;
  ctx.note(
    `sat: restored session ${session} from ${result.location} (${formatBytes(result.bytes)}, sha256 verified): ${written} file(s) written, ${result.files.length - written} already in place or skipped`,
  );
  return 0;
};
