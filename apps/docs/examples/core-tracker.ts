/** The smallest use of @sat/core: one session, one tool call, read back. */
import { createTracker, readSessionEvents } from '@sat/core';

const tracker = createTracker();
const session = tracker.startSession({ source: 'startup', client: 'my-agent' });
tracker.logToolUsage({
  tool: 'Bash',
  parameters: { command: 'pnpm test' },
  duration_ms: 5400,
  success: true,
});
await tracker.endSession({ reason: 'done' });

for await (const event of readSessionEvents(tracker.config.paths.logs, session))
  console.log(event.seq, event.type);
