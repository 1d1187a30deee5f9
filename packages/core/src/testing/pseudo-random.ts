/**
 * Deterministic pseudo-random bytes (xorshift32), so tests and benchmarks of large objects need no
 * fixture files and know the bytes they expect back.
 *
 * @example
 * const data = pseudoRandom(20 * 1024 * 1024, 7); // the same 20 MiB on every run
 */
export function pseudoRandom(size: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}
