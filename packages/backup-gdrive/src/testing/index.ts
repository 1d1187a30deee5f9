/**
 * Test helpers of `@sat/backup-gdrive`: a local HTTP server that speaks the Drive v3 endpoints the
 * target uses (uploads, `files.list` queries, media downloads, the OAuth token endpoint with
 * PKCE), with fault injection, for tests and benchmarks of code that backs up to Drive.
 *
 * @module @sat/backup-gdrive/testing
 */

export type { FakePermission } from './fake-drive-permissions.js';
export {
  type DriveFault,
  type DriveOperation,
  type FakeDriveOptions,
  FakeDriveServer,
  type FakeFile,
  type FakeUpload,
} from './fake-drive-server.js';
