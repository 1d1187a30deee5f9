/** Bytes of the first buffer; it doubles as needed and shrinks back after a write. */
const INITIAL_BYTES = 64 * 1024;
/** A buffer grown past this (one huge event, a long lock wait) is dropped after its batch is written. */
const KEEP_BYTES = 4 * 1024 * 1024;
const INITIAL_ENTRIES = 1024;

const ID_OPEN = Buffer.from('{"id":');
const COMMA = 0x2c;
const NEWLINE = 0x0a;

/**
 * Writes the digits of a non-negative integer as ASCII at `at`; returns how many. (`String(n)`
 * would go through V8's number-to-string cache, which keeps every string alive long enough to
 * be promoted: megabytes of old-space garbage over a million events.)
 */
function writeDecimal(buf: Buffer, at: number, value: number): number {
  let digits = 1;
  for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
  let n = value;
  for (let i = at + digits - 1; i >= at; i--) {
    buf[i] = 0x30 + (n % 10);
    n = Math.floor(n / 10);
  }
  return digits;
}

/**
 * The events a writer has accepted but not yet written, for one session, kept as UTF-8 bytes
 * outside V8's heap: each entry is its id (as JSON without the closing quote) and the rest of
 * its line after `"seq":N,`. Nothing of a pending event stays on the JS heap, so a fast producer
 * leaves only short-lived garbage behind and V8's young generation does not grow (that growth,
 * not the events, was most of the resident memory when writing millions of events).
 */
export class PendingEvents {
  private bytes = Buffer.allocUnsafe(INITIAL_BYTES);
  private used = 0;
  /** Per entry: where its id starts, where its rest starts, where it ends. */
  private bounds = new Uint32Array(INITIAL_ENTRIES * 3);
  /** Number of pending events. */
  count = 0;
  /** Estimated bytes of their finished lines. */
  lineBytes = 0;

  /** Adds one event: `idJsonOpen` is its id as JSON minus the closing quote, `rest` its fields after `seq`. */
  push(idJsonOpen: string, rest: string): void {
    const at = this.count * 3;
    if (at + 3 > this.bounds.length) {
      const grown = new Uint32Array(this.bounds.length * 2);
      grown.set(this.bounds);
      this.bounds = grown;
    }
    // A UTF-16 code unit never takes more than 3 bytes in UTF-8.
    this.reserve((idJsonOpen.length + rest.length) * 3);
    const start = this.used;
    this.used += this.bytes.write(idJsonOpen, this.used, 'utf8');
    const restStart = this.used;
    this.used += this.bytes.write(rest, this.used, 'utf8');
    this.bounds[at] = start;
    this.bounds[at + 1] = restStart;
    this.bounds[at + 2] = this.used;
    this.count++;
    this.lineBytes += this.used - start + 90;
  }

  private reserve(extra: number): void {
    if (this.used + extra <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.used + extra) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.bytes.copy(grown, 0, 0, this.used);
    this.bytes = grown;
  }

  /**
   * Writes every pending event as a finished line into `out` from `offset` (`{"id":…","session":…,
   * "seq":N,…}\n`, seqs from `firstSeq`), growing it through `grow` when needed. Returns the end offset.
   */
  render(
    out: Buffer,
    offset: number,
    head: Buffer,
    firstSeq: number,
    grow: (size: number) => Buffer,
  ): number {
    let buf = out;
    let size = offset;
    let seq = firstSeq;
    for (let i = 0; i < this.count; i++) {
      const start = this.bounds[i * 3]!;
      const restStart = this.bounds[i * 3 + 1]!;
      const end = this.bounds[i * 3 + 2]!;
      // 16 digits cover every seq a log can hold.
      const need = ID_OPEN.length + (restStart - start) + head.length + 16 + 1 + (end - restStart) + 1;
      if (size + need > buf.length) {
        buf = grow(Math.max(size + need, buf.length * 2));
      }
      size += ID_OPEN.copy(buf, size);
      size += this.bytes.copy(buf, size, start, restStart);
      size += head.copy(buf, size);
      size += writeDecimal(buf, size, seq++);
      buf[size++] = COMMA;
      size += this.bytes.copy(buf, size, restStart, end);
      buf[size++] = NEWLINE;
    }
    return size;
  }

  /** Forgets every pending event (they were written). */
  clear(): void {
    this.count = 0;
    this.used = 0;
    this.lineBytes = 0;
    if (this.bytes.length > KEEP_BYTES) this.bytes = Buffer.allocUnsafe(INITIAL_BYTES);
    if (this.bounds.length > INITIAL_ENTRIES * 3 * 64) this.bounds = new Uint32Array(INITIAL_ENTRIES * 3);
  }
}
