import type { EventOwner } from '../events/event-origin.js';
import { PROJECTION_NAMES, type ProjectionName } from '../projections/projection-names.js';
import type { AnalyticsDriver } from './analytics-driver.js';

/** Projection name to version. */
export type ProjectionVersions = Record<ProjectionName, number>;

/** Meta key of the projection versions the data was built with. */
export const META_VERSIONS = 'projection_versions';

/**
 * Meta key of the identity (`config.identity`) the rows of local events were projected with: a
 * store opened with another identity is rebuilt, so that its answers stay those of a rebuild.
 */
export const META_IDENTITY = 'identity';

/** Meta key of the last rebuild (`{ at, reason, projections }`). */
export const META_REBUILD = 'last_rebuild';

/** Records the versions the data is now built with and what was rebuilt, why. */
export async function recordRebuild(
  driver: AnalyticsDriver,
  versions: ProjectionVersions,
  reason: string,
  projections: readonly ProjectionName[],
): Promise<void> {
  await driver.writeMeta(META_VERSIONS, versions);
  await driver.writeMeta(META_REBUILD, {
    at: new Date().toISOString(),
    reason,
    projections: [...projections],
  });
}

/** The projections whose stored version differs from `versions`, and the reason to give for rebuilding them. */
export function changedProjections(
  stored: Partial<ProjectionVersions>,
  versions: ProjectionVersions,
): { changed: ProjectionName[]; reason: string } {
  const changed = PROJECTION_NAMES.filter((name) => stored[name] !== versions[name]);
  const reason = changed.map((name) => `${name} v${stored[name] ?? 0} -> v${versions[name]}`).join(', ');
  return { changed, reason: `projection version changed: ${reason}` };
}

/**
 * Why a store built with the identity `stored` must be rebuilt for `current`, or undefined when it
 * need not (the same identity, or none recorded yet).
 */
export function identityChange(stored: EventOwner | undefined, current: EventOwner): string | undefined {
  if (!stored || (stored.user === current.user && stored.machine === current.machine)) return undefined;
  return `identity changed: ${stored.user}@${stored.machine} -> ${current.user}@${current.machine}`;
}
