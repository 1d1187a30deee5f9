/**
 * The MongoDB wire-protocol test server: a TCP listener that frames messages, runs each command
 * against a {@link ServerState} and answers, with fault injection (dropped connections, slow
 * answers, duplicate key errors on insert).
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { Document } from 'bson';
import {
  buildInfoReply,
  createCommand,
  createIndexesCommand,
  dropCommand,
  dropDatabaseCommand,
  dropIndexesCommand,
  endSessionsCommand,
  helloReply,
  listCollectionsCommand,
  listDatabasesCommand,
  listIndexesCommand,
} from './commands-admin.js';
import {
  aggregateCommand,
  countCommand,
  distinctCommand,
  explainCommand,
  findCommand,
  getMoreCommand,
  killCursorsCommand,
} from './commands-read.js';
import { deleteCommand, insertCommand, updateCommand, type WriteFaults } from './commands-write.js';
import { CommandError, commandNotFound, type MongoCodeName } from './mongo-errors.js';
import { ServerState } from './server-state.js';
import { encodeOpMsg, encodeOpReply, MessageFramer, OP_MSG, OP_QUERY, parseMessage } from './wire.js';

/** Options of {@link startMongoTestServer}. */
export interface MongoTestServerOptions {
  /** TCP port on 127.0.0.1. Default: a free one. */
  port?: number;
}

/**
 * Faults to inject, changed at any time while the server runs. Handshakes and monitoring
 * (`hello`, `isMaster`, `ping`) are never delayed or dropped, so the driver keeps seeing a server.
 */
export interface MongoTestFaults extends WriteFaults {
  /** Close the connection instead of answering the next N commands. */
  dropConnections: number;
  /** Wait this long before answering each command, ms. */
  delayMs: number;
  /** Answer the next `times` commands named `command` with MongoDB's error `codeName`. */
  failCommand?: { command: string; codeName: MongoCodeName; times: number };
}

/** A running test server. */
export interface MongoTestServer {
  /** `mongodb://127.0.0.1:<port>/`, for `new MongoClient(url)`. */
  url: string;
  port: number;
  /** The faults to inject (mutable). */
  faults: MongoTestFaults;
  /** The commands answered so far, by name (for tests of what a client sends). */
  commandCounts: Map<string, number>;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

type Handler = (state: ServerState, db: string, command: Document, faults: MongoTestFaults) => Document;

const HANDLERS: Record<string, Handler> = {
  ping: () => ({ ok: 1 }),
  buildInfo: () => buildInfoReply(),
  buildinfo: () => buildInfoReply(),
  endSessions: () => endSessionsCommand(),
  saslStart: () => {
    throw new CommandError('AuthenticationFailed', 'Authentication failed.');
  },
  authenticate: () => {
    throw new CommandError('AuthenticationFailed', 'Authentication failed.');
  },
  insert: insertCommand,
  update: updateCommand,
  delete: deleteCommand,
  find: findCommand,
  aggregate: aggregateCommand,
  count: countCommand,
  distinct: distinctCommand,
  getMore: getMoreCommand,
  killCursors: killCursorsCommand,
  explain: explainCommand,
  create: createCommand,
  drop: dropCommand,
  dropDatabase: dropDatabaseCommand,
  listCollections: listCollectionsCommand,
  listDatabases: listDatabasesCommand,
  createIndexes: createIndexesCommand,
  listIndexes: listIndexesCommand,
  dropIndexes: dropIndexesCommand,
};

const HANDSHAKE = new Set(['hello', 'isMaster', 'ismaster', 'ping']);

function commandName(command: Document): string {
  return Object.keys(command)[0] ?? '';
}

/** Answers one command (errors as MongoDB's error documents). */
export function answer(
  state: ServerState,
  command: Document,
  faults: MongoTestFaults,
  connectionId: number,
): Document {
  const name = commandName(command);
  if (name === 'hello' || name === 'isMaster' || name === 'ismaster') return helloReply(connectionId);
  const handler = HANDLERS[name];
  try {
    const fail = faults.failCommand;
    if (fail && fail.command === name && fail.times > 0) {
      fail.times--;
      throw new CommandError(fail.codeName, `${fail.codeName} (injected by the sat MongoDB test server)`);
    }
    if (!handler) throw commandNotFound(name);
    return handler(state, (command.$db as string | undefined) ?? 'admin', command, faults);
  } catch (error) {
    if (error instanceof CommandError) return error.toReply();
    return {
      ok: 0,
      errmsg: `internal error in the sat MongoDB test server: ${(error as Error).message}`,
      code: 1,
      codeName: 'InternalError',
    };
  }
}

interface Connection {
  socket: Socket;
  id: number;
  queue: Promise<void>;
}

function serve(conn: Connection, state: ServerState, server: MongoTestServer, raw: Buffer): void {
  const request = parseMessage(raw);
  const name = commandName(request.command);
  server.commandCounts.set(name, (server.commandCounts.get(name) ?? 0) + 1);
  const faults = server.faults;
  const injectable = !HANDSHAKE.has(name);
  conn.queue = conn.queue.then(async () => {
    if (injectable && faults.dropConnections > 0) {
      faults.dropConnections--;
      conn.socket.destroy();
      return;
    }
    if (injectable && faults.delayMs > 0) await new Promise((r) => setTimeout(r, faults.delayMs));
    if (conn.socket.destroyed) return;
    if (request.opCode === OP_MSG)
      conn.socket.write(encodeOpMsg(answer(state, request.command, faults, conn.id), 0, request.requestId));
    else if (request.opCode === OP_QUERY)
      conn.socket.write(encodeOpReply(answer(state, request.command, faults, conn.id), 0, request.requestId));
    else conn.socket.destroy();
  });
}

/**
 * Starts a MongoDB wire-protocol server on 127.0.0.1 for tests: OP_MSG (and the legacy OP_QUERY
 * handshake), data in memory, filters / updates / aggregation by mingo, unique indexes enforced
 * (11000 with MongoDB's errmsg and `writeErrors`), everything it does not support answered with
 * MongoDB's own error shape (59 CommandNotFound, 2 BadValue).
 *
 * @example
 * const server = await startMongoTestServer();
 * const client = await new MongoClient(server.url).connect();
 * server.faults.dropConnections = 1; // the next command fails with a network error
 * await client.close();
 * await server.close();
 */
export async function startMongoTestServer(options: MongoTestServerOptions = {}): Promise<MongoTestServer> {
  const state = new ServerState();
  const sockets = new Set<Socket>();
  let connections = 0;
  const tcp: Server = createServer((socket) => {
    sockets.add(socket);
    const conn: Connection = { socket, id: ++connections, queue: Promise.resolve() };
    const framer = new MessageFramer();
    socket.on('data', (chunk) => {
      for (const message of framer.push(chunk)) serve(conn, state, server, message);
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (tcp.address() as { port: number }).port;
  const server: MongoTestServer = {
    url: `mongodb://127.0.0.1:${port}/`,
    port,
    faults: { dropConnections: 0, delayMs: 0, duplicateInserts: 0 },
    commandCounts: new Map(),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        tcp.close(() => resolve());
      }),
  };
  return server;
}
