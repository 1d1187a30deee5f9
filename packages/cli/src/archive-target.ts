import { type ArchiveTierTarget, assertCloudAllowed, type S3Settings, type SatConfig } from '@sat/core';
import { loadAdapter } from './adapter-loader.js';
import { UsageError } from './errors.js';

/** What `@sat/archive-s3` exports that the CLI uses (declared here so it loads only when needed). */
type ArchiveS3Module = typeof import('@sat/archive-s3');

/**
 * Loads `@sat/archive-s3` on first use, so commands that do not archive never load the AWS SDK.
 * A missing package is a `UsageError` that says what to install.
 */
export async function loadArchiveS3(): Promise<ArchiveS3Module> {
  // sat supports Node 20; the AWS SDK's notice that it will stop doing so is not for sat's users.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return loadAdapter(
    '@sat/archive-s3',
    "phase archives on S3 ('sat archive', 'sat setup s3')",
    () => import('@sat/archive-s3'),
  );
}

/** The S3 settings of the config, or a UsageError that says how to set them. */
export function archiveSettings(config: SatConfig): NonNullable<SatConfig['archive']['s3']> {
  const s3 = config.archive.s3;
  if (!s3?.bucket) {
    throw new UsageError(
      "no S3 bucket for archives: set archive.s3.bucket in the sat config (or SAT_S3_BUCKET), then run 'sat setup s3'. AWS credentials come from the standard AWS chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE), never from the sat config",
    );
  }
  return s3;
}

/**
 * The `S3Target` on the config's `archive.s3` (bucket, prefix, region, endpoint, path style), the
 * target of `sat archive` and of `sat backup --target s3`. Credentials come from the standard AWS
 * chain.
 *
 * @example
 * const target = await s3Target(ctx.config());
 */
export async function s3Target(config: SatConfig): Promise<ArchiveTierTarget> {
  assertCloudAllowed(
    config,
    `use the S3 bucket${config.archive.s3?.bucket ? ` ${config.archive.s3.bucket}` : ''}`,
  );
  const s3 = archiveSettings(config);
  const { S3Target } = await loadArchiveS3();
  return new S3Target({
    bucket: s3.bucket,
    prefix: s3.prefix || undefined,
    clientConfig: s3ClientConfig(s3),
  });
}

/**
 * The S3 client settings of `archive.s3`: region, endpoint and path style (credentials come from
 * the AWS chain, never from the config).
 */
export function s3ClientConfig(s3: S3Settings): {
  region?: string;
  endpoint?: string;
  forcePathStyle: boolean;
} {
  return {
    ...(s3.region ? { region: s3.region } : {}),
    ...(s3.endpoint ? { endpoint: s3.endpoint } : {}),
    forcePathStyle: s3.forcePathStyle,
  };
}

/** The target phase archives go to (today always S3: `archive.target` is `s3`). */
export const archiveTarget = s3Target;
