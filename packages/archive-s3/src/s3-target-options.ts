import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';

/** Checksum algorithms S3 verifies on upload (each part, for multipart uploads). */
export type S3UploadChecksum = 'SHA256' | 'CRC32' | 'CRC32C' | 'none';

/** Options of {@link S3Target}. */
export interface S3TargetOptions {
  /** The bucket. */
  bucket: string;
  /** Key prefix inside the bucket (no leading or trailing `/`). Default none. */
  prefix?: string;
  /** A ready client (tests, custom middleware). Default: one made from `clientConfig`. */
  client?: S3Client;
  /**
   * Config of the client made when `client` is not given: region, endpoint, forcePathStyle,
   * credentials (default: the standard AWS chain). See `createS3Client` for the checksum defaults.
   */
  clientConfig?: S3ClientConfig;
  /**
   * Storage class of every put. Default `STANDARD`: archives reach Glacier through the
   * lifecycle rule `setupS3Bucket` puts, so small records (manifests, checksum records) stay
   * readable. `GLACIER` or `DEEP_ARCHIVE` here send the bytes there at once.
   */
  storageClass?: 'STANDARD' | 'STANDARD_IA' | 'GLACIER' | 'DEEP_ARCHIVE' | 'GLACIER_IR';
  /** Bytes of each part of a multipart upload (at least 5 MiB). Default 8 MiB. */
  partSize?: number;
  /** Parts uploaded at once (memory: about `partSize * queueSize`). Default 4. */
  queueSize?: number;
  /** The checksum S3 computes and verifies over each uploaded part. Default `SHA256`. */
  checksumAlgorithm?: S3UploadChecksum;
}
