/** The SQLite analytics store: ingest the logs, then ask what the tools cost in time. */
import { loadConfig } from '@sat/core';
import { openSqliteStore } from '@sat/store-sqlite';

const store = await openSqliteStore({ config: loadConfig() });
await store.ingestLog();
console.table((await store.toolEffectiveness({ days: 7 })).tools);
await store.close();
