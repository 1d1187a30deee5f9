/**
 * `@sat/archive-s3`: phase archives of the SubAgent Tracking System on S3. A `StorageTarget`
 * on `@aws-sdk/client-s3` (multipart uploads through `@aws-sdk/lib-storage`, verified reads),
 * with Glacier restores and the bucket setup (`setupS3Bucket`: access check and lifecycle rule).
 *
 * @module @sat/archive-s3
 */
export { archiveStateOf, type ParsedArchiveState, type S3ArchiveState } from './s3-archive-state.js';
export { createS3Client } from './s3-client.js';
export { mapS3Error, type S3ErrorContext } from './s3-errors.js';
export {
  LIFECYCLE_RULE_ID,
  lifecycleExplanation,
  type SetupS3Options,
  type SetupS3Result,
  setupS3Bucket,
} from './s3-setup.js';
export { type S3Sidecar, SIDECAR_ROOT } from './s3-sidecar.js';
export { S3Target } from './s3-target.js';
export type { S3TargetOptions, S3UploadChecksum } from './s3-target-options.js';
