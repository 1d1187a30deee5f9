import type { Static, TSchema } from '@sinclair/typebox';
import type { TypeCheck } from '@sinclair/typebox/compiler';
import { SatError } from '../errors.js';
import { schemaErrors } from '../schema-errors.js';

/** How a kind of manifest is named in errors. */
export interface ManifestKind {
  /** `backup manifest`, `archive manifest`. */
  noun: string;
  /** What to do about a manifest that is not JSON: `back the session up again`. */
  fix: string;
}

/**
 * Parses `text` as JSON and checks it with `check`; throws `INVALID_BUNDLE` naming the manifest
 * (`kind.noun`), `where` it came from, and the first three problems.
 *
 * @example
 * const manifest = parseCheckedManifest(check, text, key, { noun: 'backup manifest', fix: 'back the session up again' });
 */
export function parseCheckedManifest<T extends TSchema>(
  check: TypeCheck<T>,
  text: string,
  where: string,
  kind: ManifestKind,
): Static<T> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new SatError('INVALID_BUNDLE', `[core] ${kind.noun} ${where} is not valid JSON (${kind.fix})`, {
      cause: error,
      details: { where },
    });
  }
  if (!check.Check(value)) {
    throw new SatError(
      'INVALID_BUNDLE',
      `[core] ${kind.noun} ${where} is not a manifest this version reads: ${schemaErrors(check, value).slice(0, 3).join('; ')}`,
      { details: { where } },
    );
  }
  return value;
}
