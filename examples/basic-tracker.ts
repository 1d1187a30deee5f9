/**
 * Tracks a small piece of agent work with the in-process API.
 * Run from a checkout: pnpm example   (data goes to $SAT_HOME, else <project>/.claude)
 */
import { createTracker, readSessionEvents } from '@sat/core';

const tracker = createTracker();
const session = tracker.startSession({ source: 'startup', client: 'example' });

// The main agent hands a review to a sub-agent...
const review = tracker.logAgentInvocation({
  agent: 'code-reviewer',
  invoked_by: 'main',
  reason: 'review the diff of src/',
});
// ...which runs tools (attributed to it, under its invocation).
tracker.logToolUsage(
  {
    tool: 'Bash',
    parameters: { command: 'pnpm test' },
    duration_ms: 5400,
    success: false,
    error: '2 tests failed',
  },
  { agent: 'code-reviewer', parent: review },
);
tracker.logError(
  {
    error_type: 'TestFailure',
    message: '2 tests failed in api.test.ts',
    attempted_fix: 'fix the null check',
    fix_successful: true,
  },
  { agent: 'code-reviewer', parent: review },
);
tracker.logFileOperation(
  { operation: 'modify', path: 'src/api.ts' },
  { agent: 'code-reviewer', parent: review },
);
tracker.logValidation(
  {
    task: 'unit tests',
    checks: [
      { name: 'pnpm test', passed: true },
      { name: 'pnpm lint', passed: true },
    ],
    result: 'pass',
  },
  { agent: 'code-reviewer', parent: review },
);
tracker.logDecision({
  question: 'Merge the change?',
  options: ['merge', 'hold'],
  selected: 'merge',
  rationale: 'tests and lint pass',
});
tracker.logContextSnapshot({ tokens_before: 152_000, tokens_after: 31_000, trigger: 'auto' });

// Ending the session writes its last event, then compresses and verifies its log.
const closed = await tracker.endSession({ reason: 'done' });
console.log(
  `session ${session} closed: ${closed?.events} events, ${closed?.plainBytes} bytes -> ${closed?.compressedBytes} compressed`,
);

for await (const event of readSessionEvents(tracker.config.paths.logs, session)) {
  console.log(`${event.seq}\t${event.agent}\t${event.type}`);
}
