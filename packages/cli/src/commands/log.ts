import { existsSync } from 'node:fs';
import {
  closeSessionLog,
  EVENT_TYPES,
  type EventType,
  EventWriter,
  getActiveSession,
  newId,
  PAYLOAD_VERSIONS,
  sessionLogFiles,
  setActiveSession,
} from '@sat/core';
import type { HandlerOf } from '../command-spec.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import type { logCommand } from '../registry.js';

const OWN_FLAGS = new Set(['--json', '--session', '--agent', '--parent', '--home', '--config']);

/** The `--agent` commander fills in when none is given. */
const DEFAULT_AGENT = 'main';

function normaliseType(raw: string): EventType {
  const type = raw.replace(/-/g, '_');
  if (!(EVENT_TYPES as readonly string[]).includes(type)) {
    throw new UsageError(`unknown event type '${raw}': use one of ${EVENT_TYPES.join(', ')}`);
  }
  return type as EventType;
}

interface SchemaNode {
  type?: string;
  properties?: Record<string, SchemaNode>;
  anyOf?: SchemaNode[];
}

/** The JSON-schema type of a (possibly dotted) field, to read `--x 42` as text or as JSON. */
function fieldType(type: EventType, path: string[]): string | undefined {
  let node: SchemaNode | undefined = PAYLOAD_VERSIONS[type].at(-1)!.schema as SchemaNode;
  for (const part of path) node = node?.properties?.[part];
  if (!node) return undefined;
  if (node.anyOf) return node.anyOf.every((option) => option.type === 'string') ? 'string' : 'mixed';
  return node.type;
}

function parseValue(type: EventType, path: string[], raw: string): unknown {
  const kind = fieldType(type, path);
  if (kind === 'string') return raw;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** Reads `--field value` pairs (dashes become underscores, dots nest, repeats make lists). */
export function fieldsFromArgs(type: EventType, argv: readonly string[]): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--'))
      throw new UsageError(`unexpected argument '${arg}': fields are given as --name value`);
    let name = arg.slice(2);
    let value: string | undefined;
    const eq = name.indexOf('=');
    if (eq !== -1) {
      value = name.slice(eq + 1);
      name = name.slice(0, eq);
    }
    if (OWN_FLAGS.has(`--${name}`)) {
      if (value === undefined) i++;
      continue;
    }
    if (value === undefined) {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) value = 'true';
      else {
        value = next;
        i++;
      }
    }
    const path = name.split('.').map((part) => part.replace(/-/g, '_'));
    let node = data;
    for (const part of path.slice(0, -1)) {
      if (typeof node[part] !== 'object' || node[part] === null) node[part] = {};
      node = node[part] as Record<string, unknown>;
    }
    const key = path[path.length - 1]!;
    const parsed = parseValue(type, path, value);
    if (fieldType(type, path) === 'array') {
      const list = Array.isArray(node[key]) ? (node[key] as unknown[]) : [];
      node[key] = list.concat(Array.isArray(parsed) ? parsed : [parsed]);
    } else node[key] = parsed;
  }
  return data;
}

async function readStdin(ctx: CliContext): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.stdin)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

function parseObject(text: string, where: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${where} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new UsageError(`${where} must be a JSON object`);
  return value as Record<string, unknown>;
}

/**
 * Whether `--session <id>` names a session to start: true with `--new` when no log has it; an
 * unknown id without `--new` is refused (a typo would otherwise start a stray session).
 */
function isNewSession(logsDir: string, session: string, startNew: boolean | undefined): boolean {
  const files = sessionLogFiles(logsDir, session);
  const known = existsSync(files.plain) || existsSync(files.compressed);
  if (known) {
    if (startNew)
      throw new UsageError(`session ${session} already exists in ${logsDir}: leave out --new to add to it`);
    return false;
  }
  if (!startNew)
    throw new UsageError(
      `no session ${session} in ${logsDir}: pass --new to start a new session with that id (see 'sat sessions' for the existing ones)`,
    );
  return true;
}

/** Appends one event and prints its id. */
export const run: HandlerOf<typeof logCommand> = async (ctx, [rawType, flagArgs], options) => {
  const type = normaliseType(rawType);
  const config = ctx.config();
  const logsDir = config.paths.logs;

  let body: Record<string, unknown>;
  const fromFlags = fieldsFromArgs(type, flagArgs);
  if (options.json !== undefined) body = parseObject(options.json, '--json');
  else if (
    Object.keys(fromFlags).length === 0 &&
    !ctx.stdin.isTTY &&
    type !== 'session_end' &&
    type !== 'session_start'
  ) {
    const text = (await readStdin(ctx)).trim();
    body = text ? parseObject(text, 'stdin') : {};
  } else body = {};
  const envelope = typeof body.data === 'object' && body.data !== null && !Array.isArray(body.data);
  if (envelope && body.type !== undefined && body.type !== type) {
    throw new UsageError(`the JSON says type '${String(body.type)}' but the command says '${type}'`);
  }
  const data = { ...(envelope ? (body.data as Record<string, unknown>) : body), ...fromFlags };
  const agent = (envelope ? (body.agent as string | undefined) : undefined) ?? options.agent;
  if (type === 'agent_invocation' && data.agent === undefined && agent !== DEFAULT_AGENT) data.agent = agent;

  let session = options.session ?? getActiveSession(logsDir);
  const startNamed = options.session !== undefined && isNewSession(logsDir, options.session, options.new);
  const writer = new EventWriter({ logsDir, ...config.writer });
  try {
    if (session && !options.session && existsSync(sessionLogFiles(logsDir, session).compressed))
      session = undefined;
    if (!session || startNamed) {
      if (type === 'session_end') throw new UsageError('no active session to end (name one with --session)');
      session ??= newId();
      writer.append({
        type: 'session_start',
        session,
        data: type === 'session_start' ? data : { client: 'sat-cli' },
      });
      setActiveSession(logsDir, session);
      ctx.note(`sat: started session ${session}`);
      if (type === 'session_start') {
        await writer.close();
        ctx.print(session);
        return 0;
      }
    }
    const id = writer.append({
      type,
      session,
      data: data as never,
      agent,
      parent: (envelope ? (body.parent as string | undefined) : undefined) ?? options.parent,
      ts: envelope ? (body.ts as string | undefined) : undefined,
      meta: envelope ? (body.meta as Record<string, unknown> | undefined) : undefined,
    });
    await writer.close();
    if (type === 'session_end') {
      const closed = await closeSessionLog(logsDir, session, { lockTimeoutMs: config.writer.lockTimeoutMs });
      if (getActiveSession(logsDir) === session) setActiveSession(logsDir, undefined);
      ctx.note(
        `sat: closed session ${session}: ${closed.events} events, ${closed.plainBytes} -> ${closed.compressedBytes} bytes`,
      );
    }
    ctx.print(id);
    return 0;
  } finally {
    await writer.close().catch(() => {});
  }
};
