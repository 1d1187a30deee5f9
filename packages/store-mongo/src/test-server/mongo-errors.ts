/**
 * MongoDB's own error documents (`{ ok: 0, errmsg, code, codeName }`), so that the driver raises
 * the same `MongoServerError` a real server would, and a test never silently passes on something
 * the test server does not do.
 */
import type { Document } from 'bson';

/** The codes this server answers with, and their names. */
export const ERROR_CODES = {
  BadValue: 2,
  IllegalOperation: 20,
  Unauthorized: 13,
  AuthenticationFailed: 18,
  NamespaceNotFound: 26,
  IndexNotFound: 27,
  CursorNotFound: 43,
  NamespaceExists: 48,
  CommandNotFound: 59,
  DuplicateKey: 11000,
  BSONObjectTooLarge: 10334,
} as const;

/** A code name of {@link ERROR_CODES}. */
export type MongoCodeName = keyof typeof ERROR_CODES;

/** An error a command handler throws; the server answers it as MongoDB's error document. */
export class CommandError extends Error {
  constructor(
    readonly codeName: MongoCodeName,
    message: string,
  ) {
    super(message);
  }

  /** The reply document. */
  toReply(): Document {
    const code = ERROR_CODES[this.codeName];
    return { ok: 0, errmsg: this.message, code, codeName: this.codeName };
  }
}

/** The answer to a command the server does not implement (MongoDB's `CommandNotFound`). */
export function commandNotFound(name: string): CommandError {
  return new CommandError('CommandNotFound', `no such command: '${name}'`);
}

/** A field the server does not support on a command (so its effect cannot be silently lost). */
export function unsupportedOption(command: string, field: string): CommandError {
  return new CommandError(
    'BadValue',
    `the sat MongoDB test server does not support '${field}' on '${command}' (extend packages/store-mongo/src/test-server, or run against a real MongoDB with SAT_MONGO_URL)`,
  );
}

/** MongoDB's duplicate key message. */
export function duplicateKeyMessage(ns: string, index: string, key: Document): string {
  const shown = Object.entries(key)
    .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
    .join(', ');
  return `E11000 duplicate key error collection: ${ns} index: ${index} dup key: { ${shown} }`;
}
