/**
 * Rollups: the pre-aggregated tables that keep the analytics queries fast at scale. Each rollup
 * groups one family of measures by a few dimensions (day, phase, agent, ...). Stores materialize
 * them; the queries pick the smallest source that has every dimension they filter or group by
 * ({@link chooseSource}), and fall back to the projection's own rows (facts) otherwise.
 */
import type { Histogram } from './duration-histogram.js';
import type { ProjectionName } from './projection-names.js';
import type { UsageTokens } from './projection-rows.js';

/** What analytics can be filtered or grouped by. `day` is days since 1970-01-01 (UTC). */
export type Dimension =
  | 'day'
  | 'session'
  | 'phase'
  | 'agent'
  | 'tool'
  | 'model'
  | 'fingerprint'
  | 'user'
  | 'machine';

/** A dimension's value: a number for `day`, text for the others (`''` for "no phase"). */
export type DimensionValue = string | number;

/**
 * How a measure merges: `sum` adds (and may be negative), `min` / `max` keep the extreme
 * (null while empty), `hist` adds {@link Histogram}s, `set` unites sets (distinct sessions).
 */
export type MeasureKind = 'sum' | 'min' | 'max' | 'hist' | 'set';

const DURATION = {
  dur_count: 'sum',
  dur_sum: 'sum',
  dur_min: 'min',
  dur_max: 'max',
  dur_hist: 'hist',
} as const;

/** The measures of each family, and how each merges. */
export const MEASURE_FAMILIES = {
  /** Agent invocations: started, finished, succeeded, how long they took. */
  invocations: { invocations: 'sum', completed: 'sum', known_success: 'sum', successes: 'sum', ...DURATION },
  /** Tool calls: how many, how many worked, how long they took. */
  tools: { uses: 'sum', successes: 'sum', ...DURATION },
  /** Errors: how many, fixes tried and worked, first and last seen (epoch ms), distinct sessions. */
  errors: {
    errors: 'sum',
    fix_attempted: 'sum',
    fixed: 'sum',
    first_at: 'min',
    last_at: 'max',
    sessions: 'set',
  },
  /**
   * API token usage (after the sub-agent token rule). The `cc_` measures are the part of it whose
   * cost Claude Code itself reported (OpenTelemetry's `cost_usd`, summed in `cc_cost`): the rest is
   * priced at query time.
   */
  usage: {
    responses: 'sum',
    input: 'sum',
    output: 'sum',
    cache_creation: 'sum',
    cache_creation_1h: 'sum',
    cache_read: 'sum',
    cc_responses: 'sum',
    cc_input: 'sum',
    cc_output: 'sum',
    cc_cache_creation: 'sum',
    cc_cache_creation_1h: 'sum',
    cc_cache_read: 'sum',
    cc_cost: 'sum',
  },
} as const satisfies Record<string, Record<string, MeasureKind>>;

/** A family of measures. */
export type MeasureFamily = keyof typeof MEASURE_FAMILIES;

/** Duration measures shared by invocations and tool calls. */
export interface DurationMeasures {
  dur_count: number;
  dur_sum: number;
  dur_min: number | null;
  dur_max: number | null;
  dur_hist: Histogram;
}

/** Measures of the `invocations` family. */
export interface InvocationMeasures extends DurationMeasures {
  invocations: number;
  completed: number;
  /** Invocations whose success is known (the denominator of the success rate). */
  known_success: number;
  successes: number;
}

/** Measures of the `tools` family. */
export interface ToolMeasures extends DurationMeasures {
  uses: number;
  successes: number;
}

/** Measures of the `errors` family. */
export interface ErrorMeasures {
  errors: number;
  fix_attempted: number;
  fixed: number;
  first_at: number | null;
  last_at: number | null;
  /** Distinct sessions (their ids, or a store's numbers for them). */
  sessions: Set<string | number>;
}

/** Measures of the `usage` family: the tokens, and the part of them Claude Code reported the cost of. */
export interface UsageMeasures extends UsageTokens {
  cc_responses: number;
  cc_input: number;
  cc_output: number;
  cc_cache_creation: number;
  cc_cache_creation_1h: number;
  cc_cache_read: number;
  /** Claude Code's own cost of the `cc_` part, USD. */
  cc_cost: number;
}

