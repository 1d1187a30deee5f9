import * as nodeFs from 'node:fs';

/** What the end of a session log says. */
export interface LogTail {
  /** The `seq` of the last complete, parseable event; 0 when there is none. */
  lastSeq: number;
  /** The last complete, parseable event. */
  lastEvent?: Record<string, unknown>;
  /** False when the file ends in the middle of a line (a torn write). */
  endsClean: boolean;
}

/**
 * Reads backwards from `size` to find the last complete event with a `seq`. Reads 64 KiB at a
 * time, so it costs one small read in the usual case.
 */
export function readLogTail(fd: number, size: number, fs: Pick<typeof nodeFs, 'readSync'> = nodeFs): LogTail {
  if (size === 0) return { lastSeq: 0, endsClean: true };
  let window = 64 * 1024;
  let endsClean = true;
  for (;;) {
    const start = Math.max(0, size - window);
    const buf = Buffer.allocUnsafe(size - start);
    let read = 0;
    while (read < buf.length) {
      const n = fs.readSync(fd, buf, read, buf.length - read, start + read);
      if (n === 0) break;
      read += n;
    }
    const view = buf.subarray(0, read);
    if (start + read === size && window === 64 * 1024) endsClean = view[view.length - 1] === 0x0a;
    // Walk complete lines from the last one backwards.
    let end = view.lastIndexOf(0x0a);
    while (end > 0) {
      const prev = view.lastIndexOf(0x0a, end - 1);
      if (prev === -1 && start > 0) break; // the line may begin before this window
      const line = view.subarray(prev + 1, end);
      try {
        const event = JSON.parse(line.toString('utf8')) as Record<string, unknown>;
        if (typeof event.seq === 'number' && Number.isInteger(event.seq))
          return { lastSeq: event.seq, lastEvent: event, endsClean };
      } catch {}
      end = prev;
    }
    if (start === 0) return { lastSeq: 0, endsClean };
    window *= 4;
  }
}
