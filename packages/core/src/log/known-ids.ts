import { createReadStream, existsSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { splitLines } from './line-splitter.js';
import { sessionLogFiles } from './log-files.js';

const ID_PREFIX = Buffer.from('{"id":"');
const TYPE_FIELD = Buffer.from(',"type":"');
const TOOL_USE_FIELD = Buffer.from('"tool_use_id":"');

/** What a session's log already holds, for idempotent capture and import. */
export interface KnownEvents {
  /** Every event id. */
  ids: Set<string>;
  /** `<type>:<tool_use_id>` of every event derived from a tool call (in `data` or `meta`). */
  toolUses: Set<string>;
  /**
   * Tool calls already recorded, as `start:<tool_use_id>` (a sub-agent's `agent_invocation`
   * with status `started`) and `call:<tool_use_id>` (any other event of the call: its
   * `tool_usage`, `error`, `file_operation`, `decision`, finished `agent_invocation`). A capture
   * path writes a call's events only when its key is not known yet.
   */
  toolCalls: Set<string>;
}

const STATUS_FIELD = Buffer.from('"status":"');

function stringAt(bytes: Buffer, field: Buffer, from = 0): string | undefined {
  const at = bytes.indexOf(field, from);
  if (at === -1) return undefined;
  const start = at + field.length;
  const end = bytes.indexOf(0x22, start);
  return end > start ? bytes.toString('utf8', start, end) : undefined;
}

/**
 * The ids, and the tool calls, of every event already in a session's log, read without parsing
 * (the writer always puts `id` first and `type` soon after). Capture and import skip an event
 * whose deterministic id is known, or whose `type` and `tool_use_id` are known: the join that
 * keeps a session captured by hooks and also imported from its transcript from counting twice.
 */
export async function loadKnownEvents(logsDir: string, session: string): Promise<KnownEvents> {
  const files = sessionLogFiles(logsDir, session);
  const known: KnownEvents = { ids: new Set(), toolUses: new Set(), toolCalls: new Set() };
  const file = existsSync(files.compressed)
    ? files.compressed
    : existsSync(files.plain)
      ? files.plain
      : undefined;
  if (!file) return known;
  const stream = createReadStream(file, { highWaterMark: 1024 * 1024 });
  const source = file === files.compressed ? stream.pipe(createGunzip()) : stream;
  try {
    for await (const line of splitLines(source as AsyncIterable<Buffer>)) {
      if (!line.bytes.subarray(0, ID_PREFIX.length).equals(ID_PREFIX)) continue;
      const id = stringAt(line.bytes, ID_PREFIX);
      if (id) known.ids.add(id);
      const toolUseId = stringAt(line.bytes, TOOL_USE_FIELD);
      const type = toolUseId ? stringAt(line.bytes, TYPE_FIELD) : undefined;
      if (toolUseId && type) {
        known.toolUses.add(`${type}:${toolUseId}`);
        const started = type === 'agent_invocation' && stringAt(line.bytes, STATUS_FIELD) === 'started';
        known.toolCalls.add(`${started ? 'start' : 'call'}:${toolUseId}`);
      }
    }
  } catch {
    // A corrupt compressed log: what was read so far is what is known.
  } finally {
    stream.destroy();
  }
  return known;
}
