/**
 * MongoDB's wire protocol, the part a test server needs: message framing, OP_MSG (body and
 * document-sequence sections, optional checksum) and the legacy OP_QUERY / OP_REPLY that old
 * handshakes use. Documents are BSON, read with numbers promoted to JS numbers.
 */
import { BSON, type Document } from 'bson';

/** OP_MSG, the opcode of every command since MongoDB 3.6. */
export const OP_MSG = 2013;
/** OP_QUERY, only for the legacy `isMaster` handshake. */
export const OP_QUERY = 2004;
const OP_REPLY = 1;
const HEADER = 16;
const CHECKSUM_PRESENT = 1;

/** One request read off a socket. */
export interface WireRequest {
  requestId: number;
  opCode: number;
  /** The command: OP_MSG's body with its document sequences merged in, or OP_QUERY's query. */
  command: Document;
  /** OP_QUERY's collection (`admin.$cmd`); empty for OP_MSG. */
  collection: string;
}

const DESERIALIZE = { promoteLongs: true, promoteValues: true, promoteBuffers: false } as const;

function readCString(buf: Buffer, at: number): [string, number] {
  const end = buf.indexOf(0, at);
  return [buf.toString('utf8', at, end), end + 1];
}

function parseOpMsg(buf: Buffer): Document {
  const flags = buf.readUInt32LE(HEADER);
  const end = flags & CHECKSUM_PRESENT ? buf.length - 4 : buf.length;
  let at = HEADER + 4;
  let body: Document | undefined;
  const sequences: Record<string, Document[]> = {};
  while (at < end) {
    const kind = buf[at]!;
    at += 1;
    if (kind === 0) {
      const size = buf.readInt32LE(at);
      body = BSON.deserialize(buf.subarray(at, at + size), DESERIALIZE);
      at += size;
      continue;
    }
    const size = buf.readInt32LE(at);
    const stop = at + size;
    const [identifier, next] = readCString(buf, at + 4);
    const docs: Document[] = [];
    for (let p = next; p < stop; ) {
      const docSize = buf.readInt32LE(p);
      docs.push(BSON.deserialize(buf.subarray(p, p + docSize), DESERIALIZE));
      p += docSize;
    }
    sequences[identifier] = docs;
    at = stop;
  }
  return { ...(body ?? {}), ...sequences };
}

function parseOpQuery(buf: Buffer): { command: Document; collection: string } {
  const [collection, at] = readCString(buf, HEADER + 4);
  const queryAt = at + 8;
  const size = buf.readInt32LE(queryAt);
  const query = BSON.deserialize(buf.subarray(queryAt, queryAt + size), DESERIALIZE);
  const command = (query.$query as Document | undefined) ?? query;
  return { command, collection };
}

/** Parses one whole message (header included). */
export function parseMessage(buf: Buffer): WireRequest {
  const requestId = buf.readInt32LE(4);
  const opCode = buf.readInt32LE(12);
  if (opCode === OP_MSG) return { requestId, opCode, command: parseOpMsg(buf), collection: '' };
  if (opCode === OP_QUERY) return { requestId, opCode, ...parseOpQuery(buf) };
  return { requestId, opCode, command: {}, collection: '' };
}

function header(length: number, requestId: number, responseTo: number, opCode: number): Buffer {
  const out = Buffer.allocUnsafe(HEADER);
  out.writeInt32LE(length, 0);
  out.writeInt32LE(requestId, 4);
  out.writeInt32LE(responseTo, 8);
  out.writeInt32LE(opCode, 12);
  return out;
}

/** An OP_MSG reply (one body section) to `responseTo`. */
export function encodeOpMsg(reply: Document, requestId: number, responseTo: number): Buffer {
  const body = BSON.serialize(reply);
  const flagsAndKind = Buffer.from([0, 0, 0, 0, 0]);
  return Buffer.concat([header(HEADER + 5 + body.length, requestId, responseTo, OP_MSG), flagsAndKind, body]);
}

/** An OP_REPLY (one document) to a legacy OP_QUERY. */
export function encodeOpReply(reply: Document, requestId: number, responseTo: number): Buffer {
  const body = BSON.serialize(reply);
  const fields = Buffer.alloc(20);
  fields.writeInt32LE(1, 16);
  return Buffer.concat([header(HEADER + 20 + body.length, requestId, responseTo, OP_REPLY), fields, body]);
}

/**
 * Cuts a stream of bytes into whole messages: `push` a chunk, get back every message it completed.
 *
 * @example
 * const framer = new MessageFramer();
 * socket.on('data', (chunk) => { for (const m of framer.push(chunk)) handle(m); });
 */
export class MessageFramer {
  private pending: Buffer = Buffer.alloc(0);

  /** Adds a chunk; returns the messages now complete. */
  push(chunk: Buffer): Buffer[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const out: Buffer[] = [];
    while (this.pending.length >= 4) {
      const length = this.pending.readInt32LE(0);
      if (this.pending.length < length) break;
      out.push(this.pending.subarray(0, length));
      this.pending = this.pending.subarray(length);
    }
    return out;
  }
}
