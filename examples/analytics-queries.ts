/**
 * Brings the SQLite analytics store up to date with the session logs and prints the five queries.
 * Run from a checkout: node --conditions=sat-source --import tsx examples/analytics-queries.ts
 * (data from $SAT_HOME, else <project>/.claude; try `pnpm example` first).
 */
import { loadConfig } from '@sat/core';
import { openSqliteStore } from '@sat/store-sqlite';

const config = loadConfig();
const store = await openSqliteStore({ config }); // <analytics>/sat.db, migrated on open
const { applied, unchanged } = await store.ingestLog(); // reads only what is new since last time

const agents = await store.agentPerformance({ days: 7 }); // per agent type, last 7 days
const tools = await store.toolEffectiveness({ agent: 'main' }); // per tool, one agent's calls
const errors = await store.errorPatterns({ phase: 'implement' }); // by fingerprint, one phase
const session = await store.sessionSummary(); // the latest session
const costs = await store.costAnalysis({ days: 'all' }); // per phase, agent, model (config.prices)
await store.close();

console.log(`${applied} new events (${unchanged} sessions unchanged)`);
console.table(
  agents.agents.map((a) => ({ agent: a.agent, runs: a.invocations, p95: a.durationMs.p95, usd: a.cost })),
);
console.table(
  tools.tools.map((t) => ({ tool: t.tool, uses: t.uses, ok: t.successRate, p50: t.durationMs.p50 })),
);
console.table(
  errors.byFingerprint.map((e) => ({ pattern: e.pattern, errors: e.errors, sessions: e.sessions })),
);
console.log(session?.session, session?.tokens.total, session?.cost);
console.table(
  costs.byPhase.map((p) => ({ phase: p.phase, tokens: p.tokens.total, usd: p.cost ?? p.unpricedModels })),
);
