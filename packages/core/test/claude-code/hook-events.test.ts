import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  type HookMapping,
  MAPPED_HOOK_EVENTS,
  mapHookPayload,
  UNFINISHED_AFTER_MS,
  unfinishedCalls,
} from '../../src/claude-code/hook-events.js';
import type { HookContext, PendingToolCall } from '../../src/claude-code/hook-handler.js';
import type { HookPayload } from '../../src/claude-code/hook-payload.js';
import { summarizeToolInput } from '../../src/claude-code/normalize.js';
import { stableId } from '../../src/ids.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/hook-payloads');
const FILE = '1770760735000000000-4242.json';
const TS = 1_770_760_735_000;
const MAIN = '491e126e-1e71-469c-ade2-fcc8af567c74';
const SUB_SESSION = '8463c716-a2ea-4c14-9efa-87158ebd9f20';
const MAIN_TRANSCRIPT = `/home/marco/.claude/projects/-home-marco-projects-spotter/${MAIN}.jsonl`;
const SUB_TRANSCRIPT = `/home/USER/.claude/projects/-home-USER-projects-spotter-worktrees-spotter-fum/${SUB_SESSION}.jsonl`;

const usedFixtures = new Set<string>();

function fixture(name: string): HookPayload {
  usedFixtures.add(`${name}.json`);
  return JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as HookPayload;
}

/** An event as the mapping must give it, before its id, ts and session are filled in. */
interface ExpectedEvent {
  /** The key of its id: `stableId(TS, session, FILE, key)`. */
  key: string;
  type: string;
  agent: string;
  data: Record<string, unknown>;
  meta: Record<string, unknown>;
}

interface Row {
  name: string;
  payload: HookPayload;
  context?: Partial<HookContext>;
  events: ExpectedEvent[];
  /** Everything else the mapping gives; `transcripts` defaults to the payload's `transcript_path`. */
  changes?: Partial<Omit<HookMapping, 'events' | 'hook'>>;
}

const pendingAt = (ts: number, tool: string, input: unknown, agent = 'main'): PendingToolCall => ({
  session: MAIN,
  ts,
  tool,
  input: summarizeToolInput(input),
  agent,
});

const bash = fixture('post-tool-use-bash');
const bashId = 'toolu_01GQF49Kuk9RfLFgjBJFeD8H';
const task = fixture('post-tool-use-task');
const taskId = 'toolu_01Cz2Pnv7qNcnK1ZiocxWhQX';
const taskPrompt = (task.tool_input as { prompt: string }).prompt;
const write = fixture('post-tool-use-write');
const writeId = 'toolu_01K3VJ686txYhQVcAH8FETHo';
const edit = fixture('post-tool-use-edit');
const ask = fixture('post-tool-use-ask-user-question');
const askId = 'toolu_01RsKEmE8Mc3wD8Vex5b6Zne';
const exitPlan = fixture('post-tool-use-exit-plan-mode');
const exitPlanId = 'toolu_01ADkZx631DtfWJKXE19LZLP';
const subagentStop = fixture('subagent-stop');
const stop = fixture('stop');
const subRead = fixture('subagent-post-tool-use-read-no-type');
const subReadId = 'toolu_013zUH5CLXBdHVFNNQhvjWMi';

const sessionStart = (source: string, model?: string): Row => ({
  name: `SessionStart (${source})`,
  payload: fixture(`session-start-${source}`),
  events: [
    {
      key: 'start',
      type: 'session_start',
      agent: 'main',
      data: {
        client: 'claude-code',
        source,
        cwd: '/home/marco/projects/spotter',
        ...(model ? { model } : {}),
      },
      meta: { hook: 'SessionStart' },
    },
  ],
});

const bashUsage = (data: Record<string, unknown>, hook = 'PostToolUse'): ExpectedEvent => ({
  key: 'tool',
  type: 'tool_usage',
  agent: 'main',
  data: { tool: 'Bash', parameters: { command: 'bd dep add spotter-0p7.2 spotter-0p7.1' }, ...data },
  meta: { hook },
});

