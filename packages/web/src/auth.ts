import { randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * A fresh access token: 32 random bytes, base64url (43 characters).
 *
 * @example
 * const token = generateToken();
 */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The token a request carries: `Authorization: Bearer <t>`, else the `token` query parameter.
 *
 * @example
 * requestToken('Bearer abc', undefined); // 'abc'
 */
export function requestToken(
  authorization: string | undefined,
  query: string | undefined,
): string | undefined {
  const match = authorization ? /^Bearer\s+(.+)$/i.exec(authorization.trim()) : null;
  return match?.[1] ?? query;
}

/**
 * True when `given` equals `expected`, compared in constant time (a length mismatch is false,
 * after a comparison of the same cost).
 *
 * @example
 * tokenMatches('abc', 'abc'); // true
 */
export function tokenMatches(expected: string, given: string | undefined): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given ?? '');
  if (a.length !== b.length) {
    timingSafeEqual(a, a);
    return false;
  }
  return timingSafeEqual(a, b);
}
