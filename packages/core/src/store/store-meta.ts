import { PROJECTION_NAMES, type ProjectionName } from '../projections/projection-names.js';
import type { AnalyticsDriver } from './analytics-driver.js';

/** Projection name to version. */
export type ProjectionVersions = Record<ProjectionName, number>;

/** Meta key of the projection versions the data was built with. */
export const META_VERSIONS = 'projection_versions';

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