/** The measures type of each family. */
export interface FamilyMeasures {
  invocations: InvocationMeasures;
  tools: ToolMeasures;
  errors: ErrorMeasures;
  usage: UsageMeasures;
}

/** Rollups every store materializes, with the family they hold. Every rollup is also kept per owner (user x machine). */
export interface RollupFamilies {
  /** Agent invocations per day x phase x agent type. */
  agent_day: 'invocations';
  /** Tool calls per day x phase x agent x tool. */
  tool_day: 'tools';
  /** Errors per day x phase x agent x fingerprint. */
  error_day: 'errors';
  /** Token usage per phase x agent x model, all time (cost by phase without a day filter). */
  usage_phase: 'usage';
  /** Token usage per day x phase x agent x model. */
  usage_day: 'usage';
  /** Token usage per session x day x phase x agent x model. */
  usage_session: 'usage';
}

/** A rollup's name. */
export type RollupName = keyof RollupFamilies;

/** Something a query can aggregate: a rollup, or a projection's own rows. */
export interface AggregateSource {
  name: RollupName | 'agent_invocations' | 'tool_uses' | 'errors';
  kind: 'rollup' | 'fact';
  family: MeasureFamily;
  projection: ProjectionName;
  /** The dimensions it can be filtered and grouped by, in key order. */
  dims: readonly Dimension[];
}

/** A source's name. */
export type AggregateSourceName = AggregateSource['name'];

/** Every source, smallest first within a family: {@link chooseSource} takes the first that fits. */
export const AGGREGATE_SOURCES: readonly AggregateSource[] = Object.freeze([
  {
    name: 'agent_day',
    kind: 'rollup',
    family: 'invocations',
    projection: 'agent_invocations',
    dims: ['day', 'phase', 'agent', 'user', 'machine'],
  },
  {
    name: 'agent_invocations',
    kind: 'fact',
    family: 'invocations',
    projection: 'agent_invocations',
    dims: ['session', 'day', 'phase', 'agent', 'user', 'machine'],
  },
  {
    name: 'tool_day',
    kind: 'rollup',
    family: 'tools',
    projection: 'tool_uses',
    dims: ['day', 'phase', 'agent', 'tool', 'user', 'machine'],
  },
  {
    name: 'tool_uses',
    kind: 'fact',
    family: 'tools',
    projection: 'tool_uses',
    dims: ['session', 'day', 'phase', 'agent', 'tool', 'user', 'machine'],
  },
  {
    name: 'error_day',
    kind: 'rollup',
    family: 'errors',
    projection: 'errors',
    dims: ['day', 'phase', 'agent', 'fingerprint', 'user', 'machine'],
  },
  {
    name: 'errors',
    kind: 'fact',
    family: 'errors',
    projection: 'errors',
    dims: ['session', 'day', 'phase', 'agent', 'fingerprint', 'user', 'machine'],
  },
  {
    name: 'usage_phase',
    kind: 'rollup',
    family: 'usage',
    projection: 'api_usage',
    dims: ['phase', 'agent', 'model', 'user', 'machine'],
  },
  {
    name: 'usage_day',
    kind: 'rollup',
    family: 'usage',
    projection: 'api_usage',
    dims: ['day', 'phase', 'agent', 'model', 'user', 'machine'],
  },
  {
    name: 'usage_session',
    kind: 'rollup',
    family: 'usage',
    projection: 'api_usage',
    dims: ['session', 'day', 'phase', 'agent', 'model', 'user', 'machine'],
  },
] satisfies AggregateSource[]);

/** The rollups (materialized sources), by name. */
export const ROLLUPS: Readonly<Record<RollupName, AggregateSource>> = Object.freeze(
  Object.fromEntries(AGGREGATE_SOURCES.filter((s) => s.kind === 'rollup').map((s) => [s.name, s])) as Record<
    RollupName,
    AggregateSource
  >,
);

/**
 * The smallest source of `family` that has every dimension in `needed`.
 *
 * @example
 * chooseSource('tools', ['day', 'agent']).name // 'tool_day'
 * chooseSource('tools', ['session']).name // 'tool_uses'
 */
