import { createHmac } from 'node:crypto';

/** The HMAC key when no per-install salt is given: markers then agree across machines. */
export const DEFAULT_REDACT_SALT = 'sat-redact-v1';

/**
 * The 4 hex digits that tell secrets apart: the start of HMAC-SHA-256(salt, secret). The same
 * secret gives the same digits for as long as the salt stays; 16 bits cannot give the secret back.
 *
 * @example
 * secretHash('hunter2', 'salt'); // 'd03a'
 */
export function secretHash(secret: string, salt: string | Buffer): string {
  return createHmac('sha256', salt).update(secret).digest('hex').slice(0, 4);
}

/**
 * The text that replaces a secret: `[REDACTED:<rule>:<hash>]`.
 *
 * @example
 * redactionMarker('aws-access-key', '3f9a'); // '[REDACTED:aws-access-key:3f9a]'
 */
export function redactionMarker(rule: string, hash: string): string {
  return `[REDACTED:${rule}:${hash}]`;
}
