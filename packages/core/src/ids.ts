import { createHash, randomFillSync } from 'node:crypto';
import { SatError } from './errors.js';

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
// Random bytes are drawn 4 KiB at a time: one system call per 512 ids instead of one per 16
// (the uuid package's pool), which was a fifth of the append path's CPU time.
const pool = Buffer.allocUnsafe(4096);
let poolAt = pool.length;
let lastMs = 0;
let counter = 0;

function randomByte(): number {
  if (poolAt === pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  return pool[poolAt++]!;
}

/**
 * A new globally unique, time-sortable id: a UUIDv7 (RFC 9562) whose 12-bit `rand_a` field is a
 * counter seeded at random each millisecond, so ids made in one process sort in creation order.
 *
 * @example
 * newId(); // '019ab5f0-6b1c-7d2e-9a4b-3f0c8e1d2a7b'
 */
export function newId(): string {
  let ms = Date.now();
  if (ms > lastMs) {
    lastMs = ms;
    counter = ((randomByte() << 8) | randomByte()) & 0x7ff; // leave room to count up within the ms
  } else {
    ms = lastMs;
    if (++counter > 0xfff) {
      // More than ~2,000 ids in one millisecond: borrow the next millisecond (still sorted, still unique).
      lastMs = ++ms;
      counter = 0;
    }
  }
  const hi = Math.floor(ms / 0x1000000);
  const lo = ms % 0x1000000;
  return (
    HEX[(hi >>> 16) & 0xff]! +
    HEX[(hi >>> 8) & 0xff]! +
    HEX[hi & 0xff]! +
    HEX[(lo >>> 16) & 0xff]! +
    '-' +
    HEX[(lo >>> 8) & 0xff]! +
    HEX[lo & 0xff]! +
    '-' +
    HEX[0x70 | (counter >>> 8)]! +
    HEX[counter & 0xff]! +
    '-' +
    HEX[0x80 | (randomByte() & 0x3f)]! +
    HEX[randomByte()]! +
    '-' +
    HEX[randomByte()]! +
    HEX[randomByte()]! +
    HEX[randomByte()]! +
    HEX[randomByte()]! +
    HEX[randomByte()]! +
    HEX[randomByte()]!
  );
}

/**
 * A deterministic id in UUIDv7 layout: the time `ms` in the first 48 bits, the rest from a
 * SHA-256 of `parts`. The same source record always gets the same id, so capturing or importing
 * it twice (hooks and transcript import, or a re-run after a crash) is detected downstream.
 *
 * @example
 * stableId(Date.parse(ts), session, 'tool_usage', toolUseId);
 */
export function stableId(ms: number, ...parts: string[]): string {
  const hash = createHash('sha256').update(parts.join('\u0000')).digest();
  const t = Math.max(0, Math.floor(ms)) % 2 ** 48;
  const hi = Math.floor(t / 0x1000000);
  const lo = t % 0x1000000;
  const bytes = [
    (hi >>> 16) & 0xff,
    (hi >>> 8) & 0xff,
    hi & 0xff,
    (lo >>> 16) & 0xff,
    (lo >>> 8) & 0xff,
    lo & 0xff,
    0x70 | (hash[0]! & 0x0f),
    hash[1]!,
    0x80 | (hash[2]! & 0x3f),
    ...hash.subarray(3, 10),
  ];
  const hex = bytes.map((b) => HEX[b]!).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const SESSION_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** True when `id` can name a session: 1 to 128 of `A-Z a-z 0-9 . _ -`, not starting with `.`, `_` or `-`. */
export function isValidSessionId(id: unknown): id is string {
  return typeof id === 'string' && SESSION_ID.test(id) && !id.includes('..');
}

/** Throws `INVALID_SESSION_ID` unless `id` is a valid session id; returns it otherwise. */
export function assertSessionId(id: unknown, where = 'session id'): string {
  if (!isValidSessionId(id)) {
    throw new SatError(
      'INVALID_SESSION_ID',
      `[core] invalid ${where} ${JSON.stringify(id)}: use 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit`,
      { details: { id } },
    );
  }
  return id;
}
