/** Small type guards shared by every layer (no imports). */

/**
 * True for a plain (non-array) object.
 *
 * @example
 * isObject({}) // true; isObject([]) // false; isObject(null) // false
 */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `value` if it is a string, else undefined.
 *
 * @example
 * str(42) // undefined
 */
export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
