import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { findProjectDir } from '../config/load-config.js';
import { writeFileAtomic } from '../log/atomic-file.js';

/** Where the capture script lives inside a data root. */
export function captureScriptPath(root: string): string {
  return join(root, 'sat', 'capture.sh');
}

/** The spool folder inside a logs folder: one file per captured hook payload. */
export function spoolDir(logsDir: string): string {
  return join(logsDir, 'spool');
}

/** Events at which the capture script starts a background `sat ingest` (turn and session boundaries). */
export const INGEST_TRIGGER_EVENTS = ['Stop', 'SubagentStop', 'PreCompact', 'SessionEnd'] as const;

/** Options of {@link captureScript}. */
export interface CaptureScriptOptions {
  /** The spool folder (absolute). */
  spoolDir: string;
  /** The command that runs `sat`, as shell words (already quoted), e.g. `'/usr/bin/node' '/x/bin.js'`. */
  satCommand?: string;
  /**
   * The data root the background `sat` must use (absolute), baked in as `SAT_HOME`; omit it for
   * the project's default root (`<project>/.claude`), which `sat` finds from the hook's folder.
   */
  dataRoot?: string;
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * The POSIX shell script every Claude Code hook runs: it stores the payload from stdin as one
 * spool file and exits 0. It starts no Node process (a bare `node -e 0` costs about 80 ms; this
 * costs a few ms), so tool calls are not slowed down; normalisation into events happens later,
 * in `sat ingest`, which the script starts in the background at turn and session boundaries and
 * which every `sat` command runs first. A payload is written under `.tmp/` and renamed into place,
 * so a reader never sees half of one; whatever fails, the script exits 0 (never 2, which would
 * block the agent) and notes the failure in `<spool>/errors.log` when it can, else leaves an
 * empty `<spool>/lost-<epoch s>-<pid>` marker (a file name needs no data blocks on a full disk).
 */
export function captureScript(options: CaptureScriptOptions): string {
  const spool = shellQuote(options.spoolDir);
  // At turn and session boundaries: ingest in the background. At SessionStart: print the latest
  // handoff as context when the session resumes (Node runs once per session there, not per tool).
  const sat = options.dataRoot
    ? `SAT_HOME=${shellQuote(options.dataRoot)} ${options.satCommand}`
    : options.satCommand;
  const ingest = options.satCommand
    ? `case "$1" in
  ${INGEST_TRIGGER_EVENTS.join('|')})
    ( ${sat} ingest --quiet </dev/null >/dev/null 2>&1 & ) ;;
  SessionStart)
    [ -f "$f" ] && ${sat} hook context - <"$f" 2>/dev/null ;;
esac
`
    : '';
  return `#!/bin/sh
# SubAgent Tracking System: Claude Code hook capture (written by 'sat init'; safe to delete with 'sat init --uninstall').
# Stores the hook payload (stdin) as one spool file. Never fails the agent: always exits 0.
umask 077
set -C
d=\${SAT_SPOOL_DIR:-${spool}}
n=$$
f="$d/$n.json"
# One process per payload: cat straight into <pid>.json (noclobber; the ingest reads a file whose
# writer is still alive only once it parses). A missing folder or a name still taken by an earlier
# process with this pid goes the careful way: a timed name, written under .tmp/ and renamed.
if [ -d "$d" ] && [ ! -e "$f" ]; then
  cat >"$f" 2>/dev/null || { rm -f "$f"; echo "$n \${1:-?} capture failed" >>"$d/errors.log" || : >"$d/lost-$(date +%s)-$$"; } 2>/dev/null
else
  n=$(date +%s%N 2>/dev/null)-$$
  t="$d/.tmp/$n"
  f="$d/$n.json"
  if { [ -d "$d/.tmp" ] || mkdir -p "$d/.tmp"; } 2>/dev/null && cat >"$t" 2>/dev/null && mv -f "$t" "$f" 2>/dev/null; then
    :
  else
    cat >/dev/null 2>&1
    rm -f "$t" 2>/dev/null
    echo "$n \${1:-?} capture failed" >>"$d/errors.log" 2>/dev/null || : >"$d/lost-$(date +%s)-$$" 2>/dev/null
  fi
fi
${ingest}exit 0
`;
}

/** The command (shell words) that runs the `sat` CLI this process was started as. */
export function currentSatCommand(): string | undefined {
  const entry = process.argv[1];
  if (!entry) return undefined;
  const flags = process.execArgv.filter((arg) => !arg.startsWith('--inspect'));
  // `--import tsx` (running from a checkout) must resolve from any folder the hook runs in.
  const resolved = flags.map((arg, i) => {
    if (flags[i - 1] !== '--import' || arg.startsWith('/') || arg.startsWith('file:')) return arg;
    try {
      return import.meta.resolve(arg);
    } catch {
      return arg;
    }
  });
  const words = [process.execPath, ...resolved, entry];
  return words.map(shellQuote).join(' ');
}

/**
 * Writes (or refreshes) `<root>/sat/capture.sh`; returns its path and whether it changed. Unless
 * `options.dataRoot` says otherwise, a `root` other than this project's default (`<project>/.claude`,
 * the project found from the current folder) is baked into the script, so the background
 * `sat ingest` reads the same spool however Claude Code's environment is set.
 *
 * @example
 * writeCaptureScript('/data/sat', { spoolDir: '/data/sat/logs/spool', satCommand: "'/usr/bin/sat'" });
 */
export function writeCaptureScript(
  root: string,
  options: CaptureScriptOptions,
): { path: string; changed: boolean } {
  const path = captureScriptPath(root);
  const defaultRoot = resolve(root) === join(findProjectDir(process.cwd()), '.claude');
  const dataRoot = options.dataRoot ?? (defaultRoot ? undefined : resolve(root));
  const content = captureScript({ ...options, dataRoot });
  const before = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  if (before === content) return { path, changed: false };
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomic(path, content, 0o700);
  chmodSync(path, 0o700);
  mkdirSync(join(options.spoolDir, '.tmp'), { recursive: true });
  return { path, changed: true };
}
