/**
 * `@sat/store-mongo`: the SubAgent Tracking System's analytics store on MongoDB (the official
 * driver), for teams and several machines, and a `StorageTarget` on GridFS for backups. The
 * wire-protocol test server is `@sat/store-mongo/testing`.
 *
 * @module @sat/store-mongo
 */
export { COLLECTIONS, indexPlan, rollupCollection } from './mongo-collections.js';
export { MONGO_SCHEMA_VERSION } from './mongo-driver.js';
export { type MongoErrorContext, toMongoSatError } from './mongo-errors.js';
export {
  DEFAULT_GRIDFS_BUCKET,
  MongoGridFsTarget,
  type MongoGridFsTargetOptions,
} from './mongo-gridfs-target.js';
export {
  MIGRATION_MARKER_ID,
  type MigrationMarker,
  type MongoDatabaseInspection,
  MongoMigrationTarget,
  type MongoMigrationTargetOptions,
  openMongoMigrationTarget,
  storeCollections,
} from './mongo-migration.js';
export { type MongoStore, openMongoStore } from './mongo-store.js';
export {
  DEFAULT_MONGO_BATCH_SIZE,
  DEFAULT_SERVER_SELECTION_TIMEOUT_MS,
  type MongoStoreOptions,
} from './mongo-store-config.js';
export { mongoLocation, redactMongoUrl } from './mongo-url.js';
