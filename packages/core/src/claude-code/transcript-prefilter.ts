/**
 * Tells, from a transcript line's bytes alone, the lines the import does not need to parse:
 * progress lines (a hook ran; a sub-agent made a step) are a third of a transcript's bytes, and
 * parsing them into objects only to drop them was the import's largest cost. A marker such as
 * `"type":"progress"` found in the bytes is structure, never text: inside a JSON string its
 * quotes would be escaped (`\"type\":\"progress\"`). Whatever is not recognised for sure is
 * parsed as usual.
 */

const TYPE = Buffer.from('"type":"');
const PROGRESS = Buffer.from('progress"');
const HOOK_PROGRESS = Buffer.from('"type":"hook_progress"');
const AGENT_PROGRESS = Buffer.from('"type":"agent_progress"');
const AGENT_ID = Buffer.from('"agentId":"');
const MODEL = Buffer.from('"model":"');
const SNAPSHOT_START = Buffer.from('{"type":"file-history-snapshot"');
/** Record types whose lines are never skipped, whatever else they contain. */
const KEPT_TYPES = ['user', 'assistant', 'system', 'summary'].map((type) => Buffer.from(`"type":"${type}"`));

function once(bytes: Buffer, marker: Buffer): number {
  const at = bytes.indexOf(marker);
  if (at === -1) return -1;
  return bytes.indexOf(marker, at + marker.length) === -1 ? at : -2;
}

function stringAt(bytes: Buffer, at: number, marker: Buffer): string | undefined {
  const start = at + marker.length;
  const end = bytes.indexOf(0x22, start);
  return end > start ? bytes.toString('utf8', start, end) : undefined;
}

/**
 * A `skipLine` filter for `readTranscript` that skips:
 * - `hook_progress` progress lines, and `file-history-snapshot` lines (nothing to import);
 * - `agent_progress` lines, after handing their sub-agent id and model to `onAgentModel` (the
 *   copied sub-agent message is never counted; its model names a sub-agent whose own transcript
 *   is missing). A line that is not unambiguous (its id or model more than once) is parsed.
 *
 * @example
 * readTranscript(file, { skipLine: importLineFilter((agentId, model) => models.set(agentId, model)) });
 */
export function importLineFilter(
  onAgentModel: (agentId: string, model: string | undefined) => void,
): (bytes: Buffer) => boolean {
  return (bytes) => {
    const n = SNAPSHOT_START.length;
    if (bytes.length > n && bytes.compare(SNAPSHOT_START, 0, n, 0, n) === 0) return true;
    // A progress record: the first "type" of the line is its own (the fields before it are
    // scalars). Other records have theirs first too, or a message whose type comes first
    // (`"type":"message"`), so this stops within the first few hundred bytes of any line.
    const typeAt = bytes.indexOf(TYPE);
    if (typeAt === -1) return false;
    const valueAt = typeAt + TYPE.length;
    if (bytes.compare(PROGRESS, 0, PROGRESS.length, valueAt, valueAt + PROGRESS.length) !== 0) return false;
    if (bytes.indexOf(AGENT_PROGRESS) !== -1) {
      const idAt = once(bytes, AGENT_ID);
      const modelAt = once(bytes, MODEL);
      if (idAt < 0 || modelAt === -2) return false;
      const agentId = stringAt(bytes, idAt, AGENT_ID);
      if (agentId === undefined) return false;
      onAgentModel(agentId, modelAt >= 0 ? stringAt(bytes, modelAt, MODEL) : undefined);
      return true;
    }
    if (bytes.indexOf(HOOK_PROGRESS) === -1) return false;
    for (const type of KEPT_TYPES) if (bytes.indexOf(type) !== -1) return false;
    return true;
  };
}