const taskInvocationStart: ExpectedEvent = {
  key: 'invocation-start',
  type: 'agent_invocation',
  agent: 'Plan',
  data: {
    agent: 'Plan',
    invoked_by: 'main',
    status: 'started',
    reason: 'Draft beads for linting setup',
    context: { model: 'haiku', prompt: `${taskPrompt.slice(0, 500)}…` },
    tool_use_id: taskId,
  },
  meta: { hook: 'PreToolUse' },
};

const taskUsage: ExpectedEvent = {
  key: 'tool',
  type: 'tool_usage',
  agent: 'main',
  data: {
    tool: 'Task',
    parameters: {
      description: 'Draft beads for linting setup',
      subagent_type: 'Plan',
      model: 'haiku',
      prompt: `${taskPrompt.slice(0, 500)}…[+${taskPrompt.length - 500} chars]`,
    },
    success: true,
    tool_use_id: taskId,
    duration_ms: 38_837,
  },
  meta: { hook: 'PostToolUse' },
};

const taskFinished = (data: Record<string, unknown>): ExpectedEvent => ({
  key: 'invocation-end',
  type: 'agent_invocation',
  agent: 'Plan',
  data: {
    agent: 'Plan',
    invoked_by: 'main',
    tool_use_id: taskId,
    reason: 'Draft beads for linting setup',
    agent_id: 'afb92ff',
    duration_ms: 38_799,
    tokens: { input: 3, output: 3130, cacheCreation: 892, cacheRead: 29_869 },
    ...data,
  },
  meta: { hook: 'PostToolUse' },
});

const subReadUsage = (agent: string): ExpectedEvent => ({
  key: 'tool',
  type: 'tool_usage',
  agent,
  data: {
    tool: 'Read',
    parameters: {
      file_path: '/home/USER/projects/spotter-worktrees/spotter-fum/lib/spotter/services/tmux.ex',
    },
    success: true,
    tool_use_id: subReadId,
  },
  meta: { hook: 'PostToolUse', agent_id: 'a7be2f0' },
});

const failedBash = (name: string, error: string, errorType: string, message: string, input: unknown): Row => {
  const payload = fixture(name);
  const toolUseId = payload.tool_use_id as string;
  return {
    name: `PostToolUseFailure (${name})`,
    payload,
    events: [
      {
        key: 'tool',
        type: 'tool_usage',
        agent: 'main',
        data: { tool: 'Bash', parameters: input, success: false, tool_use_id: toolUseId, error },
        meta: { hook: 'PostToolUseFailure' },
      },
      {
        key: 'error',
        type: 'error',
        agent: 'main',
        data: { error_type: errorType, message, context: { tool: 'Bash' }, tool_use_id: toolUseId },
        meta: { hook: 'PostToolUseFailure' },
      },
    ],
    changes: { answeredCall: toolUseId, recordedToolCalls: [`call:${toolUseId}`] },
  };
};

const tailError =
  "Exit code 1\ntail: cannot open '/tmp/claude-1000/-home-marco-projects-spotter/tasks/bae407b.output' for reading: No such file or directory";

