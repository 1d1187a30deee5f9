import {
  GetBucketLifecycleConfigurationCommand,
  HeadBucketCommand,
  type LifecycleRule,
  PutBucketLifecycleConfigurationCommand,
  type S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { ARCHIVE_ROOT_PREFIX, probeStorageTarget, SatError } from '@sat/core';
import { staticSecrets } from './s3-client.js';
import { mapS3Error, s3ErrorName } from './s3-errors.js';
import { S3Target } from './s3-target.js';

/** The ID of the lifecycle rule `setupS3Bucket` puts (and later replaces, never duplicates). */
export const LIFECYCLE_RULE_ID = 'sat-archive-to-glacier';

/** Options of {@link setupS3Bucket}. */
export interface SetupS3Options {
  bucket: string;
  /** Key prefix inside the bucket (as in the target). Default none. */
  prefix?: string;
  /** A ready client; default one made from `clientConfig`. */
  client?: S3Client;
  clientConfig?: S3ClientConfig;
  /** The tier archives move to. `GLACIER` is S3 Glacier Flexible Retrieval. */
  storageClass: 'GLACIER' | 'DEEP_ARCHIVE';
  /** Days after upload before they move (0: at the next daily lifecycle run). Default 0. */
  transitionDays?: number;
  /** Only check and report; change no lifecycle configuration. Default false. */
  dryRun?: boolean;
}

/** What {@link setupS3Bucket} found and did. */
export interface SetupS3Result {
  bucket: string;
  location: string;
  /** The bucket exists and the credentials could put, read back and delete a probe object. */
  access: { ok: boolean; roundTripMs: number };
  /** The key prefix the rule applies to (`<prefix>/SubAgentTracking/Archive/`). */
  archivePrefix: string;
  ruleId: string;
  storageClass: 'GLACIER' | 'DEEP_ARCHIVE';
  transitionDays: number;
  /** `created`, `updated` (our rule was there with other settings), `unchanged`, or `dry-run`. */
  lifecycle: 'created' | 'updated' | 'unchanged' | 'dry-run';
  /** IDs of the bucket's other lifecycle rules, kept as they were. */
  otherRules: string[];
  /** What people should know about lifecycle transitions, minimum charges and restores. */
  explanation: string[];
}

/**
 * What to know before archives go to Glacier: the 128 KB lifecycle minimum, the 90 / 180-day
 * minimum storage charges and the restore times.
 */
export function lifecycleExplanation(
  storageClass: 'GLACIER' | 'DEEP_ARCHIVE',
  transitionDays: number,
): string[] {
  const tier =
    storageClass === 'GLACIER'
      ? 'S3 Glacier Flexible Retrieval (GLACIER)'
      : 'S3 Glacier Deep Archive (DEEP_ARCHIVE)';
  return [
    `Phase archives under SubAgentTracking/Archive/ move to ${tier} ${transitionDays === 0 ? 'at the next daily lifecycle run after upload' : `${transitionDays} day(s) after upload`}.`,
    'Objects smaller than 128 KB are not transitioned by lifecycle rules (the S3 default minimum object size for transitions since September 2024): small manifests stay in S3 Standard, which costs less than Glacier would for them.',
    'Minimum storage charge: GLACIER bills at least 90 days, DEEP_ARCHIVE at least 180 days; deleting or overwriting an archive earlier is charged for the remaining days.',
    storageClass === 'GLACIER'
      ? "Restores from GLACIER take 1-5 minutes (Expedited), 3-5 hours (Standard) or 5-12 hours (Bulk); 'sat archive restore <phase> --wait' requests one, polls, then downloads."
      : "Restores from DEEP_ARCHIVE take within 12 hours (Standard) or within 48 hours (Bulk; Expedited is not offered); 'sat archive restore <phase> --wait' requests one, polls, then downloads.",
    'A restore makes a temporary copy for the days you ask (default 7), billed as S3 Standard plus the retrieval fee.',
  ];
}

function ourRule(
  archivePrefix: string,
  storageClass: 'GLACIER' | 'DEEP_ARCHIVE',
  days: number,
): LifecycleRule {
  return {
    ID: LIFECYCLE_RULE_ID,
    Status: 'Enabled',
    Filter: { Prefix: archivePrefix },
    Transitions: [{ Days: days, StorageClass: storageClass }],
    AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
  };
}

function sameRule(a: LifecycleRule, b: LifecycleRule): boolean {
  const shape = (r: LifecycleRule) =>
    JSON.stringify({
      status: r.Status,
      prefix: r.Filter?.Prefix ?? r.Prefix,
      transitions: (r.Transitions ?? []).map((t) => [t.Days, t.StorageClass]),
      abort: r.AbortIncompleteMultipartUpload?.DaysAfterInitiation,
    });
  return shape(a) === shape(b);
}

/**
 * Prepares a bucket for phase archives: checks that it exists and that the credentials can put,
 * read back and delete a probe object, then reads the bucket's lifecycle configuration and
 * merges one rule (ID {@link LIFECYCLE_RULE_ID}, prefix `<prefix>/SubAgentTracking/Archive/`)
 * that moves archives to `storageClass` after `transitionDays`. Every other rule is kept as it
 * was; running it again changes nothing. Throws `TARGET_ERROR` (no bucket, access denied) or
 * `TARGET_UNAVAILABLE`, never with a credential in the message.
 *
 * @example
 * const result = await setupS3Bucket({ bucket: 'my-archive', storageClass: 'GLACIER', transitionDays: 0 });
 * for (const line of result.explanation) console.log(line);
 */
export async function setupS3Bucket(options: SetupS3Options): Promise<SetupS3Result> {
  const transitionDays = options.transitionDays ?? 0;
  if (!Number.isInteger(transitionDays) || transitionDays < 0)
    throw new SatError(
      'USAGE',
      `[archive-s3] transitionDays must be a whole number of days, 0 or more, got ${transitionDays}`,
    );
  const target = new S3Target({
    bucket: options.bucket,
    prefix: options.prefix,
    client: options.client,
    clientConfig: options.clientConfig,
  });
  const client = target.client;
  const context = { location: target.location, secrets: staticSecrets(options.clientConfig) };
  try {
    await client.send(new HeadBucketCommand({ Bucket: options.bucket }));
  } catch (error) {
    const name = s3ErrorName(error);
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    const missing = name === 'NotFound' || name === 'NoSuchBucket' || status === 404;
    throw mapS3Error(missing ? Object.assign(error as object, { name: 'NoSuchBucket' }) : error, {
      ...context,
      action: `check bucket ${options.bucket}`,
    });
  }
  const probe = await probeStorageTarget(target);
  if (!probe.ok) {
    throw new SatError(
      probe.error?.retryable ? 'TARGET_UNAVAILABLE' : 'TARGET_ERROR',
      `[archive-s3] bucket ${options.bucket} exists, but a probe object could not be written, read back and deleted: ${probe.error?.message}`,
      { details: { bucket: options.bucket, retryable: probe.error?.retryable ?? false } },
    );
  }
  const archivePrefix = target.objectKey(ARCHIVE_ROOT_PREFIX);
  let rules: LifecycleRule[] = [];
  let minimumSize: string | undefined;
  try {
    const current = await client.send(new GetBucketLifecycleConfigurationCommand({ Bucket: options.bucket }));
    rules = current.Rules ?? [];
    minimumSize = current.TransitionDefaultMinimumObjectSize;
  } catch (error) {
    if (s3ErrorName(error) !== 'NoSuchLifecycleConfiguration')
      throw mapS3Error(error, {
        ...context,
        action: `read the lifecycle configuration of ${options.bucket}`,
      });
  }
  const wanted = ourRule(archivePrefix, options.storageClass, transitionDays);
  const existing = rules.find((r) => r.ID === LIFECYCLE_RULE_ID);
  const others = rules.filter((r) => r.ID !== LIFECYCLE_RULE_ID);
  let lifecycle: SetupS3Result['lifecycle'] = existing
    ? sameRule(existing, wanted)
      ? 'unchanged'
      : 'updated'
    : 'created';
  if (options.dryRun) lifecycle = 'dry-run';
  else if (lifecycle !== 'unchanged') {
    try {
      await client.send(
        new PutBucketLifecycleConfigurationCommand({
          Bucket: options.bucket,
          LifecycleConfiguration: { Rules: [...others, wanted] },
          ...(minimumSize
            ? { TransitionDefaultMinimumObjectSize: minimumSize as 'all_storage_classes_128K' }
            : {}),
        }),
      );
    } catch (error) {
      throw mapS3Error(error, { ...context, action: `put the lifecycle rule on ${options.bucket}` });
    }
  }
  return {
    bucket: options.bucket,
    location: target.location,
    access: { ok: true, roundTripMs: probe.roundTripMs },
    archivePrefix,
    ruleId: LIFECYCLE_RULE_ID,
    storageClass: options.storageClass,
    transitionDays,
    lifecycle,
    otherRules: others.map((r) => r.ID ?? '(no id)'),
    explanation: lifecycleExplanation(options.storageClass, transitionDays),
  };
}
