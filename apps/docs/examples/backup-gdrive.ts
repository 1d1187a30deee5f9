/** Back a session up to Google Drive with the token `sat setup gdrive` stored. */

import { createGoogleDriveTarget } from '@sat/backup-gdrive';
import { backupSession, loadConfig } from '@sat/core';

const config = loadConfig();
const target = await createGoogleDriveTarget({ credentialsDir: config.paths.credentials });
const { status, location } = await backupSession(config, target, 'my-session-id');
console.log(status, location);
