import { spawn } from 'node:child_process';
import { assertCloudAllowed, probeStorageTarget, type S3Settings } from '@sat/core';
import { loadAdapter } from '../adapter-loader.js';
import { loadArchiveS3, s3ClientConfig } from '../archive-target.js';
import { backupTarget, googleEndpoints } from '../backup-target.js';
import type { HandlerOf, OptionsOf } from '../command-spec.js';
import { updateConfigFile } from '../config-file.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { printJson } from '../output.js';
import type { setupGdriveCommand, setupS3Command } from '../registry.js';

type S3Flags = OptionsOf<typeof setupS3Command>;

/** Opens `url` in the desktop's browser, if there is one; failures are ignored (the URL is printed too). */
function openInBrowser(url: string): void {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '', url]]
        : ['xdg-open', [url]];
  try {
    const child = spawn(command, args as string[], { stdio: 'ignore', detached: true });
    child.on('error', () => {});
    child.unref();
  } catch {}
}

/** Asks for a value on a terminal (hidden when secret); undefined when not interactive or cancelled. */
async function ask(ctx: CliContext, message: string, secret: boolean): Promise<string | undefined> {
  if (!ctx.stdin.isTTY || !ctx.err.isTTY) return undefined;
  const prompts = await import('@clack/prompts');
  const answer = secret
    ? await prompts.password({ message, output: ctx.err as NodeJS.WriteStream })
    : await prompts.text({ message, output: ctx.err as NodeJS.WriteStream });
  return prompts.isCancel(answer) || !answer ? undefined : String(answer).trim();
}

/** `sat setup gdrive`: OAuth sign-in, the token saved, Drive made the backup target, a round trip checked. */
export const gdrive: HandlerOf<typeof setupGdriveCommand> = async (ctx, _args, options) => {
  const config = ctx.config();
  assertCloudAllowed(config, 'set up Google Drive (sat setup gdrive)');
  const gdrive = await loadAdapter(
    '@sat/backup-gdrive',
    'sat setup gdrive',
    () => import('@sat/backup-gdrive'),
  );
  ctx.note(gdrive.GDRIVE_SETUP_STEPS);
  const clientId =
    options.clientId ?? process.env.SAT_GDRIVE_CLIENT_ID ?? (await ask(ctx, 'OAuth client ID', false));
  const clientSecret = process.env.SAT_GDRIVE_CLIENT_SECRET ?? (await ask(ctx, 'OAuth client secret', true));
  if (!clientId || !clientSecret)
    throw new UsageError(
      'sat setup gdrive needs the OAuth client ID and secret: --client-id, and SAT_GDRIVE_CLIENT_SECRET in the environment (or answer the prompts on a terminal)',
    );
  const endpoints = googleEndpoints();
  const result = await gdrive.setupGoogleDrive({
    credentialsDir: config.paths.credentials,
    clientId,
    clientSecret,
    print: (line) => ctx.note(line),
    openUrl: (url) => {
      ctx.note(`Open this address in a browser to let sat write its backups to your Drive:\n\n  ${url}\n`);
      if (options.browser !== false) openInBrowser(url);
    },
    ...(process.env.SAT_GDRIVE_AUTH_URL ? { authorizationUrl: process.env.SAT_GDRIVE_AUTH_URL } : {}),
    ...endpoints,
  });
  const configFile =
    options.default === false
      ? undefined
      : updateConfigFile(config, (file) => ({ ...file, backup: { ...file.backup, target: 'gdrive' } }));
  // The new token is used at once: create the folder and check a round trip.
  const target = await backupTarget(config, { target: 'gdrive' });
  const probe = await probeStorageTarget(target);
  if (options.json) {
    printJson(ctx, { ...result, configFile, location: target.location, probe });
    return probe.ok ? 0 : 1;
  }
  ctx.print(
    `Google Drive connected${result.email ? ` as ${result.email}` : ''}; token stored in ${result.tokenFile} (mode 0600, git-ignored)`,
  );
  ctx.print(
    probe.ok
      ? `checked: upload, checksums, read-back and delete in ${target.location} work`
      : `the connection check failed: ${probe.error?.message}`,
  );
  if (configFile)
    ctx.print(`backup.target is now gdrive in ${configFile}: 'sat backup' and automatic backups go to Drive`);
  else ctx.print("use it with 'sat backup --target gdrive', or set backup.target to gdrive in the config");
  return probe.ok ? 0 : 1;
};

