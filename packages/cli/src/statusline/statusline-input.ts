/** The part of Claude Code's statusline JSON (on stdin) that `sat statusline` reads. */
export interface StatuslineInput {
  sessionId?: string;
  cwd?: string;
  projectDir?: string;
  model?: string;
  /** Claude Code's own figure for the session, USD. */
  costUsd?: number;
  durationMs?: number;
  linesAdded?: number;
  linesRemoved?: number;
  contextPercent?: number;
  contextWindow?: number;
  fiveHour?: { percent: number; resetsAt?: string };
  sevenDay?: { percent: number; resetsAt?: string };
  agent?: string;
  /** A sub-agent's id, when Claude Code runs the `subagentStatusLine` for one sub-agent. */
  agentId?: string;
  effort?: string;
}

type Obj = Record<string, unknown>;

function obj(value: unknown): Obj | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Obj) : undefined;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function resetsAt(value: unknown): string | undefined {
  if (typeof value === 'number') return new Date(value < 1e12 ? value * 1000 : value).toISOString();
  return str(value);
}

function limit(value: unknown): StatuslineInput['fiveHour'] {
  const o = obj(value);
  const percent = num(o?.used_percentage);
  if (percent === undefined) return undefined;
  const at = resetsAt(o?.resets_at);
  return at ? { percent, resetsAt: at } : { percent };
}

function set<K extends keyof StatuslineInput>(out: StatuslineInput, key: K, value: StatuslineInput[K]): void {
  if (value !== undefined) out[key] = value;
}

/**
 * Reads Claude Code's statusline JSON defensively: every field is optional, a field of the wrong
 * type is left out, unknown fields are ignored. Throws only when `text` is not a JSON object.
 *
 * @example
 * parseStatuslineInput('{"session_id":"s1","model":{"display_name":"Opus"}}').model; // 'Opus'
 */
export function parseStatuslineInput(text: string): StatuslineInput {
  const root = obj(JSON.parse(text));
  if (!root) throw new Error('the statusline input is not a JSON object');
  const out: StatuslineInput = {};
  const model = obj(root.model);
  const cost = obj(root.cost);
  const context = obj(root.context_window);
  const limits = obj(root.rate_limits);
  const workspace = obj(root.workspace);
  set(out, 'sessionId', str(root.session_id));
  set(out, 'cwd', str(root.cwd) ?? str(workspace?.current_dir));
  set(out, 'projectDir', str(workspace?.project_dir));
  set(out, 'model', str(model?.display_name) ?? str(model?.id));
  set(out, 'costUsd', num(cost?.total_cost_usd));
  set(out, 'durationMs', num(cost?.total_duration_ms));
  set(out, 'linesAdded', num(cost?.total_lines_added));
  set(out, 'linesRemoved', num(cost?.total_lines_removed));
  set(out, 'contextPercent', num(context?.used_percentage));
  set(out, 'contextWindow', num(context?.context_window_size));
  set(out, 'fiveHour', limit(limits?.five_hour));
  set(out, 'sevenDay', limit(limits?.seven_day));
  set(out, 'agent', str(root.agent) ?? str(obj(root.agent)?.name));
  set(out, 'agentId', str(root.agent_id) ?? str(obj(root.agent)?.id) ?? str(obj(root.agent)?.agent_id));
  set(out, 'effort', str(root.effort) ?? str(obj(root.effort)?.level));
  return out;
}
