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
} else if (args[0] === 'statusline' && args.slice(1).every((a) => a === '--subagents')) {
  // Claude Code runs this after every assistant message: only the statusline code is loaded.
  const { runStatusline } = await import('./statusline/run-statusline.js');
  const { readStdinText } = await import('./statusline/read-stdin.js');
  await runStatusline({
    args: args.slice(1),
    env: process.env,
    cwd: process.cwd(),
    readStdin: () => readStdinText(process.stdin),
    write: (text) => process.stdout.write(text),
  });
  const ioReport = process.env.SAT_STATUSLINE_IO_REPORT;
  if (ioReport) {
    // Bytes this process read (rchar: every file, its own code included), for the benchmark.
    const { writeFileSync } = await import('node:fs');
    writeFileSync(ioReport, readFileSync('/proc/self/io', 'utf8'));
  }
} else {
  const { makeFilesPrivate } = await import('./private-files.js');
  makeFilesPrivate();
  const { main } = await import('./main.js');
  process.exitCode = await main(process.argv);
}
