import { type Static, type TObject, type TSchema, Type } from '@sinclair/typebox';
import { type TypeCheck, TypeCompiler } from '@sinclair/typebox/compiler';
import { SatError } from '../errors.js';
import { schemaErrors } from '../schema-errors.js';

/** A hex SHA-256, as every manifest writes it. */
export const Hex64 = Type.String({ pattern: '^[0-9a-f]{64}$' });
/** A hex MD5. */
export const Md5 = Type.String({ pattern: '^[0-9a-f]{32}$' });
/** A size in bytes. */
export const Bytes = Type.Integer({ minimum: 0 });

/**
 * The stored object a manifest beside it describes (`bundle` of a backup manifest, `archive` of
 * an archive manifest): its key, size and checksums. Only in the manifest beside the object.
 */
export const StoredObjectSchema = Type.Optional(
  Type.Object(
    { key: Type.String({ minLength: 1 }), bytes: Bytes, sha256: Hex64, md5: Md5 },
    { additionalProperties: false },
  ),
);

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

/**
 * The parser of one kind of manifest: compiles `schema` once, and returns a function that parses
 * and checks a manifest's text with {@link parseCheckedManifest}.
 *
 * @example
 * export const parseManifest = manifestParser(BackupManifestSchema, { noun: 'backup manifest', fix: 'back the session up again' });
 */
export function manifestParser<T extends TObject>(
  schema: T,
  kind: ManifestKind,
): (text: string, where: string) => Static<T> {
  const check = TypeCompiler.Compile(schema);
  return (text, where) => parseCheckedManifest(check, text, where, kind);
}
