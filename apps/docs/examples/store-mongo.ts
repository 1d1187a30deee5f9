/** The MongoDB analytics store: every machine pushes its logs into one database, idempotently. */
import { loadConfig } from '@sat/core';
import { openMongoStore } from '@sat/store-mongo';

const store = await openMongoStore({ url: 'mongodb://127.0.0.1:27017', config: loadConfig() });
await store.ingestLog();
console.log((await store.costAnalysis({ days: 7 })).cost);
await store.close();
