/** Filters of the analytics reports, as `sat stats --days/--session/--phase/--agent` take them. */
export interface StatsFilters {
  days?: string;
  session?: string;
  phase?: string;
  agent?: string;
}

/** The five analytics reports of `sat stats`. */
export type StatsReport = 'agents' | 'tools' | 'errors' | 'cost' | 'session';

/** Filters of one session's events, as `sat events --type/--agent` take them. */
export interface EventFilters {
  type?: string;
  agent?: string;
}

/**
 * The queries the server answers, each returning exactly what the matching `sat ... --json`
 * prints (the CLI implements them with the same functions its commands use). Errors are thrown
 * as `SatError`s: `SESSION_NOT_FOUND` becomes 404, `USAGE` 400.
 *
 * @example
 * const api: WebApi = { sessions: async () => [], ... };
 */
export interface WebApi {
  /** `sat sessions --json`: every session row. */
  sessions(): Promise<Array<Record<string, unknown>>>;
  /** A session's phase of work (its last `phase` event, else its start's, else `'0'`), for `?phase=`. */
  sessionPhase(session: string): Promise<string>;
  /** `sat show <id> --json`. */
  show(session: string): Promise<unknown>;
  /** `sat events <id> --json`, one parsed line each. */
  events(session: string, filters: EventFilters): Promise<Array<Record<string, unknown>>>;
  /** `sat stats <report> --json`. */
  stats(report: StatsReport, filters: StatsFilters): Promise<unknown>;
  /** `sat alerts --json`. */
  alerts(filters: { days?: string; session?: string }): Promise<unknown>;
  /** `sat snapshot list <id> --json`. */
  snapshots(session: string): Promise<unknown>;
  /** `sat handoff <id> --latest --json`: the newest handoff already written (writes nothing; `NOT_FOUND` when none). */
  handoff(session: string): Promise<unknown>;
  /** `sat handoff <id> --json`: writes a new handoff as the command does. */
  createHandoff(session: string): Promise<unknown>;
  /** `sat backups --json`. */
  backups(): Promise<unknown>;
}

/** The charts of `sat chart` whose data the page draws. */
export type ChartKind = 'agents' | 'errors' | 'usage';

/** Filters of a chart, as `sat chart --days/--phase/--by` take them. */
export interface ChartFilters {
  days?: string;
  phase?: string;
  by?: string;
}

/**
 * What the page needs beyond {@link WebApi}, each equal to a command's `--json`: a chart's data
 * rows and one session's status (context fill, running agents).
 *
 * @example
 * const api: WebApi & PageApi = { ...cliWebApi(ctx) };
 */
export interface PageApi {
  /** `sat chart <kind> --json`. */
  chart(kind: ChartKind, filters: ChartFilters): Promise<unknown>;
  /** `sat status <id> --json`. */
  status(session: string): Promise<unknown>;
}
