import { lstatSync, realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { defaultTranscriptRoot } from '../claude-code/transcript-discovery.js';

function realOrResolved(path: string): string {
  try {
    return realpathSync.native(path);
  } catch {
    return resolve(path);
  }
}

function isInside(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
}

/**
 * The folders transcripts named by hook payloads may be read from: Claude Code's projects folder
 * (`$CLAUDE_CONFIG_DIR/projects`, else `~/.claude/projects`) and the configured
 * `capture.transcriptRoots`.
 *
 * @example
 * transcriptRoots(config.capture.transcriptRoots); // ['/home/u/.claude/projects', ...]
 */
export function transcriptRoots(
  configured: readonly string[] = [],
  env: Record<string, string | undefined> = process.env,
): string[] {
  return [defaultTranscriptRoot(env), ...configured];
}

/**
 * Why a transcript path from a hook payload must not be read, or undefined when it may be (or
 * does not exist: nothing will be read then). Only a regular file (after following links) whose
 * name ends in `.jsonl`, inside one of `roots`, is read; `/etc/shadow`, folders and anything
 * outside are refused and never walked.
 *
 * @example
 * transcriptPathRefusal('/etc/shadow', transcriptRoots()); // 'not a .jsonl file'
 */
export function transcriptPathRefusal(path: string, roots: readonly string[]): string | undefined {
  let kind: 'file' | 'other';
  try {
    kind = lstatSync(path).isDirectory() ? 'other' : 'file';
  } catch {
    return undefined;
  }
  const real = realOrResolved(path);
  if (!real.endsWith('.jsonl')) return 'not a .jsonl file';
  try {
    if (kind !== 'file' || !lstatSync(real).isFile()) return 'not a regular file';
  } catch {
    return undefined;
  }
  if (!roots.some((root) => isInside(real, realOrResolved(root))))
    return `outside the transcript folders (${roots.join(', ')}; add a folder to capture.transcriptRoots to allow it)`;
  return undefined;
}
