/**
 * Test helpers shared by every package: fixture event generators. Contract suites
 * (`describeAnalyticsStore`, `describeStorageTarget`) join this subpath as those interfaces land.
 */
export { type RealisticEventOptions, realisticEvent, realisticEvents } from './realistic-events.js';
