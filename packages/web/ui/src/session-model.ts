/** An event of the log, as `GET /api/sessions/:id/events` gives it. */
export interface SatEvent {
  id: string;
  session: string;
  seq: number;
  ts: string;
  type: string;
  agent: string;
  parent?: string;
  // biome-ignore lint/suspicious/noExplicitAny: payloads differ per event type
  data: any;
}

/** A node of the agent tree: an agent, a Task call it made, or the sub-agent run that call started. */
export interface TreeNode {
  key: string;
  kind: 'agent' | 'task' | 'run';
  label: string;
  detail?: string;
  status?: 'running' | 'completed' | 'failed';
  durationMs?: number;
  /** The lane (agent name in the log) whose figures this node shows. */
  lane?: string;
  children: TreeNode[];
}

const TASK_TOOLS = new Set(['Task', 'Agent']);

/** Events in time order (then by sequence). */
export function byTime(events: SatEvent[]): SatEvent[] {
  return [...events].sort((a, b) => a.ts.localeCompare(b.ts) || a.seq - b.seq);
}

/** The lane a sub-agent run's own events carry: `agent-<agent_id>` when the log has them, else its type. */
function runLane(agentId: string | undefined, type: string, lanes: Set<string>): string {
  if (agentId && lanes.has(`agent-${agentId}`)) return `agent-${agentId}`;
  return type;
}

function runNodes(events: SatEvent[], lanes: Set<string>): Map<string, TreeNode> {
  const runs = new Map<string, TreeNode>();
  for (const e of events) {
    if (e.type !== 'agent_invocation') continue;
    const key = e.data.tool_use_id ?? e.parent ?? e.id;
    const node: TreeNode = runs.get(key) ?? {
      key: `run:${key}`,
      kind: 'run',
      label: e.data.agent ?? e.agent,
      status: 'running',
      children: [],
    };
    if (e.data.reason) node.detail = e.data.reason;
    if (e.data.status === 'completed' || e.data.status === 'failed') {
      node.status = e.data.success === false || e.data.status === 'failed' ? 'failed' : 'completed';
      if (typeof e.data.duration_ms === 'number') node.durationMs = e.data.duration_ms;
    }
    node.lane = runLane(e.data.agent_id, node.label, lanes);
    runs.set(key, node);
  }
  return runs;
}

/**
 * The agent tree of a session: each agent's Task calls, and under each call the sub-agent run it
 * started; agents the log has without a recorded Task call hang under the root.
 */
export function agentTree(events: SatEvent[]): TreeNode {
  const sorted = byTime(events);
  const lanes = new Set(sorted.map((e) => e.agent));
  const runs = runNodes(sorted, lanes);
  const agentNodes = new Map<string, TreeNode>();
  const agentNode = (name: string): TreeNode => {
    let node = agentNodes.get(name);
    if (!node) {
      node = { key: `agent:${name}`, kind: 'agent', label: name, lane: name, children: [] };
      agentNodes.set(name, node);
    }
    return node;
  };
  const root = agentNode('main');
  if (!lanes.has('main')) root.detail = 'no events of its own in this log';
  const placed = new Set<string>();
  for (const e of sorted) {
    if (e.type !== 'tool_usage' || !TASK_TOOLS.has(e.data.tool)) continue;
    const p = e.data.parameters ?? {};
    const task: TreeNode = {
      key: `task:${e.id}`,
      kind: 'task',
      label: `${e.data.tool}: ${p.description ?? p.subagent_type ?? ''}`,
      status: e.data.success === false ? 'failed' : 'completed',
      children: [],
    };
    if (typeof e.data.duration_ms === 'number') task.durationMs = e.data.duration_ms;
    const run = runs.get(e.data.tool_use_id);
    if (run) {
      task.children.push(run);
      placed.add(e.data.tool_use_id);
      if (run.lane) placed.add(`lane:${run.lane}`);
    }
    agentNode(e.agent).children.push(task);
  }
  for (const [key, run] of runs)
    if (!placed.has(key)) {
      root.children.push(run);
      if (run.lane) placed.add(`lane:${run.lane}`);
    }
  for (const lane of lanes)
    if (lane !== root.label && !placed.has(`lane:${lane}`))
      root.children.push({ ...agentNode(lane), detail: 'no Task call recorded for it' });
  return root;
}

