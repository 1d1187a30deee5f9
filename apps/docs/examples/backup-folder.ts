/** Back every session up to a local folder (the default target), verified by reading it back. */
import { backupSessions, LocalDirectoryTarget, loadConfig } from '@sat/core';

const config = loadConfig();
const target = new LocalDirectoryTarget({ dir: config.backup.dir });
for (const item of await backupSessions(config, target)) console.log(item.session, item.status);
