#!/usr/bin/env node
import { readFileSync } from 'node:fs';

// `sat show … | head`: the reader went away; that is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-v')) {
  // Answered before the commands and core are loaded: `sat --version` costs about a bare `node`.
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  process.stdout.write(`${pkg.version}\n`);
} else {
  const { makeFilesPrivate } = await import('./private-files.js');
  makeFilesPrivate();
  const { main } = await import('./main.js');
  process.exitCode = await main(process.argv);
}