function s3Flags(options: S3Flags, current: S3Settings | undefined): S3Settings {
  const bucket = options.bucket ?? current?.bucket;
  if (!bucket)
    throw new UsageError(
      'sat setup s3 needs a bucket: --bucket <name> (or archive.s3.bucket in the config, SAT_S3_BUCKET)',
    );
  const storageClass = options.storageClass ?? current?.storageClass ?? 'GLACIER';
  if (storageClass !== 'GLACIER' && storageClass !== 'DEEP_ARCHIVE')
    throw new UsageError(`--storage-class must be GLACIER or DEEP_ARCHIVE, not '${storageClass}'`);
  const days =
    options.transitionDays === undefined ? (current?.transitionDays ?? 0) : Number(options.transitionDays);
  if (!Number.isInteger(days) || days < 0)
    throw new UsageError(
      `--transition-days must be a whole number of days, 0 or more, not '${options.transitionDays}'`,
    );
  const endpoint = options.endpoint ?? current?.endpoint;
  return {
    bucket,
    prefix: options.prefix ?? current?.prefix ?? '',
    region: options.region ?? current?.region,
    endpoint,
    forcePathStyle: current?.forcePathStyle ?? endpoint !== undefined,
    storageClass,
    transitionDays: days,
  };
}

/** `sat setup s3`: bucket access check, the Glacier lifecycle rule, archive.s3 saved in the config. */
export const s3: HandlerOf<typeof setupS3Command> = async (ctx, _args, options) => {
  const config = ctx.config();
  assertCloudAllowed(config, 'set up an S3 bucket (sat setup s3)');
  const settings = s3Flags(options, config.archive.s3);
  const s3 = await loadArchiveS3();
  const result = await s3.setupS3Bucket({
    bucket: settings.bucket,
    prefix: settings.prefix || undefined,
    clientConfig: s3ClientConfig(settings),
    storageClass: settings.storageClass,
    transitionDays: settings.transitionDays,
    dryRun: options.dryRun,
  });
  const configFile = options.dryRun
    ? undefined
    : updateConfigFile(config, (file) => ({
        ...file,
        archive: {
          ...file.archive,
          s3: {
            ...file.archive?.s3,
            bucket: settings.bucket,
            ...(settings.prefix ? { prefix: settings.prefix } : {}),
            ...(settings.region ? { region: settings.region } : {}),
            ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
            storageClass: settings.storageClass,
            transitionDays: settings.transitionDays,
          },
        },
      }));
  if (options.json) {
    printJson(ctx, { ...result, configFile });
    return 0;
  }
  ctx.print(
    `bucket ${result.location}: reachable, and these credentials can write, read back and delete (${Math.round(result.access.roundTripMs)} ms)`,
  );
  const rule = `lifecycle rule '${result.ruleId}' on ${result.archivePrefix}: ${result.storageClass} after ${result.transitionDays} day(s)`;
  ctx.print(
    result.lifecycle === 'dry-run'
      ? `would put ${rule} (dry run: nothing changed)`
      : `${rule}: ${result.lifecycle}${result.otherRules.length ? ` (kept the bucket's other rules: ${result.otherRules.join(', ')})` : ''}`,
  );
  if (configFile) ctx.print(`archive.s3 saved in ${configFile}`);
  ctx.print('');
  for (const line of result.explanation) ctx.print(`- ${line}`);
  return 0;
};