export function chooseSource(family: MeasureFamily, needed: Iterable<Dimension>): AggregateSource {
  const wanted = [...needed];
  const source = AGGREGATE_SOURCES.find(
    (candidate) => candidate.family === family && wanted.every((dim) => candidate.dims.includes(dim)),
  );
  if (!source) throw new Error(`no ${family} source has the dimensions ${wanted.join(', ')}`);
  return source;
}

/** Fresh (empty) measures of a family: sums 0, min / max null, empty histogram or set. */
export function emptyMeasures<F extends MeasureFamily>(family: F): FamilyMeasures[F] {
  const out: Record<string, unknown> = {};
  for (const [name, kind] of Object.entries(MEASURE_FAMILIES[family]) as [string, MeasureKind][]) {
    out[name] = kind === 'sum' ? 0 : kind === 'hist' ? new Map() : kind === 'set' ? new Set() : null;
  }
  return out as unknown as FamilyMeasures[F];
}

/** Merges `from` into `into` (same family) following each measure's kind; returns `into`. */
export function mergeMeasures<F extends MeasureFamily>(
  family: F,
  into: FamilyMeasures[F],
  from: FamilyMeasures[F],
): FamilyMeasures[F] {
  const a = into as unknown as Record<string, unknown>;
  const b = from as unknown as Record<string, unknown>;
  for (const [name, kind] of Object.entries(MEASURE_FAMILIES[family]) as [string, MeasureKind][]) {
    const value = b[name];
    if (kind === 'sum') a[name] = (a[name] as number) + (value as number);
    else if (kind === 'min' || kind === 'max') {
      if (value === null || value === undefined) continue;
      const current = a[name] as number | null;
      a[name] =
        current === null
          ? value
          : kind === 'min'
            ? Math.min(current, value as number)
            : Math.max(current, value as number);
    } else if (kind === 'hist') {
      const h = a[name] as Histogram;
      for (const [bucket, count] of value as Histogram) h.set(bucket, (h.get(bucket) ?? 0) + count);
    } else {
      const s = a[name] as Set<string | number>;
      for (const item of value as Set<string | number>) s.add(item);
    }
  }
  return into;
}

/** One group of a rollup delta: its dimension values (in the rollup's order) and measures. */
export interface RollupEntry<F extends MeasureFamily = MeasureFamily> {
  dims: DimensionValue[];
  measures: FamilyMeasures[F];
}

/**
 * What a batch of events adds to each rollup, grouped by the rollup's dimensions. Stores add it
 * to what they hold (sums added, min/max kept, histograms added, sets united).
 */
export class RollupDeltas {
  private readonly byRollup = new Map<RollupName, Map<string, RollupEntry>>();

  /**
   * The measures of one group of `rollup` (created empty on first use), to add to in place. The
   * dimension values come in the rollup's order (see `ROLLUPS[rollup].dims`).
   */
  entry<R extends RollupName>(
    rollup: R,
    a: DimensionValue,
    b: DimensionValue,
    c?: DimensionValue,
    d?: DimensionValue,
    e?: DimensionValue,
    f?: DimensionValue,
    g?: DimensionValue,
  ): FamilyMeasures[RollupFamilies[R]] {
    let groups = this.byRollup.get(rollup);
    if (!groups) {
      groups = new Map();
      this.byRollup.set(rollup, groups);
    }
    const n = ROLLUPS[rollup].dims.length;
    let key = `${a}\u0001${b}`;
    if (n > 2) key += `\u0001${c}`;
    if (n > 3) key += `\u0001${d}`;
    if (n > 4) key += `\u0001${e}`;
    if (n > 5) key += `\u0001${f}`;
    if (n > 6) key += `\u0001${g}`;
    let entry = groups.get(key);
    if (!entry) {
      entry = {
        dims: [a, b, c!, d!, e!, f!, g!].slice(0, n),
        measures: emptyMeasures(ROLLUPS[rollup].family),
      };
      groups.set(key, entry);
    }
    return entry.measures as FamilyMeasures[RollupFamilies[R]];
  }

  /** The groups of one rollup. */
  groups<R extends RollupName>(rollup: R): RollupEntry<RollupFamilies[R]>[] {
    return [...(this.byRollup.get(rollup)?.values() ?? [])] as RollupEntry<RollupFamilies[R]>[];
  }

  /** The rollups that have at least one group. */
  rollups(): RollupName[] {
    return [...this.byRollup.keys()];
  }
}
