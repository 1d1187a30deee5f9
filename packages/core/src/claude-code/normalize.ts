import type { EventPayloads } from '../events/payloads.js';
import { gitBlobHash } from '../git-hash.js';

type Payload<T extends keyof EventPayloads> = EventPayloads[T];

/**
 * A copy of a tool's input for the event log with long strings shortened (`…[+N chars]`) and
 * deep or wide values cut, so events stay small; the raw payload is kept elsewhere.
 *
 * @example
 * summarizeToolInput({ file_path: 'a.ts', content: 'x'.repeat(10_000) }); // content shortened
 */
export function summarizeToolInput(input: unknown, maxString = 500): Record<string, unknown> {
  const cut = (value: unknown, depth: number): unknown => {
    if (typeof value === 'string')
      return value.length > maxString
        ? `${value.slice(0, maxString)}…[+${value.length - maxString} chars]`
        : value;
    if (typeof value !== 'object' || value === null) return value;
    if (depth >= 4) return Array.isArray(value) ? `[${value.length} items]` : '{…}';
    if (Array.isArray(value)) {
      const items = value.slice(0, 20).map((item) => cut(item, depth + 1));
      if (value.length > 20) items.push(`…[+${value.length - 20} items]`);
      return items;
    }
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value).slice(0, 50)) out[key] = cut(item, depth + 1);
    return out;
  };
  const result = cut(input, 0);
  return typeof result === 'object' && result !== null && !Array.isArray(result)
    ? (result as Record<string, unknown>)
    : { value: result };
}

const MAX_DIFF = 4000;

function lines(prefix: string, text: string): string {
  return text
    .split('\n')
    .map((line) => `${prefix}${line}`)
    .join('\n');
}

function editDiff(edits: Array<{ old_string?: unknown; new_string?: unknown }>): string | undefined {
  const parts: string[] = [];
  for (const edit of edits) {
    if (typeof edit.old_string !== 'string' || typeof edit.new_string !== 'string') continue;
    parts.push(`@@\n${lines('-', edit.old_string)}\n${lines('+', edit.new_string)}`);
  }
  const diff = parts.join('\n');
  return diff && diff.length <= MAX_DIFF ? diff : undefined;
}

/**
 * The file operation a file-editing tool call made (Edit, MultiEdit, Write, NotebookEdit), with a
 * small diff for edits and the git blob hash of what Write wrote; undefined for other tools.
 */
export function fileOperationFromTool(
  tool: string,
  input: unknown,
  result?: unknown,
): Payload<'file_operation'> | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const args = input as Record<string, unknown>;
  const path = (args.file_path ?? args.notebook_path ?? args.path) as unknown;
  if (typeof path !== 'string' || path.length === 0) return undefined;
  const response = typeof result === 'object' && result !== null ? (result as Record<string, unknown>) : {};
  switch (tool) {
    case 'Write': {
      const content = typeof args.content === 'string' ? args.content : undefined;
      const op: Payload<'file_operation'> = {
        operation: response.type === 'update' ? 'modify' : 'create',
        path,
      };
      if (content !== undefined) {
        op.git_hash = gitBlobHash(content);
        op.bytes = Buffer.byteLength(content);
      }
      return op;
    }
    case 'Edit': {
      const diff = editDiff([args as { old_string?: unknown; new_string?: unknown }]);
      return diff ? { operation: 'modify', path, diff } : { operation: 'modify', path };
    }
    case 'MultiEdit': {
      const diff = Array.isArray(args.edits)
        ? editDiff(args.edits as Array<{ old_string?: unknown; new_string?: unknown }>)
        : undefined;
      return diff ? { operation: 'modify', path, diff } : { operation: 'modify', path };
    }
    case 'NotebookEdit':
      return { operation: args.edit_mode === 'delete' ? 'modify' : 'modify', path };
    default:
      return undefined;
  }
}

/** Tools whose calls are file operations. */
export const FILE_TOOLS: readonly string[] = ['Edit', 'MultiEdit', 'Write', 'NotebookEdit'];

/**
 * Decisions a tool call records: the user's answers to AskUserQuestion, and the approval (or
 * rejection) of a plan through ExitPlanMode.
 */
export function decisionsFromTool(
  tool: string,
  input: unknown,
  result: unknown,
  resultText = '',
  isError = false,
): Payload<'decision'>[] {
  const args = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {};
  const response = typeof result === 'object' && result !== null ? (result as Record<string, unknown>) : {};
  if (tool === 'AskUserQuestion') {
    const questions = Array.isArray(args.questions) ? (args.questions as Array<Record<string, unknown>>) : [];
    const answers =
      typeof response.answers === 'object' && response.answers !== null
        ? (response.answers as Record<string, unknown>)
        : {};
    const out: Payload<'decision'>[] = [];
    for (const q of questions) {
      if (typeof q.question !== 'string' || !q.question) continue;
      const answer = answers[q.question];
      if (answer === undefined) continue;
      const options = Array.isArray(q.options)
        ? (q.options as Array<Record<string, unknown>>).map((o) => String(o.label ?? '')).filter(Boolean)
        : undefined;
      out.push({
        question: q.question,
        ...(options ? { options } : {}),
        selected: String(answer),
        rationale: 'answered by the user',
      });
    }
    return out;
  }
  if (tool === 'ExitPlanMode') {
    const approved = !isError && /approved/i.test(resultText) && !/reject/i.test(resultText);
    const where = typeof response.filePath === 'string' ? `plan in ${response.filePath}` : undefined;
    return [
      {
        question: 'Approve the plan and leave plan mode?',
        options: ['approve', 'reject'],
        selected: approved ? 'approve' : 'reject',
        ...(where ? { rationale: where } : {}),
      },
    ];
  }
  return [];
}

/** The agent_invocation a Task/Agent tool call starts: which sub-agent, why, on which model. */
export function agentInvocationFromTask(input: unknown, invokedBy: string): Payload<'agent_invocation'> {
  const args = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {};
  const agent =
    typeof args.subagent_type === 'string' && args.subagent_type ? args.subagent_type : 'general-purpose';
  const reason =
    typeof args.description === 'string' && args.description
      ? args.description
      : typeof args.prompt === 'string'
        ? args.prompt.slice(0, 200)
        : undefined;
  const context: Record<string, unknown> = {};
  if (typeof args.model === 'string') context.model = args.model;
  if (typeof args.prompt === 'string')
    context.prompt = args.prompt.length > 500 ? `${args.prompt.slice(0, 500)}…` : args.prompt;
  return {
    agent,
    invoked_by: invokedBy,
    status: 'started',
    ...(reason ? { reason } : {}),
    ...(Object.keys(context).length ? { context } : {}),
  };
}

/** An error event for a failed tool call; `error_type` groups alike failures (`exit_code_1`, `tool_error`). */
export function toolErrorPayload(tool: string, message: string, toolUseId?: string): Payload<'error'> {
  const exit = /^Exit code (\d+)/.exec(message);
  const error_type = exit
    ? `exit_code_${exit[1]}`
    : /interrupt/i.test(message)
      ? 'interrupted'
      : 'tool_error';
  const text = message.length > 2000 ? `${message.slice(0, 2000)}…` : message;
  return { error_type, message: text, context: { tool }, ...(toolUseId ? { tool_use_id: toolUseId } : {}) };
}
