import { describe, expect, it } from 'vitest';
import { EventWriter, loadKnownEvents, promptJoinKey } from '../src/index.js';
import { tempDir } from './helpers.js';

describe('loadKnownEvents', () => {
  it('gives ids, tool calls, types, sub-agent runs and prompts of a session log', async () => {
    const logsDir = tempDir();
    const session = 'known-1';
    const writer = new EventWriter({ logsDir });
    const started = writer.append({
      type: 'agent_invocation',
      session,
      data: { agent: 'Plan', status: 'started', tool_use_id: 'toolu_task' },
    });
    writer.append({
      type: 'agent_invocation',
      session,
      data: { agent: 'Plan', status: 'completed', agent_id: 'afb92ff', tool_use_id: 'toolu_task' },
    });
    const explore = writer.append({
      type: 'agent_invocation',
      session,
      data: { agent: 'Explore', agent_id: 'a1' },
    });
    writer.append({
      type: 'tool_usage',
      session,
      data: { tool: 'Bash', success: true, tool_use_id: 'toolu_bash' },
    });
    writer.append({
      type: 'file_operation',
      session,
      data: { operation: 'modify', path: 'a.ts' },
      meta: { tool_use_id: 'toolu_edit' },
    });
    writer.append({ type: 'user_prompt', session, data: { text: 'fix it', chars: 6 } });
    await writer.close();

    const known = await loadKnownEvents(logsDir, session);
    expect(known.ids.has(started)).toBe(true);
    expect(known.ids.size).toBe(6);
    expect([...known.toolCalls].sort()).toEqual([
      'call:toolu_bash',
      'call:toolu_edit',
      'call:toolu_task',
      'start:toolu_task',
    ]);
    expect(known.toolUses.has('file_operation:toolu_edit')).toBe(true);
    expect(Object.fromEntries(known.types)).toEqual({
      agent_invocation: 3,
      tool_usage: 1,
      file_operation: 1,
      user_prompt: 1,
    });
    expect(known.agents.get('afb92ff')).toEqual({ agent: 'Plan', invocationId: started });
    expect(known.agents.get('a1')).toEqual({ agent: 'Explore', invocationId: explore });
    expect(known.prompts.has(promptJoinKey('fix it', 6))).toBe(true);
    expect(await loadKnownEvents(logsDir, 'no-such-session')).toMatchObject({
      ids: new Set(),
      agents: new Map(),
    });
  });
});