const ROWS: Row[] = [
  sessionStart('startup', 'claude-opus-4-6'),
  sessionStart('resume'),
  sessionStart('clear'),
  sessionStart('compact'),
  {
    name: 'UserPromptSubmit',
    payload: fixture('user-prompt-submit'),
    events: [
      {
        key: 'prompt',
        type: 'user_prompt',
        agent: 'main',
        data: { text: 'create the beads', chars: 16 },
        meta: { hook: 'UserPromptSubmit' },
      },
    ],
  },
  {
    name: 'PreToolUse of a plain tool: kept until its result, no event',
    payload: fixture('pre-tool-use-bash'),
    events: [],
    changes: {
      startedCall: {
        toolUseId: bashId,
        call: {
          session: MAIN,
          ts: TS,
          tool: 'Bash',
          input: { command: 'bd dep add spotter-0p7.2 spotter-0p7.1' },
          agent: 'main',
        },
      },
    },
  },
  {
    name: 'PreToolUse of Write: kept with its input shortened, no event before the result',
    payload: fixture('pre-tool-use-write'),
    events: [],
    changes: { startedCall: { toolUseId: writeId, call: pendingAt(TS, 'Write', write.tool_input) } },
  },
  {
    name: 'PreToolUse of Task: starts the sub-agent invocation',
    payload: fixture('pre-tool-use-task'),
    events: [taskInvocationStart],
    changes: {
      startedCall: { toolUseId: taskId, call: pendingAt(TS, 'Task', task.tool_input) },
      recordedToolCalls: [`start:${taskId}`],
    },
  },
  {
    name: 'PreToolUse of Agent (the newer name) starts an invocation too',
    payload: { ...fixture('pre-tool-use-task'), tool_name: 'Agent' },
    events: [{ ...taskInvocationStart }],
    changes: {
      startedCall: { toolUseId: taskId, call: pendingAt(TS, 'Agent', task.tool_input) },
      recordedToolCalls: [`start:${taskId}`],
    },
  },
  {
    name: 'PreToolUse of Task whose start the transcript import recorded first',
    payload: fixture('pre-tool-use-task'),
    context: { recordedToolCalls: new Set([`start:${taskId}`]) },
    events: [],
    changes: { startedCall: { toolUseId: taskId, call: pendingAt(TS, 'Task', task.tool_input) } },
  },
  {
    name: 'PostToolUse of a plain tool: duration since its PreToolUse',
    payload: bash,
    context: { pendingCalls: { [bashId]: pendingAt(TS - 1500, 'Bash', bash.tool_input) } },
    events: [bashUsage({ success: true, tool_use_id: bashId, duration_ms: 1500 })],
    changes: { answeredCall: bashId, recordedToolCalls: [`call:${bashId}`] },
  },
  {
    name: 'PostToolUse of a plain tool: a duration from spool file times is whole milliseconds',
    payload: bash,
    context: { pendingCalls: { [bashId]: pendingAt(TS - 20.834716796875, 'Bash', bash.tool_input) } },
    events: [bashUsage({ success: true, tool_use_id: bashId, duration_ms: 21 })],
    changes: { answeredCall: bashId, recordedToolCalls: [`call:${bashId}`] },
  },
  {
    name: 'PostToolUse with duration_ms: the reported duration wins',
    payload: fixture('post-tool-use-bash-duration'),
    context: { pendingCalls: { toolu_018GZVh9ymkrdx1TnR8reg5Y: pendingAt(TS - 9999, 'Bash', {}) } },
    events: [
      {
        key: 'tool',
        type: 'tool_usage',
        agent: 'main',
        data: {
          tool: 'Bash',
          parameters: {
            command: 'mix phx.server',
            description: 'Start Phoenix server in background',
            run_in_background: true,
          },
          success: true,
          tool_use_id: 'toolu_018GZVh9ymkrdx1TnR8reg5Y',
          duration_ms: 2113,
        },
        meta: { hook: 'PostToolUse' },
      },
    ],
    changes: {
      answeredCall: 'toolu_018GZVh9ymkrdx1TnR8reg5Y',
      recordedToolCalls: ['call:toolu_018GZVh9ymkrdx1TnR8reg5Y'],
    },
  },
  {
    name: 'PostToolUse with no PreToolUse seen and no duration_ms: no duration',
    payload: bash,
    events: [bashUsage({ success: true, tool_use_id: bashId })],
    changes: { answeredCall: bashId, recordedToolCalls: [`call:${bashId}`] },
  },
  {
    name: 'PostToolUse of a call already recorded: nothing written, counted as a duplicate',
    payload: bash,
    context: { recordedToolCalls: new Set([`call:${bashId}`]) },
    events: [],
    changes: { answeredCall: bashId, alreadyRecorded: true },
  },
  {
    name: 'PostToolUse without tool_use_id: a tool_usage that joins nothing',
    payload: { ...bash, tool_use_id: undefined },
    events: [
      {
        key: 'tool',
        type: 'tool_usage',
        agent: 'main',
        data: {
          tool: 'Bash',
          success: true,
          parameters: { command: 'bd dep add spotter-0p7.2 spotter-0p7.1' },
        },
        meta: { hook: 'PostToolUse' },
      },
    ],
  },
  {
    name: 'PostToolUse of Write: a file_operation with the git hash of what it wrote',
    payload: write,
    events: [
      {
        key: 'tool',
        type: 'tool_usage',
        agent: 'main',
        data: {
          tool: 'Write',
          parameters: summarizeToolInput(write.tool_input),
          success: true,
          tool_use_id: writeId,
        },
        meta: { hook: 'PostToolUse' },
      },
      {
        key: 'file',
        type: 'file_operation',
        agent: 'main',
        data: {
          operation: 'create',
          path: '/home/marco/projects/spotter/plan.md',
          git_hash: '3801a639a2f6107a1d8344d5a80100cbbbf932cd',
          bytes: 3239,
        },
        meta: { hook: 'PostToolUse', tool_use_id: writeId },
      },
    ],
    changes: { answeredCall: writeId, recordedToolCalls: [`call:${writeId}`] },
  },
  {
    name: 'PostToolUse of Edit: a file_operation with its diff',
    payload: edit,
    events: [
      {
        key: 'tool',
        type: 'tool_usage',
        agent: 'main',
        data: {
          tool: 'Edit',
          parameters: edit.tool_input,
          success: true,
          tool_use_id: 'toolu_01EditPlanMdAfterWrite0001',
        },
        meta: { hook: 'PostToolUse' },
      },
      {
        key: 'file',
        type: 'file_operation',
        agent: 'main',
        data: {
          operation: 'modify',
          path: '/home/marco/projects/spotter/plan.md',
          diff:
            '@@\n-Install via `mix igniter.install`, generate Credo config, and add a unified `mix quality` alias.\n' +
            '+Add the deps to mix.exs by hand (none has an Igniter installer), generate Credo config, and add a unified `mix quality` alias.',
        },
        meta: { hook: 'PostToolUse', tool_use_id: 'toolu_01EditPlanMdAfterWrite0001' },
      },
    ],
    changes: {
      answeredCall: 'toolu_01EditPlanMdAfterWrite0001',
      recordedToolCalls: ['call:toolu_01EditPlanMdAfterWrite0001'],
    },
  },
  {
    name: 'PostToolUse of AskUserQuestion: one decision per question answered',
    payload: ask,
    events: [
      {
        key: 'tool',
        type: 'tool_usage',
        agent: 'main',
        data: {
          tool: 'AskUserQuestion',
          parameters: {
            questions: [
              {
                question:
                  "Which rig do these beads belong to? (This is a single-app project — should I use 'spotter'?)",
                header: 'Rig prefix',
                options: ['{…}', '{…}'],
                multiSelect: false,
              },
              {
                question: 'Which tools should we set up?',
                header: 'Tools',
                options: ['{…}', '{…}', '{…}'],
                multiSelect: false,
              },
            ],
          },
          success: true,
          tool_use_id: askId,
        },
        meta: { hook: 'PostToolUse' },
      },
      {
        key: 'decision-0',
        type: 'decision',
        agent: 'main',
        data: {
          question:
            "Which rig do these beads belong to? (This is a single-app project — should I use 'spotter'?)",
          options: ['spotter', 'No rig'],
          selected: 'No rig',
          rationale: 'answered by the user',
        },
        meta: { hook: 'PostToolUse', tool_use_id: askId },
      },
      {
        key: 'decision-1',
        type: 'decision',
        agent: 'main',
        data: {
          question: 'Which tools should we set up?',
          options: ['All four (Recommended)', 'Credo + Dialyxir + mix_audit', 'Custom selection'],
          selected: 'Credo + Dialyxir + mix_audit',
          rationale: 'answered by the user',
        },
        meta: { hook: 'PostToolUse', tool_use_id: askId },
      },
    ],
    changes: { answeredCall: askId, recordedToolCalls: [`call:${askId}`] },
  },
  {
    name: 'PostToolUse of ExitPlanMode: the plan approved',
    payload: exitPlan,
    events: [
      {
        key: 'tool',
        type: 'tool_usage',
        agent: 'main',
        data: { tool: 'ExitPlanMode', parameters: {}, success: true, tool_use_id: exitPlanId },
        meta: { hook: 'PostToolUse' },
      },
      {
        key: 'decision-0',
        type: 'decision',
        agent: 'main',
        data: {
          question: 'Approve the plan and leave plan mode?',
          options: ['approve', 'reject'],
          selected: 'approve',
          rationale: 'plan in /home/marco/.claude/plans/humble-seeking-umbrella.md',
        },
        meta: { hook: 'PostToolUse', tool_use_id: exitPlanId },
      },
    ],
    changes: { answeredCall: exitPlanId, recordedToolCalls: [`call:${exitPlanId}`] },
  },
  {
    name: "PostToolUse of Task: the sub-agent's id, duration and usage from tool_response",
    payload: task,
    context: { pendingCalls: { [taskId]: pendingAt(TS - 38_837, 'Task', task.tool_input) } },
    events: [taskUsage, taskFinished({ status: 'completed', success: true })],
    changes: { answeredCall: taskId, recordedToolCalls: [`call:${taskId}`] },
  },
  {
    name: 'PostToolUse of Agent whose run did not complete: a failed invocation',
    payload: {
      ...task,
      tool_name: 'Agent',
      tool_response: { ...(task.tool_response as Record<string, unknown>), status: 'error' },
    },
    context: { pendingCalls: { [taskId]: pendingAt(TS - 38_837, 'Agent', task.tool_input) } },
    events: [
      { ...taskUsage, data: { ...taskUsage.data, tool: 'Agent' } },
      taskFinished({ status: 'failed', success: false }),
    ],
    changes: { answeredCall: taskId, recordedToolCalls: [`call:${taskId}`] },
  },
  {
    name: 'PostToolUse of Task without a run result: the call duration, no tokens',
    payload: { ...task, tool_response: 'done' },
    context: { pendingCalls: { [taskId]: pendingAt(TS - 38_837, 'Task', task.tool_input) } },
    events: [
      taskUsage,
      {
        key: 'invocation-end',
        type: 'agent_invocation',
        agent: 'Plan',
        data: {
          agent: 'Plan',
          invoked_by: 'main',
          status: 'completed',
          success: true,
          tool_use_id: taskId,
          reason: 'Draft beads for linting setup',
          duration_ms: 38_837,
        },
        meta: { hook: 'PostToolUse' },
      },
    ],
    changes: { answeredCall: taskId, recordedToolCalls: [`call:${taskId}`] },
  },
  failedBash(
    'post-tool-use-failure-interrupt',
    'User rejected tool use',
    'interrupted',
    'Interrupted: User rejected tool use',
    { command: 'mix phx.server 2>&1 | head -80', timeout: 30_000 },
  ),
  failedBash('post-tool-use-failure-exit-code', tailError, 'exit_code_1', tailError, {
    command: 'tail -5 /tmp/claude-1000/-home-marco-projects-spotter/tasks/bae407b.output',
    description: 'Check Phoenix startup output',
  }),
  {
    name: 'PostToolUseFailure inside a sub-agent: attributed to its agent_type',
    payload: fixture('subagent-post-tool-use-failure-read'),
    events: [
      {
        key: 'tool',
        type: 'tool_usage',
        agent: 'Explore',
        data: {
          tool: 'Read',
          parameters: { file_path: '/home/USER/projects/spotter-worktrees/spotter-fum/test/support' },
          success: false,
          tool_use_id: 'toolu_01BpA1vfwwr5xWYsSu8M8H3T',
          error: 'Error: EISDIR: illegal operation on a directory, read',
        },
        meta: { hook: 'PostToolUseFailure', agent_id: 'a7be2f0' },
      },
      {
        key: 'error',
        type: 'error',
        agent: 'Explore',
        data: {
          error_type: 'tool_error',
          message: 'Error: EISDIR: illegal operation on a directory, read',
          context: { tool: 'Read' },
          tool_use_id: 'toolu_01BpA1vfwwr5xWYsSu8M8H3T',
        },
        meta: { hook: 'PostToolUseFailure', agent_id: 'a7be2f0' },
      },
    ],
    changes: {
      answeredCall: 'toolu_01BpA1vfwwr5xWYsSu8M8H3T',
      recordedToolCalls: ['call:toolu_01BpA1vfwwr5xWYsSu8M8H3T'],
      transcripts: [SUB_TRANSCRIPT],
    },
  },
  {
    name: 'PreToolUse inside a sub-agent: the kept call remembers the sub-agent',
    payload: fixture('subagent-pre-tool-use-read'),
    events: [],
    changes: {
      startedCall: {
        toolUseId: 'toolu_01BpA1vfwwr5xWYsSu8M8H3T',
        call: {
          session: SUB_SESSION,
          ts: TS,
          tool: 'Read',
          input: { file_path: '/home/USER/projects/spotter-worktrees/spotter-fum/test/support' },
          agent: 'Explore',
          agentId: 'a7be2f0',
        },
      },
      transcripts: [SUB_TRANSCRIPT],
    },
  },
  {
    name: 'inside a sub-agent without agent_type: the type its SubagentStart gave',
    payload: subRead,
    context: { agentTypes: { a7be2f0: 'Explore' } },
    events: [subReadUsage('Explore')],
    changes: {
      answeredCall: subReadId,
      recordedToolCalls: [`call:${subReadId}`],
      transcripts: [SUB_TRANSCRIPT],
    },
  },
  {
    name: 'inside a sub-agent never named: agent-<agent_id>',
    payload: subRead,
    context: { agentTypes: { afb92ff: 'Plan' } },
    events: [subReadUsage('agent-a7be2f0')],
    changes: {
      answeredCall: subReadId,
      recordedToolCalls: [`call:${subReadId}`],
      transcripts: [SUB_TRANSCRIPT],
    },
  },
  {
    name: 'an agent_id that is the name of an object property is still a sub-agent never named',
    payload: { ...subRead, agent_id: 'constructor' },
    events: [
      { ...subReadUsage('agent-constructor'), meta: { hook: 'PostToolUse', agent_id: 'constructor' } },
    ],
    changes: {
      answeredCall: subReadId,
      recordedToolCalls: [`call:${subReadId}`],
      transcripts: [SUB_TRANSCRIPT],
    },
  },
  {
    name: "SubagentStart: no event, only the sub-agent's type",
    payload: fixture('subagent-start'),
    events: [],
    changes: { agentType: { agentId: 'afb92ff', agentType: 'Plan' } },
  },
  {
    name: "SubagentStop: the sub-agent's turn ends, and its transcript is named",
    payload: subagentStop,
    events: [
      {
        key: 'turn',
        type: 'turn_end',
        agent: 'Plan',
        data: {
          last_message: `${(subagentStop.last_assistant_message as string).slice(0, 2000)}…`,
          stop_hook_active: false,
        },
        meta: { hook: 'SubagentStop', agent_id: 'afb92ff' },
      },
    ],
    changes: { transcripts: [MAIN_TRANSCRIPT, subagentStop.agent_transcript_path as string] },
  },
  {
    name: 'Stop',
    payload: stop,
    events: [
      {
        key: 'turn',
        type: 'turn_end',
        agent: 'main',
        data: { last_message: stop.last_assistant_message, stop_hook_active: false },
        meta: { hook: 'Stop' },
      },
    ],
  },
  {
    name: 'PreCompact',
    payload: fixture('pre-compact'),
    events: [
      {
        key: 'compact',
        type: 'context_snapshot',
        agent: 'main',
        data: { trigger: 'pre-compact:auto' },
        meta: { hook: 'PreCompact' },
      },
    ],
    changes: { transcripts: [SUB_TRANSCRIPT] },
  },
  {
    name: 'PostCompact',
    payload: fixture('post-compact'),
    events: [
      {
        key: 'compact',
        type: 'context_snapshot',
        agent: 'main',
        data: { trigger: 'post-compact:auto' },
        meta: { hook: 'PostCompact' },
      },
    ],
    changes: { transcripts: [SUB_TRANSCRIPT] },
  },
  {
    name: 'Notification',
    payload: fixture('notification'),
    events: [
      {
        key: 'notification',
        type: 'notification',
        agent: 'main',
        data: {
          message: 'Claude needs your permission to use Bash',
          title: 'Claude Code',
          notification_type: 'permission_prompt',
        },
        meta: { hook: 'Notification' },
      },
    ],
  },
  {
    name: 'SessionEnd',
    payload: fixture('session-end'),
    events: [
      {
        key: 'end',
        type: 'session_end',
        agent: 'main',
        data: { reason: 'prompt_input_exit' },
        meta: { hook: 'SessionEnd' },
      },
    ],
    changes: { ended: true },
  },
  {
    name: 'an event this version does not know (PermissionRequest): no event, counted as unknown',
    payload: fixture('permission-request'),
    events: [],
    changes: { unknownHook: 'PermissionRequest' },
  },
  {
    name: 'an event named like an object property is unknown too',
    payload: { ...fixture('session-end'), hook_event_name: 'constructor' },
    events: [],
    changes: { unknownHook: 'constructor' },
  },
];

