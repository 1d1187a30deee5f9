/**
 * What the five analytics queries return: plain objects and arrays (a CLI or dashboard renders
 * them). Durations are in ms, times ISO-8601 UTC, costs in USD. Lists are sorted with ties broken
 * by name, so equal data gives equal results.
 */
import type { ResolvedFilters } from './analytics-filters.js';

/** Token counts. `cacheCreation1h` is the part of `cacheCreation` written to the 1-hour cache. */
export interface TokenFigures {
  input: number;
  output: number;
  cacheCreation: number;
  cacheCreation1h: number;
  cacheRead: number;
  /** input + output + cacheCreation + cacheRead. */
  total: number;
}

/**
 * A cost, priced at query time with the price table given. A model missing from the table is
 * never priced at zero: it is named in `unpricedModels`, and `cost` is null.
 */
export interface CostFigures {
  /** USD; null when some usage is of a model the price table does not know. */
  cost: number | null;
  /** USD of the usage that could be priced. */
  pricedCost: number;
  /** Models with usage that the price table does not know, by name. */
  unpricedModels: string[];
}

/** Durations of a set of calls. Null figures when none reported a duration. */
export interface DurationFigures {
  /** Calls with a duration. */
  count: number;
  avg: number | null;
  /** Median, from a histogram (within ~4.5%; exact when the calls in its bucket are equal). */
  p50: number | null;
  /** 95th percentile, same precision as p50. */
  p95: number | null;
  min: number | null;
  max: number | null;
}

/** Usage and cost of one model. */
export interface ModelCost {
  model: string;
  /** The price table key used; null when the model is not in the table. */
  priceKey: string | null;
  known: boolean;
  /** USD; null when the model is not in the price table. */
  cost: number | null;
  responses: number;
  tokens: TokenFigures;
}

/** One agent type's figures. */
export interface AgentPerformanceRow extends CostFigures {
  agent: string;
  /** Invocations started (or reported whole). */
  invocations: number;
  /** Invocations that reported an end. */
  completed: number;
  successes: number;
  /** Invocations that ended without success. */
  failures: number;
  /** successes / invocations whose outcome is known; null when none is. */
  successRate: number | null;
  durationMs: DurationFigures;
  /** API responses of this agent (its token usage, after the sub-agent token rule). */
  responses: number;
  tokens: TokenFigures;
  models: ModelCost[];
}

/** Result of `agentPerformance`: per agent type, most invoked first. */
export interface AgentPerformance {
  filters: ResolvedFilters;
  agents: AgentPerformanceRow[];
}

/** Figures of a set of tool calls. */
export interface ToolStats {
  uses: number;
  successes: number;
  failures: number;
  successRate: number | null;
  durationMs: DurationFigures;
}

/** Result of `toolEffectiveness`: per tool, per agent and per (tool, agent), most used first. */
export interface ToolEffectiveness {
  filters: ResolvedFilters;
  tools: Array<ToolStats & { tool: string }>;
  agents: Array<ToolStats & { agent: string }>;
  toolsByAgent: Array<ToolStats & { tool: string; agent: string }>;
}

/** Figures of a group of errors. */
export interface ErrorStats {
  errors: number;
  /** Distinct sessions they happened in. */
  sessions: number;
  /** True when they happened in more than one session. */
  recurring: boolean;
  fixAttempted: number;
  fixed: number;
  /** fixed / errors; null for no errors. */
  resolutionRate: number | null;
  /** fixed / fixAttempted; null when no fix was attempted. */
  fixSuccessRate: number | null;
  firstSeen: string | null;
  lastSeen: string | null;
}

/** One error fingerprint: the same error across sessions. */
export interface ErrorPatternRow extends ErrorStats {
  fingerprint: string;
  errorType: string;
  /** The message with numbers, paths, hex and UUIDs normalised out. */
  pattern: string;
  /** The message of its earliest occurrence. */
  sample: string | null;
}

/** Result of `errorPatterns`: totals, per error type and per fingerprint, most frequent first. */
export interface ErrorPatterns {
  filters: ResolvedFilters;
  totals: ErrorStats;
  byType: Array<ErrorStats & { errorType: string; fingerprints: number }>;
  byFingerprint: ErrorPatternRow[];
}

/** What happened to one file in a session. */
export interface FileSummary {
  path: string;
  operations: number;
  byOperation: Partial<Record<'create' | 'modify' | 'delete' | 'read' | 'rename', number>>;
  lastOperation: string;
  lastAt: string;
  /** The last git hash recorded for it. */
  gitHash: string | null;
  agents: string[];
}

/** Result of `sessionSummary`: one session's figures, agents, tools, errors and files. */
export interface SessionSummary extends CostFigures {
  filters: ResolvedFilters;
  session: string;
  /** `ended` once a session_end event was applied. */
  status: 'active' | 'ended';
  startedAt: string | null;
  endedAt: string | null;
  firstEventAt: string;
  lastEventAt: string;
  /** From the first to the last event. */
  durationMs: number;
  /** The current phase; null when none was set. */
  phase: string | null;
  phases: string[];
  client: string | null;
  model: string | null;
  cwd: string | null;
  gitBranch: string | null;
  /** Events applied (whatever the phase and agent filters). */
  events: number;
  eventCounts: Record<string, number>;
  decisions: number;
  validations: { total: number; failed: number };
  responses: number;
  tokens: TokenFigures;
  /** Tokens of `unpricedModels` (input + output + cache writes + cache reads). */
  unpricedTokens: number;
  models: ModelCost[];
  agents: AgentPerformanceRow[];
  tools: Array<ToolStats & { tool: string }>;
  errors: ErrorPatternRow[];
  files: FileSummary[];
}

/** Tokens and cost of a group of usage. */
export interface CostGroup extends CostFigures {
  responses: number;
  tokens: TokenFigures;
}

/** Result of `costAnalysis`: tokens and cost in total, per phase, per agent and per model. */
export interface CostAnalysis extends CostGroup {
  filters: ResolvedFilters;
  /** Phases in natural order (null: before any phase was set first). */
  byPhase: Array<CostGroup & { phase: string | null; models: ModelCost[] }>;
  /** Most expensive first. */
  byAgent: Array<CostGroup & { agent: string; models: ModelCost[] }>;
  /** Most expensive first. */
  byModel: ModelCost[];
}

/** One owner's work on one day, in {@link TeamActivity}. */
export interface TeamActivityRow extends CostGroup {
  user: string;
  machine: string;
  /** `YYYY-MM-DD` (UTC). */
  day: string;
  /** Sessions whose first event was that day (counted for the session's owner). */
  sessions: number;
  errors: number;
  toolCalls: number;
  /** Agent invocations started that day. */
  invocations: number;
}

/** Result of `team`: sessions, tokens, cost and errors per user x machine x day. */
export interface TeamActivity {
  filters: ResolvedFilters;
  /** By day, then user, then machine. */
  rows: TeamActivityRow[];
}
