import { isSatError, SatError } from '@sat/core';

/** Package tag at the start of every message. */
export const PKG = '[archive-s3]';

/** What the SDK's errors carry that the mapping reads (no field of it is ever copied into a message). */
interface SdkErrorShape {
  name?: string;
  code?: string;
  Code?: string;
  message?: string;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number };
}

const NOT_FOUND = new Set(['NoSuchKey', 'NotFound', 'NoSuchVersion']);
const THROTTLED = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'RequestThrottled',
  'TooManyRequestsException',
  'ServiceUnavailable',
  'InternalError',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'NetworkingError',
  // Another writer replaced the object between two reads: reading again sees a consistent version.
  'PreconditionFailed',
]);
const NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
]);
const DIGEST = new Set([
  'BadDigest',
  'InvalidDigest',
  'XAmzContentSHA256Mismatch',
  'XAmzContentChecksumMismatch',
]);

/** Fixes people can apply, by S3 error name. */
const FIXES: Record<string, string> = {
  AccessDenied:
    'check which AWS credentials are in use (AWS_ACCESS_KEY_ID / AWS_PROFILE) and allow them s3:GetObject, s3:PutObject, s3:DeleteObject, s3:ListBucket, s3:RestoreObject and s3:GetLifecycleConfiguration/PutLifecycleConfiguration on the bucket',
  AllAccessDisabled: 'access to the bucket is disabled: check it in the AWS console',
  NoSuchBucket:
    "the bucket does not exist: create it, or fix archive.s3.bucket / SAT_S3_BUCKET (then run 'sat setup s3')",
  InvalidAccessKeyId:
    'the AWS access key is not known: check AWS_ACCESS_KEY_ID / AWS_PROFILE (credentials come from the standard AWS chain)',
  SignatureDoesNotMatch:
    'the AWS secret key does not match the access key: check AWS_SECRET_ACCESS_KEY / AWS_PROFILE',
  ExpiredToken:
    'the AWS session token has expired: refresh your credentials (aws sso login, or new temporary keys)',
  InvalidToken: 'the AWS session token is invalid: refresh your credentials',
  CredentialsProviderError:
    'no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE (never in the sat config)',
  PermanentRedirect: 'the bucket is in another region: set archive.s3.region / SAT_S3_REGION to its region',
  AuthorizationHeaderMalformed: 'the region is wrong for this bucket: set archive.s3.region / SAT_S3_REGION',
  InvalidObjectState:
    "the object is in an archive tier (Glacier) and not restored: run 'sat archive restore <phase>' and wait for the restore",
  InvalidBucketName: 'the bucket name is not valid: fix archive.s3.bucket / SAT_S3_BUCKET',
};

/** Known values that must never appear in a message (set from a static credentials object). */
function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join('***');
  // AWS access key ids (AKIA..., ASIA...), whatever produced the text.
  return out.replace(/\b(AKIA|ASIA|AROA|AIDA)[A-Z0-9]{12,}\b/g, '***');
}

/** The name of an SDK (or Node) error, as S3 or the socket layer spells it. */
export function s3ErrorName(error: unknown): string {
  const e = (error ?? {}) as SdkErrorShape;
  return e.Code ?? e.name ?? e.code ?? 'Error';
}

/** The HTTP status of an SDK error (undefined for network failures). */
export function s3HttpStatus(error: unknown): number | undefined {
  return ((error ?? {}) as SdkErrorShape).$metadata?.httpStatusCode;
}

/** Where an S3 call went wrong, for the message. */
export interface S3ErrorContext {
  /** What was being done: `read s3://bucket/key`. */
  action: string;
  key?: string;
  location: string;
  /** Values to redact if they ever showed up in a message (static credentials). */
  secrets?: readonly string[];
}

/**
 * Maps a failure of an S3 call to a `SatError` at the package boundary: a missing object →
 * `NOT_FOUND`; throttling, 5xx, timeouts and network failures → `TARGET_UNAVAILABLE`
 * (`details.retryable`; the SDK's own retry strategy has already retried them); bytes damaged in
 * transit (`BadDigest`) → `CHECKSUM_MISMATCH`; anything else (access denied, no such bucket,
 * unknown key id, an archived object) → `TARGET_ERROR` with the fix. Messages are written here,
 * never copied from the service, and never hold a credential.
 */
export function mapS3Error(error: unknown, context: S3ErrorContext): SatError {
  if (isSatError(error)) return error;
  const name = s3ErrorName(error);
  const status = s3HttpStatus(error);
  const secrets = context.secrets ?? [];
  const details = { key: context.key, location: context.location, s3Error: name, httpStatus: status };
  if (NOT_FOUND.has(name) || (status === 404 && name !== 'NoSuchBucket')) {
    return new SatError('NOT_FOUND', `${PKG} no object ${context.key ?? ''} in ${context.location}`, {
      cause: error,
      details: { ...details, retryable: false },
    });
  }
  if (DIGEST.has(name)) {
    return new SatError(
      'CHECKSUM_MISMATCH',
      `${PKG} cannot ${context.action}: S3 refused the bytes, their checksum did not match (${name}); nothing was stored (retry)`,
      { cause: error, details: { ...details, retryable: true } },
    );
  }
  const sysCode = ((error ?? {}) as { code?: string }).code;
  const retryable =
    THROTTLED.has(name) ||
    (status !== undefined && (status >= 500 || status === 429)) ||
    (sysCode !== undefined && NETWORK.has(sysCode)) ||
    ((error ?? {}) as SdkErrorShape).$retryable !== undefined;
  if (retryable) {
    const why = status ? `S3 answered ${status} ${name}` : `S3 could not be reached (${sysCode ?? name})`;
    return new SatError(
      'TARGET_UNAVAILABLE',
      redact(`${PKG} cannot ${context.action}: ${why} after the SDK's retries (try again later)`, secrets),
      { cause: error, details: { ...details, retryable: true } },
    );
  }
  const fix =
    FIXES[name] ?? (status === 403 ? FIXES.AccessDenied! : 'check the bucket settings and permissions');
  return new SatError(
    'TARGET_ERROR',
    redact(`${PKG} cannot ${context.action}: ${status ? `${status} ` : ''}${name} (${fix})`, secrets),
    { cause: error, details: { ...details, retryable: false, archived: name === 'InvalidObjectState' } },
  );
}
