/** One line of a log, with where it starts. */
export interface RawLine {
  /** The bytes, without the newline. */
  bytes: Buffer;
  /** Byte offset of the line's first byte (in the decompressed stream for compressed logs). */
  offset: number;
  /** 1-based line number. */
  line: number;
  /** False for a last line with no newline after it. */
  complete: boolean;
  /** True when the line was longer than the limit and only its first part was kept. */
  oversized?: boolean;
}

/**
 * Splits a byte stream into lines, keeping byte offsets, in memory bounded by `maxLineBytes`
 * (a longer line is cut, marked `oversized`, and the rest of it skipped).
 */
export async function* splitLines(
  chunks: AsyncIterable<Buffer | string>,
  maxLineBytes = 64 * 1024 * 1024,
): AsyncGenerator<RawLine> {
  let carry: Buffer[] = [];
  let carryBytes = 0;
  let carryStart = 0;
  let oversized = false;
  let position = 0;
  let line = 0;
  for await (const raw of chunks) {
    const chunk = typeof raw === 'string' ? Buffer.from(raw) : raw;
    let from = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, from);
      if (nl === -1) break;
      line++;
      let bytes: Buffer;
      let offset: number;
      if (carryBytes > 0 || oversized) {
        offset = carryStart;
        if (!oversized) {
          const room = maxLineBytes - carryBytes;
          carry.push(chunk.subarray(from, from + Math.min(room, nl - from)));
          if (nl - from > room) oversized = true;
        }
        bytes = Buffer.concat(carry);
      } else {
        offset = position + from;
        bytes = chunk.subarray(from, nl);
        if (bytes.length > maxLineBytes) {
          bytes = bytes.subarray(0, maxLineBytes);
          oversized = true;
        }
      }
      yield oversized
        ? { bytes, offset, line, complete: true, oversized }
        : { bytes, offset, line, complete: true };
      carry = [];
      carryBytes = 0;
      oversized = false;
      from = nl + 1;
    }
    if (from < chunk.length) {
      if (carryBytes === 0 && !oversized) carryStart = position + from;
      if (!oversized) {
        const room = maxLineBytes - carryBytes;
        const piece = chunk.subarray(from, from + Math.min(room, chunk.length - from));
        // Copy: the stream may reuse its buffer.
        carry.push(Buffer.from(piece));
        carryBytes += piece.length;
        if (chunk.length - from > room) oversized = true;
      }
    }
    position += chunk.length;
  }
  if (carryBytes > 0 || oversized) {
    line++;
    yield {
      bytes: Buffer.concat(carry),
      offset: carryStart,
      line,
      complete: false,
      ...(oversized ? { oversized } : {}),
    };
  }
}
