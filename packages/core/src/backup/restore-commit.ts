import {
  closeSync,
  copyFileSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  unlinkSync,
  utimesSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fsyncDir } from '../log/atomic-file.js';

/** One staged file and where it goes. */
export interface StagedMove {
  /** The checked file in the staging folder. */
  staged: string;
  /** Its place on this machine. */
  file: string;
  /** The (already clamped) time it gets. */
  mtime: Date;
}

function fsyncFile(file: string): void {
  const fd = openSync(file, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Renames `from` to `to`; across file systems, copies then renames (no partial `to` is ever seen). */
function moveFile(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    const tmp = `${to}.sat-restore-${process.pid}`;
    try {
      copyFileSync(from, tmp);
      fsyncFile(tmp);
      renameSync(tmp, to);
    } finally {
      rmSync(tmp, { force: true });
    }
    unlinkSync(from);
  }
}

/** What {@link commitMoves} changed so far, to be undone on a failure. */
interface Undo {
  placed: string[];
  aside: Array<{ file: string; saved: string }>;
  created: string[];
}

function undo(done: Undo): void {
  for (const file of done.placed.reverse()) rmSync(file, { force: true });
  for (const { file, saved } of done.aside.reverse()) if (existsSync(saved)) moveFile(saved, file);
  for (const dir of done.created.reverse()) rmSync(dir, { recursive: true, force: true });
}

/**
 * Gives every staged file its time and fsyncs it (a failure here changes nothing), then moves
 * each into place; files it replaces are first moved aside into `asideDir`. When any step fails,
 * everything already moved is undone (replaced files come back, created folders go) and the
 * error is thrown again: the restore is all or nothing.
 *
 * @example
 * commitMoves([{ staged, file: '/root/logs/s1.jsonl.gz', mtime }], join(workDir, 'aside'));
 */
export function commitMoves(moves: readonly StagedMove[], asideDir: string): void {
  for (const move of moves) {
    utimesSync(move.staged, move.mtime, move.mtime);
    fsyncFile(move.staged);
  }
  mkdirSync(asideDir, { recursive: true, mode: 0o700 });
  const done: Undo = { placed: [], aside: [], created: [] };
  try {
    for (const [i, move] of moves.entries()) {
      const created = mkdirSync(dirname(move.file), { recursive: true, mode: 0o700 });
      if (created) done.created.push(created);
      if (existsSync(move.file)) {
        const saved = join(asideDir, String(i));
        moveFile(move.file, saved);
        done.aside.push({ file: move.file, saved });
      }
      moveFile(move.staged, move.file);
      done.placed.push(move.file);
    }
  } catch (error) {
    undo(done);
    throw error;
  }
  for (const dir of new Set(moves.map((move) => dirname(move.file)))) fsyncDir(dir);
}