function contextOf(row: Row): HookContext {
  return {
    file: FILE,
    ts: TS,
    recordedToolCalls: new Set(),
    pendingCalls: Object.freeze({}),
    agentTypes: Object.freeze({}),
    ...row.context,
  };
}

describe('mapHookPayload', () => {
  it.each(ROWS.map((row) => [row.name, row] as const))('%s', (_name, row) => {
    const context = contextOf(row);
    const recordedBefore = [...context.recordedToolCalls];
    const session = row.payload.session_id;
    const mapping = mapHookPayload(row.payload, context);
    expect(mapping).toEqual({
      hook: row.payload.hook_event_name,
      recordedToolCalls: [],
      transcripts: [MAIN_TRANSCRIPT],
      ...row.changes,
      events: row.events.map(({ key, ...event }) => ({
        ...event,
        session,
        ts: new Date(TS),
        id: stableId(TS, session, FILE, key),
      })),
    });
    expect([...context.recordedToolCalls]).toEqual(recordedBefore);
  });

  it('has a row for every hook event it maps, and uses every stored payload', () => {
    const covered = new Set(ROWS.map((row) => row.payload.hook_event_name));
    expect(MAPPED_HOOK_EVENTS.filter((hook) => !covered.has(hook))).toEqual([]);
    const stored = readdirSync(FIXTURES).filter((name) => name.endsWith('.json'));
    expect(stored.filter((name) => !usedFixtures.has(name))).toEqual([]);
  });

  it('gives the same ids for the same spool file, and other ids for another', () => {
    const payload = fixture('notification');
    const once = mapHookPayload(payload, contextOf({ name: '', payload, events: [] }));
    const again = mapHookPayload(payload, contextOf({ name: '', payload, events: [] }));
    const other = mapHookPayload(payload, {
      ...contextOf({ name: '', payload, events: [] }),
      file: 'other.json',
    });
    expect(again.events[0]!.id).toBe(once.events[0]!.id);
    expect(other.events[0]!.id).not.toBe(once.events[0]!.id);
  });

  it('names a payload with no hook_event_name unknown', () => {
    const payload = { session_id: MAIN } as HookPayload;
    expect(mapHookPayload(payload, contextOf({ name: '', payload, events: [] }))).toEqual({
      hook: 'unknown',
      events: [],
      recordedToolCalls: [],
      unknownHook: 'unknown',
      transcripts: [],
    });
  });
});

