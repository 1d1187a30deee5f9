import { join } from 'node:path';
import { describeAnalyticsStore } from '@sat/core/testing';
import { openSqliteStore } from '../src/index.js';

describeAnalyticsStore('sqlite', ({ dir, logsDir, projectionVersions, identity }) =>
  openSqliteStore({ file: join(dir, 'sat.db'), logsDir, projectionVersions, identity }),
);
