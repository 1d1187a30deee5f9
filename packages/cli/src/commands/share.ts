import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { assertCloudAllowed, type ShareResult, shareSession } from '@sat/core';
import { backupTarget } from '../backup-target.js';
import type { HandlerOf, OptionsOf } from '../command-spec.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { formatBytes, printJson } from '../output.js';
import type { shareCommand } from '../registry.js';
import { resolveSession } from '../session-arg.js';

type ShareFlags = OptionsOf<typeof shareCommand>;

/** Who may read the bundle on Drive. */
type Grant = { email: string } | { anyone: true };

/** The part of the Drive target `sat share` uses (the adapter is loaded only for --target gdrive). */
interface SharingTarget {
  location: string;
  put(key: string, source: NodeJS.ReadableStream, options: { expectedSha256: string }): Promise<unknown>;
  share(
    key: string,
    grant: Grant,
  ): Promise<{ fileId: string; link: string; permission: { id: string; type: string; role: string } }>;
}

/** Where a shared bundle goes on Drive. */
const SHARED_FOLDER = 'SubAgentTracking/Shared';

/** What `sat share --json` prints. */
interface ShareOutput extends ShareResult {
  drive?: {
    key: string;
    fileId: string;
    link: string;
    permission: { id: string; type: string; role: string };
  };
}

function checkFlags(options: ShareFlags): void {
  if (options.target !== undefined && options.target !== 'gdrive')
    throw new UsageError(
      `sat share uploads only to gdrive (Google Drive), not '${options.target}'; without --target it writes a file`,
    );
  if (options.with !== undefined && options.anyone)
    throw new UsageError('give --with EMAIL (one person) or --anyone (anyone with the link), not both');
  if ((options.with !== undefined || options.anyone) && options.target !== 'gdrive')
    throw new UsageError('--with and --anyone say who may open the bundle on Drive: add --target gdrive');
}

async function askGrant(ctx: CliContext): Promise<Grant> {
  const prompts = await import('@clack/prompts');
  const io = { input: ctx.stdin as NodeJS.ReadStream, output: ctx.err as NodeJS.WriteStream };
  const who = await prompts.select({
    message: 'Who may open the shared session on Google Drive?',
    options: [
      { value: 'person', label: 'one person (their e-mail address)' },
      { value: 'anyone', label: 'anyone with the link' },
    ],
    ...io,
  });
  if (prompts.isCancel(who)) throw new UsageError('sharing cancelled: nothing was uploaded');
  if (who === 'anyone') return { anyone: true };
  const email = await prompts.text({
    message: 'Their e-mail address',
    validate: (value) => (/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value ?? '') ? undefined : 'an e-mail address'),
    ...io,
  });
  if (prompts.isCancel(email)) throw new UsageError('sharing cancelled: nothing was uploaded');
  return { email: String(email) };
}

/** Who may read the bundle: the flags, else the answer on a terminal; refused without either. */
async function decideGrant(ctx: CliContext, options: ShareFlags): Promise<Grant | undefined> {
  if (options.target !== 'gdrive') return undefined;
  if (options.with !== undefined) {
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(options.with))
      throw new UsageError(`--with needs an e-mail address, not ${JSON.stringify(options.with)}`);
    return { email: options.with };
  }
  if (options.anyone) return { anyone: true };
  if (!options.json && ctx.stdin.isTTY && ctx.err.isTTY) return askGrant(ctx);
  throw new UsageError(
    'say who may open the shared session on Drive: --with EMAIL (one person) or --anyone (anyone with the link)',
  );
}

async function upload(
  ctx: CliContext,
  result: ShareResult,
  grant: Grant,
): Promise<NonNullable<ShareOutput['drive']>> {
  const target = (await backupTarget(ctx.config(), { target: 'gdrive' })) as unknown as SharingTarget;
  const key = `${SHARED_FOLDER}/${basename(result.file)}`;
  await target.put(key, createReadStream(result.file), { expectedSha256: result.sha256 });
  const shared = await target.share(key, grant);
  return { key, ...shared };
}

/** Writes a session's bundle for someone else, and with --target gdrive uploads and shares it. */
export const run: HandlerOf<typeof shareCommand> = async (ctx, args, options) => {
  checkFlags(options);
  const config = ctx.config();
  // Local-only mode refuses the upload before anything is written.
  if (options.target === 'gdrive') assertCloudAllowed(config, 'share a session on Google Drive');
  const session = await resolveSession(config.paths.logs, args[0]!);
  const grant = await decideGrant(ctx, options);
  const result = await shareSession(config, session, {
    ...(options.out !== undefined ? { out: options.out } : {}),
    redactPrompts: options.redactPrompts === true,
    onIssue: (issue) => ctx.note(`sat: warning: ${issue.file}: ${issue.kind}: ${issue.message} (left out)`),
  });
  const output: ShareOutput = { ...result };
  if (grant) output.drive = await upload(ctx, result, grant);
  if (options.json) {
    printJson(ctx, output);
    return 0;
  }
  ctx.print(
    `shared session ${session}: ${result.events} events, ${formatBytes(result.bytes)}${result.shared.redactPrompts ? ', prompt and response text left out' : ''} → ${result.file}`,
  );
  ctx.print(
    `bundle ${result.id.slice(0, 16)} (sha256 ${result.sha256.slice(0, 16)}…), by ${result.shared.user}@${result.shared.machine}`,
  );
  if (output.drive) {
    const who = grant && 'email' in grant ? grant.email : 'anyone with the link';
    ctx.print(`on Google Drive (${who} may open it): ${output.drive.link}`);
  }
  ctx.note(`the receiver runs: sat import ${output.drive ? output.drive.link : basename(result.file)}`);
  return 0;
};
