import { createHash } from 'node:crypto';
import { SatError } from '@sat/core';
import { PKG } from './gdrive-constants.js';

/**
 * How the target describes its files in Drive `appProperties` (private to this OAuth client):
 *
 * - `satKeyHash`: SHA-256 of `<root folder path>\0<key>`, so one exact query finds a key;
 * - `satKey0`, `satKey1`, ...: the full key, split so each property fits Drive's 124-byte limit;
 * - `satSha256`: the SHA-256 computed while uploading;
 * - `m_<name>`: the caller's metadata.
 */
export const KEY_HASH_PROPERTY = 'satKeyHash';
export const SHA256_PROPERTY = 'satSha256';
const KEY_PART_PROPERTY = 'satKey';
const METADATA_PREFIX = 'm_';
/** Drive's limit on one property: key plus value, in UTF-8 bytes. */
const PROPERTY_BYTES = 124;
/** Drive keeps at most 30 private properties per app on a file. */
const MAX_PROPERTIES = 30;

/** The hash that names `key` under the root folder `root` (`''` for My Drive). */
export function keyHash(root: string, key: string): string {
  return createHash('sha256').update(`${root}\0${key}`).digest('hex');
}

/** Splits `text` into pieces of at most `bytes` UTF-8 bytes, never inside a character. */
function splitUtf8(text: string, bytes: number): string[] {
  const parts: string[] = [];
  let current = '';
  let size = 0;
  for (const char of text) {
    const n = Buffer.byteLength(char);
    if (size + n > bytes) {
      parts.push(current);
      current = '';
      size = 0;
    }
    current += char;
    size += n;
  }
  if (current !== '' || parts.length === 0) parts.push(current);
  return parts;
}

/**
 * The `appProperties` of a file holding `key`. Properties of an older version that the new one
 * no longer has are set to null (Drive removes them). Throws TARGET_ERROR when the metadata
 * cannot fit.
 */
export function encodeAppProperties(input: {
  root: string;
  key: string;
  sha256?: string;
  metadata?: Record<string, string>;
  previous?: Record<string, string>;
}): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const name of Object.keys(input.previous ?? {})) out[name] = null;
  out[KEY_HASH_PROPERTY] = keyHash(input.root, input.key);
  const parts = splitUtf8(input.key, PROPERTY_BYTES - `${KEY_PART_PROPERTY}99`.length);
  parts.forEach((part, i) => {
    out[`${KEY_PART_PROPERTY}${i}`] = part;
  });
  out[SHA256_PROPERTY] = input.sha256 ?? null;
  let count = parts.length + 2;
  for (const [name, value] of Object.entries(input.metadata ?? {})) {
    const property = `${METADATA_PREFIX}${name}`;
    if (
      !/^[A-Za-z0-9._-]+$/.test(name) ||
      Buffer.byteLength(property) + Buffer.byteLength(value) > PROPERTY_BYTES
    ) {
      throw new SatError(
        'TARGET_ERROR',
        `${PKG} metadata ${JSON.stringify(name)} of ${input.key} cannot be stored in Drive appProperties: names are letters, digits, '.', '_' or '-' and name plus value take at most ${PROPERTY_BYTES - METADATA_PREFIX.length} bytes (shorten it)`,
        { details: { key: input.key, metadata: name, retryable: false } },
      );
    }
    out[property] = value;
    count++;
  }
  if (count > MAX_PROPERTIES) {
    throw new SatError(
      'TARGET_ERROR',
      `${PKG} too much metadata on ${input.key}: Drive keeps at most ${MAX_PROPERTIES} properties per file and the key itself uses ${parts.length + 2} (pass fewer metadata entries)`,
      { details: { key: input.key, retryable: false } },
    );
  }
  return out;
}

/** What a file's `appProperties` say: its key (undefined when the file is not one of ours), SHA-256, metadata. */
export function decodeAppProperties(properties: Record<string, string> | null | undefined): {
  key?: string;
  sha256?: string;
  metadata: Record<string, string>;
} {
  const props = properties ?? {};
  let key: string | undefined;
  for (let i = 0; props[`${KEY_PART_PROPERTY}${i}`] !== undefined; i++)
    key = (key ?? '') + props[`${KEY_PART_PROPERTY}${i}`];
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(props))
    if (name.startsWith(METADATA_PREFIX)) metadata[name.slice(METADATA_PREFIX.length)] = value;
  return {
    ...(key !== undefined && props[KEY_HASH_PROPERTY] ? { key } : {}),
    ...(props[SHA256_PROPERTY] ? { sha256: props[SHA256_PROPERTY] } : {}),
    metadata,
  };
}

/** A string literal for a Drive `q` expression (`'...'` with `\` and `'` escaped). */
export function queryString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