/** A bar of the timeline: a tool call or a sub-agent run, on its agent's lane. */
export interface TimelineItem {
  key: string;
  lane: string;
  kind: 'tool' | 'run' | 'error';
  label: string;
  start: number;
  end: number;
  failed: boolean;
  toolUseId?: string;
}

function toolItem(e: SatEvent): TimelineItem {
  const end = Date.parse(e.ts);
  const ms = typeof e.data.duration_ms === 'number' ? e.data.duration_ms : 0;
  const p = e.data.parameters ?? {};
  const what = p.command ?? p.file_path ?? p.pattern ?? p.query ?? p.url ?? p.description ?? '';
  return {
    key: e.id,
    lane: e.agent,
    kind: 'tool',
    label: `${e.data.tool}${what ? `: ${String(what).slice(0, 80)}` : ''}`,
    start: end - ms,
    end,
    failed: e.data.success === false,
    toolUseId: e.data.tool_use_id,
  };
}

/** The swim lanes (agents in order of first event, main first) and the bars on them, times in ms. */
export function timeline(events: SatEvent[]): { lanes: string[]; items: TimelineItem[] } {
  const sorted = byTime(events);
  const items: TimelineItem[] = [];
  const started = new Map<string, SatEvent>();
  const lanesSeen = new Set(sorted.map((e) => e.agent));
  for (const e of sorted) {
    if (e.type === 'tool_usage') items.push(toolItem(e));
    else if (e.type === 'error')
      items.push({
        key: e.id,
        lane: e.agent,
        kind: 'error',
        label: `error: ${e.data.message ?? e.data.error_type}`,
        start: Date.parse(e.ts),
        end: Date.parse(e.ts),
        failed: true,
      });
    else if (e.type === 'agent_invocation') {
      const key = e.data.tool_use_id ?? e.parent ?? e.id;
      if (e.data.status === 'started') started.set(key, e);
      else {
        const lane = runLane(e.data.agent_id, e.data.agent ?? e.agent, lanesSeen);
        const end = Date.parse(e.ts);
        const begin = started.get(key) ? Date.parse(started.get(key)!.ts) : end - (e.data.duration_ms ?? 0);
        items.push({
          key: e.id,
          lane,
          kind: 'run',
          label: `${e.data.agent} run: ${e.data.reason ?? ''}`,
          start: begin,
          end,
          failed: e.data.success === false,
        });
      }
    }
  }
  const names = [...new Set([...sorted.map((e) => e.agent), ...items.map((i) => i.lane)])];
  const lanes = names.includes('main') ? ['main', ...names.filter((n) => n !== 'main')] : names;
  return { lanes, items };
}

/** A turn of the conversation: a prompt and what followed it until the next one. */
export interface Turn {
  key: string;
  ts: string;
  prompt?: string;
  tools: Record<string, number>;
  responses: number;
  errors: number;
  decisions: Array<{ question: string; selected: string }>;
}

/** The conversation as turns: each user prompt with the tool calls, responses, errors and decisions after it. */
export function turns(events: SatEvent[]): Turn[] {
  const out: Turn[] = [];
  let turn: Turn | undefined;
  for (const e of byTime(events)) {
    if (e.type === 'user_prompt' || !turn) {
      turn = { key: e.id, ts: e.ts, tools: {}, responses: 0, errors: 0, decisions: [] };
      if (e.type === 'user_prompt') turn.prompt = String(e.data.text ?? '');
      out.push(turn);
      if (e.type === 'user_prompt') continue;
    }
    if (e.type === 'tool_usage') turn.tools[e.data.tool] = (turn.tools[e.data.tool] ?? 0) + 1;
    else if (e.type === 'api_response') turn.responses++;
    else if (e.type === 'error') turn.errors++;
    else if (e.type === 'decision')
      turn.decisions.push({
        question: String(e.data.question ?? ''),
        selected: String(e.data.selected ?? ''),
      });
  }
  const empty = (t: Turn) =>
    t.prompt === undefined &&
    !t.responses &&
    !t.errors &&
    !t.decisions.length &&
    !Object.keys(t.tools).length;
  return out.filter((t) => !empty(t));
}
