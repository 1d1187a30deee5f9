import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';

/**
 * Makes the S3 client the target uses. Two defaults differ from the SDK's:
 *
 * - `requestChecksumCalculation: 'WHEN_REQUIRED'`. Since early 2025 the SDK adds a CRC32 to every
 *   upload by itself, and for a stream of unknown length it sends it as a trailer of an
 *   `aws-chunked` body. S3-compatible servers that do not speak that encoding (s3rver, older
 *   MinIO, some NAS gateways) then store the chunk framing as if it were the data. The target
 *   asks for a SHA-256 explicitly on every put instead (computed over each part, in a header,
 *   which AWS verifies and every server can ignore safely).
 * - `responseChecksumValidation: 'WHEN_SUPPORTED'` (the SDK's default, kept): where a response
 *   carries a full-object checksum the SDK checks it; the target checks SHA-256 itself anyway.
 *
 * Credentials come from `config.credentials` when given (tests), else the standard AWS chain
 * (environment, profiles, SSO, instance roles); they are never read from the sat config.
 *
 * @example
 * const client = createS3Client({ region: 'eu-west-1' });
 */
export function createS3Client(config: S3ClientConfig = {}): S3Client {
  return new S3Client({
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_SUPPORTED',
    ...config,
    region: config.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
  });
}

/** The static secrets of a client config (to be redacted from any message), if it has any. */
export function staticSecrets(config: S3ClientConfig | undefined): string[] {
  const credentials = config?.credentials as
    | { accessKeyId?: string; secretAccessKey?: string; sessionToken?: string }
    | undefined;
  if (!credentials || typeof credentials !== 'object') return [];
  return [credentials.secretAccessKey, credentials.sessionToken, credentials.accessKeyId].filter(
    (s): s is string => typeof s === 'string' && s.length > 0,
  );
}
