import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EventWriter, sessionLogFiles } from '../../src/index.js';
import { writeFileAtomic } from '../../src/log/atomic-file.js';
import { realisticSessionEvents } from '../../src/testing/index.js';
import { tempDir } from '../helpers.js';

describe('the library writes private files whatever the umask of the agent that calls it', () => {
  it('EventWriter: a 0600 log in a 0700 logs folder; writeFileAtomic: 0600', async () => {
    const previous = process.umask(0o022);
    try {
      const logsDir = join(tempDir(), 'logs');
      const writer = new EventWriter({ logsDir });
      for (const event of realisticSessionEvents({ session: 's1' }, 5)) writer.append(event);
      await writer.close();
      expect(statSync(logsDir).mode & 0o777).toBe(0o700);
      expect(statSync(sessionLogFiles(logsDir, 's1').plain).mode & 0o777).toBe(0o600);
      const file = join(logsDir, 'state.json');
      writeFileAtomic(file, '{}');
      expect(statSync(file).mode & 0o777).toBe(0o600);
    } finally {
      process.umask(previous);
    }
  });
});
