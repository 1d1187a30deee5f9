/**
 * The projections of the event log, in the order they are applied. Each has its own version
 * (see `PROJECTIONS`); raising a version makes stores rebuild that projection from the log.
 */
export const PROJECTION_NAMES = [
  'sessions',
  'agent_invocations',
  'tool_uses',
  'errors',
  'file_operations',
  'decisions',
  'validations',
  'api_usage',
] as const;

/** A projection's name. */
export type ProjectionName = (typeof PROJECTION_NAMES)[number];

/** `''`: the phase of events that come before any phase was set. */
export const NO_PHASE = '';