describe('unfinishedCalls', () => {
  const now = TS + 2 * UNFINISHED_AFTER_MS;
  const pending: Record<string, PendingToolCall> = {
    toolu_old: {
      ...pendingAt(now - UNFINISHED_AFTER_MS, 'Bash', { command: 'mix test' }),
      agentId: 'a7be2f0',
      agent: 'Explore',
    },
    toolu_recent: pendingAt(now - UNFINISHED_AFTER_MS + 1, 'Read', { file_path: '/p/mix.exs' }),
  };

  it('gives the calls waiting an hour or more, each with a failed tool_usage', () => {
    expect(unfinishedCalls(pending, now)).toEqual([
      {
        toolUseId: 'toolu_old',
        call: pending.toolu_old,
        event: {
          type: 'tool_usage',
          session: MAIN,
          agent: 'Explore',
          ts: new Date(now - UNFINISHED_AFTER_MS),
          id: stableId(now - UNFINISHED_AFTER_MS, MAIN, 'toolu_old', 'unfinished'),
          data: {
            tool: 'Bash',
            parameters: { command: 'mix test' },
            success: false,
            tool_use_id: 'toolu_old',
            error: 'no result was recorded (interrupted or crashed)',
          },
          meta: { hook: 'PreToolUse', agent_id: 'a7be2f0' },
        },
      },
    ]);
  });

  it('takes another limit, and leaves the pending calls as they were', () => {
    const before = structuredClone(pending);
    expect(unfinishedCalls(pending, now, 1).map((call) => call.toolUseId)).toEqual([
      'toolu_old',
      'toolu_recent',
    ]);
    expect(unfinishedCalls(pending, now, 2 * UNFINISHED_AFTER_MS)).toEqual([]);
    expect(pending).toEqual(before);
  });
});
