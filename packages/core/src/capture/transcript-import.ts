import { closeSync, existsSync, fsyncSync, mkdirSync, openSync } from 'node:fs';
import { basename, dirname, join, sep } from 'node:path';
import {
  defaultTranscriptRoot,
  discoverTranscripts,
  peekTranscript,
  type TranscriptFile,
  type TranscriptHead,
} from '../claude-code/transcript-discovery.js';
import {
  type MappedEvent,
  type SubagentLink,
  subagentName,
  TranscriptEventMapper,
  transcriptSessionStart,
} from '../claude-code/transcript-events.js';
import { importLineFilter } from '../claude-code/transcript-prefilter.js';
import { readTranscript, type TranscriptIssue } from '../claude-code/transcript-reader.js';
import type { WriterSettings } from '../config/config-schema.js';
import { SatError } from '../errors.js';
import { isValidSessionId } from '../ids.js';
import { fsyncDir } from '../log/atomic-file.js';
import { reopenSessionLog } from '../log/close-session.js';
import { EventWriter } from '../log/event-writer.js';
import { emptyKnownEvents, type KnownEvents, loadKnownEvents, toolSpanJoins } from '../log/known-ids.js';
import { FileLock } from '../log/lock.js';
import { sessionLogFiles } from '../log/log-files.js';
import { listTombstones, removeTombstone } from '../log/tombstones.js';
import { DEFAULT_PRICES, findModelPrice, type PriceTable } from '../pricing/prices.js';
import { createRedactor, type Redactor } from '../redact/redactor.js';
import {
  type ImportedFile,
  type ImportState,
  isUnchanged,
  loadImportState,
  saveImportState,
} from './import-state.js';
import { redactPayload } from './redaction.js';

/** Options of {@link importTranscripts}. */
export interface ImportTranscriptsOptions {
  /**
   * Transcript files, or folders searched recursively for them. Default: Claude Code's own folder,
   * `$CLAUDE_CONFIG_DIR/projects`, else `~/.claude/projects` (see `defaultTranscriptRoot`).
   */
  paths?: readonly string[];
  /** The folder of the session logs (`config.paths.logs`). */
  logsDir: string;
  /** Where `import-state.json` is kept (`config.paths.state`). */
  stateDir: string;
  /** Told how far the import is, in bytes of the transcripts to read (at most about every MiB). */
  onProgress?: (bytesDone: number, bytesTotal: number) => void;
  /** The price table, to name the models it has no price for (`config.prices`). Default the bundled one. */
  prices?: PriceTable;
  /** Writer settings (`config.writer`). */
  writer?: Partial<WriterSettings>;
  /** The environment to read `CLAUDE_CONFIG_DIR` from. Default `process.env`. */
  env?: Record<string, string | undefined>;
  /**
   * Redacts secrets in every event before it is written (`configRedactor(config)`). Default: the
   * built-in rules with the fixed salt; pass `createRedactor({ enabled: false })` to keep text as is.
   */
  redactor?: Redactor;
  /**
   * Import purged sessions too, removing their tombstones (`sat import --include-purged`).
   * Default false: a purged session's transcripts are not read, and it is listed in `purgedSkipped`.
   */
  includePurged?: boolean;
}

/** A problem met while importing; never fatal (the rest is imported). */
export interface ImportIssue {
  /**
   * The transcript reader's kinds (`unparseable`, `unknown-type` (its first line per file and
   * type), `missing-id`, `late-response-line`), or `no-session` for a transcript that names no
   * usable session id.
   */
  kind: TranscriptIssue['kind'] | 'no-session';
  file: string;
  /** 1-based line number, where the problem is a line. */
  line?: number;
  offset?: number;
  message: string;
  recordType?: string;
}

/** What {@link importTranscripts} did. */
export interface ImportResult {
  /** Transcript files found. */
  files: number;
  /** Files read (new or changed since the last import). */
  filesRead: number;
  /** Files not opened because their size and modification time are unchanged. */
  skippedUnchanged: number;
  /** The sessions whose transcripts were read, sorted. */
  sessions: string[];
  /** Events appended. */
  appended: number;
  /** Events not appended because the log already had them (an earlier import, or the hooks). */
  duplicatesSkipped: number;
  /** Bytes of transcript read. */
  bytes: number;
  /** Wall time of the import. */
  ms: number;
  /** Records of a type this version does not know, by type (skipped). */
  unknownTypes: Record<string, number>;
  /** Models of the imported responses that the price table has no price for. */
  unknownModels: string[];
  /** Problems found (at most 1,000; see `issuesOmitted`). */
  issues: ImportIssue[];
  /** Problems beyond the first 1,000, counted only. */
  issuesOmitted: number;
  /** Purged sessions (with a tombstone) whose transcripts were left unread, sorted. */
  purgedSkipped: string[];
  /** Purged sessions imported again with `includePurged` (their tombstones removed), sorted. */
  restoredPurged: string[];
}

const MAX_ISSUES = 1000;
const PROGRESS_STEP = 1024 * 1024;
/** Transcripts are read 1 MiB at a time: fewer waits on the file system than 64 KiB. */
const READ_CHUNK = 1024 * 1024;
/** How long the import may keep the event loop busy before it lets timers run. */
const YIELD_EVERY_MS = 50;

interface PlannedFile {
  file: TranscriptFile;
  session: string;
  kind: 'main' | 'subagent';
  agentId?: string;
  head: TranscriptHead;
}

/**
 * Imports Claude Code transcripts into the event log: each transcript's records become events of
 * the session it names (`sessionId`): `session_start` (once per session), `api_response` per API
 * response, `tool_usage`, `error`, `file_operation`, `decision`, `agent_invocation` and
 * `user_prompt` (see `TranscriptEventMapper`). Sub-agent transcripts
 * (`<session>/subagents/agent-<id>.jsonl`) are attributed to the sub-agent, named after the
 * parent's Task/Agent `subagent_type` (`compact` for the compaction run, else `agent-<id>`).
 *
 * Idempotent: every event has a deterministic id, and before appending to a session its log is
 * read once (`loadKnownEvents`); an event whose id is known, or whose tool call or prompt was
 * already captured by the hooks, is skipped. Importing again adds nothing; a transcript that grew
 * adds only its new events. A file whose size and modification time are those recorded in
 * `<stateDir>/import-state.json` is not even opened. Transcripts are streamed in bounded memory;
 * bad lines and unknown record types are reported in `issues`, never fatal. Sessions are left
 * open (not compressed). One import runs at a time (`<stateDir>/import.lock`).
 *
 * Throws `SatError('IO_ERROR')` for a path that does not exist, and `LOCK_TIMEOUT` while another
 * import runs.
 *
 * @example
 * const result = await importTranscripts({ logsDir: config.paths.logs, stateDir: config.paths.state });
 * console.log(`${result.appended} events from ${result.filesRead} files`);
 */
export async function importTranscripts(options: ImportTranscriptsOptions): Promise<ImportResult> {
  const started = performance.now();
  const roots = options.paths?.length ? [...options.paths] : [defaultTranscriptRoot(options.env)];
  const files = discoverTranscripts(roots);
  mkdirSync(options.stateDir, { recursive: true });
  const lock = new FileLock(join(options.stateDir, 'import.lock'));
  if (!lock.tryAcquire()) {
    const owner = lock.readOwner();
    throw new SatError(
      'LOCK_TIMEOUT',
      `[core] another transcript import is running${owner ? ` (pid ${owner.pid} on ${owner.host})` : ''}; wait for it to finish, then run the import again`,
      { details: { path: lock.path } },
    );
  }
  try {
    const run = new ImportRun(options, files);
    await run.execute();
    run.result.ms = performance.now() - started;
    return run.result;
  } finally {
    lock.release();
  }
}

/** One import: the plan, the writer and the bookkeeping. */
class ImportRun {
  readonly result: ImportResult;
  private readonly state: ImportState;
  private readonly prices: PriceTable;
  private readonly writer: EventWriter;
  /** `<session>\0<agentId>` of every sub-agent transcript present in this run. */
  private readonly subagentFiles = new Set<string>();
  private readonly models = new Set<string>();
  /** Logs appended to, synced at the end. */
  private readonly written = new Set<string>();
  private bytesTotal = 0;
  private bytesDone = 0;
  private lastProgress = 0;
  private lastYield = performance.now();
  private readonly redactor: Redactor;
  /** Sessions with a tombstone when the run started. */
  private readonly purged: Set<string>;

  constructor(
    private readonly options: ImportTranscriptsOptions,
    private readonly files: TranscriptFile[],
  ) {
    this.state = loadImportState(options.stateDir);
    this.prices = options.prices ?? DEFAULT_PRICES;
    this.redactor = options.redactor ?? createRedactor();
    // No background flushes: events are written when a session is done (or past the writer's
    // high-water mark), so each session costs one locked write, not one per chunk read.
    this.writer = new EventWriter({ logsDir: options.logsDir, ...options.writer, flushIntervalMs: 60_000 });
    this.result = {
      files: files.length,
      filesRead: 0,
      skippedUnchanged: 0,
      sessions: [],
      appended: 0,
      duplicatesSkipped: 0,
      bytes: 0,
      ms: 0,
      unknownTypes: {},
      unknownModels: [],
      issues: [],
      issuesOmitted: 0,
      purgedSkipped: [],
      restoredPurged: [],
    };
    this.purged = new Set(listTombstones(options.logsDir).map((t) => t.session));
  }

  async execute(): Promise<void> {
    const groups = this.plan();
    this.result.sessions = [...groups.keys()].sort();
    this.result.purgedSkipped.sort();
    this.options.onProgress?.(0, this.bytesTotal);
    let failure: unknown;
    try {
      for (const [session, planned] of groups) await this.importSession(session, planned);
    } catch (error) {
      failure = error;
    }
    try {
      await this.writer.close();
    } catch (error) {
      failure ??= error;
    }
    // Recorded files are those whose session's events were all written (see importSession); they
    // are on disk before the state says so.
    this.syncLogs();
    this.pruneState();
    saveImportState(this.options.stateDir, this.state);
    if (failure !== undefined) throw failure;
    this.result.unknownModels = [...this.models].filter((m) => !findModelPrice(m, this.prices)).sort();
    this.options.onProgress?.(this.bytesTotal, this.bytesTotal);
  }

  /** Which files to read, grouped by session: main transcripts first, then the sub-agents'. */
  private plan(): Map<string, PlannedFile[]> {
    const groups = new Map<string, PlannedFile[]>();
    for (const file of this.files) {
      const known = isUnchanged(this.state, file);
      if (known) {
        this.result.skippedUnchanged++;
        if (known.kind === 'subagent' && known.agentId)
          this.subagentFiles.add(`${known.sessionId}\0${known.agentId}`);
        continue;
      }
      const head = peekTranscript(file.path);
      const session = head.sessionId ?? sessionFromPath(file);
      if (!isValidSessionId(session)) {
        this.issue({
          kind: 'no-session',
          file: file.path,
          message: `${file.path}: names no usable session id${head.sessionId ? ` (${JSON.stringify(head.sessionId)})` : ''}; skipped`,
        });
        continue;
      }
      if (this.purged.has(session) && !this.options.includePurged) {
        if (!this.result.purgedSkipped.includes(session)) this.result.purgedSkipped.push(session);
        continue;
      }
      const agentId = file.agentIdFromName ?? (head.isSidechain ? head.agentId : undefined);
      const planned: PlannedFile = {
        file,
        session,
        kind: agentId !== undefined ? 'subagent' : 'main',
        head,
      };
      if (agentId !== undefined) {
        planned.agentId = head.agentId ?? agentId;
        this.subagentFiles.add(`${session}\0${planned.agentId}`);
      }
      const list = groups.get(session) ?? [];
      list.push(planned);
      groups.set(session, list);
      this.bytesTotal += file.size;
    }
    for (const list of groups.values())
      list.sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'main' ? -1 : 1));
    return groups;
  }

  private async importSession(session: string, planned: PlannedFile[]): Promise<void> {
    const sink = new SessionSink(session, this.options.logsDir, this.writer, this.result, this.redactor);
    await sink.open();
    const learned = new Map<string, SubagentLink>();
    const done: Array<[string, ImportedFile]> = [];
    for (const item of planned) {
      if (item.kind === 'main') await this.importMain(item, sink, learned);
      else await this.importSubagent(item, sink, learned);
      const entry: ImportedFile = {
        size: item.file.size,
        mtimeMs: item.file.mtimeMs,
        sessionId: session,
        kind: item.kind,
      };
      if (item.agentId !== undefined) entry.agentId = item.agentId;
      done.push([item.file.path, entry]);
    }
    await this.writer.flush();
    // Synced in one go at the end (see syncLogs): far cheaper than an fsync per session.
    this.writer.forget(session, { fsync: false });
    if (sink.appended > 0) this.written.add(sessionLogFiles(this.options.logsDir, session).plain);
    for (const [path, entry] of done) this.state.files[path] = entry;
    if (this.purged.has(session)) {
      removeTombstone(this.options.logsDir, session);
      this.result.restoredPurged.push(session);
    }
  }

  private async importMain(
    item: PlannedFile,
    sink: SessionSink,
    learned: Map<string, SubagentLink>,
  ): Promise<void> {
    const { session, head, file } = item;
    const fallbackTs = head.firstTs ?? new Date(file.mtimeMs).toISOString();
    // One session_start per session, whoever wrote it (the SessionStart hook, or an earlier import).
    if (sink.known.types.has('session_start')) this.result.duplicatesSkipped++;
    else {
      await sink.append({ event: transcriptSessionStart(session, head, file.path, fallbackTs) });
      sink.known.types.set('session_start', 1);
    }
    const mapper = new TranscriptEventMapper({
      session,
      agent: 'main',
      hasSubagentTranscript: (agentId) => this.subagentFiles.has(`${session}\0${agentId}`),
      fallbackTs,
    });
    await this.stream(file, mapper, sink);
    for (const [agentId, link] of mapper.subagents) learned.set(agentId, link);
  }

  private async importSubagent(
    item: PlannedFile,
    sink: SessionSink,
    learned: Map<string, SubagentLink>,
  ): Promise<void> {
    const agentId = item.agentId!;
    const link = learned.get(agentId) ?? sink.known.agents.get(agentId);
    const mapper = new TranscriptEventMapper({
      session: item.session,
      agent: subagentName(agentId, link),
      agentId,
      ...(link ? { parent: link.invocationId } : {}),
      hasSubagentTranscript: (id) => this.subagentFiles.has(`${item.session}\0${id}`),
      fallbackTs: item.head.firstTs ?? new Date(item.file.mtimeMs).toISOString(),
    });
    await this.stream(item.file, mapper, sink);
  }

  private async stream(
    file: TranscriptFile,
    mapper: TranscriptEventMapper,
    sink: SessionSink,
  ): Promise<void> {
    const seenTypes = new Set<string>();
    const onIssue = (issue: TranscriptIssue): void => {
      if (issue.kind === 'unknown-type') {
        const type = issue.recordType ?? '(none)';
        this.result.unknownTypes[type] = (this.result.unknownTypes[type] ?? 0) + 1;
        if (seenTypes.has(type)) return;
        seenTypes.add(type);
      }
      const out: ImportIssue = {
        kind: issue.kind,
        file: issue.file,
        line: issue.line,
        offset: issue.offset,
        message: issue.message,
      };
      if (issue.recordType !== undefined) out.recordType = issue.recordType;
      this.issue(out);
    };
    const base = this.bytesDone;
    let items = 0;
    for await (const item of readTranscript(file.path, {
      onIssue,
      responseFlush: 'thread',
      summaryChars: 2000,
      chunkBytes: READ_CHUNK,
      blockingRead: true,
      skipLine: importLineFilter((agentId, model) => mapper.noteSubagentModel(agentId, model)),
    })) {
      if (item.kind === 'session_info') continue;
      const events = mapper.map(item);
      for (const mapped of events) await sink.append(mapped);
      if (++items % 1024 === 0) await this.breathe();
      if (this.options.onProgress && item.offset - (this.lastProgress - base) >= PROGRESS_STEP) {
        this.lastProgress = base + item.offset;
        this.options.onProgress(Math.min(this.lastProgress, this.bytesTotal), this.bytesTotal);
      }
    }
    for (const model of mapper.models) this.models.add(model);
    await this.breathe();
    this.bytesDone = base + file.size;
    this.lastProgress = this.bytesDone;
    this.result.bytes += file.size;
    this.result.filesRead++;
    this.options.onProgress?.(this.bytesDone, this.bytesTotal);
  }

  /**
   * Synchronous reads never give the event loop a turn: every `YIELD_EVERY_MS` this lets timers
   * (a progress bar, signal handlers) run.
   */
  private async breathe(): Promise<void> {
    if (performance.now() - this.lastYield < YIELD_EVERY_MS) return;
    await new Promise((resolve) => setImmediate(resolve));
    this.lastYield = performance.now();
  }

  /** fsyncs every log this run appended to, and the logs folder (new files' entries). */
  private syncLogs(): void {
    for (const path of this.written) {
      let fd: number | undefined;
      try {
        fd = openSync(path, 'r');
        fsyncSync(fd);
      } catch {
        // Gone (closed by another process meanwhile): its own close synced it.
      } finally {
        if (fd !== undefined) closeSync(fd);
      }
    }
    if (this.written.size > 0) fsyncDir(this.options.logsDir);
  }

  private issue(issue: ImportIssue): void {
    if (this.result.issues.length < MAX_ISSUES) this.result.issues.push(issue);
    else this.result.issuesOmitted++;
  }

  /** Forgets files under the imported folders that no longer exist (Claude Code prunes old ones). */
  private pruneState(): void {
    const roots = (
      this.options.paths?.length ? this.options.paths : [defaultTranscriptRoot(this.options.env)]
    )
      .filter((root) => existsSync(root))
      .map((root) => `${root.replace(/[\\/]+$/, '')}${sep}`);
    const seen = new Set(this.files.map((file) => file.path));
    for (const path of Object.keys(this.state.files)) {
      if (!seen.has(path) && roots.some((root) => path.startsWith(root)) && !existsSync(path))
        delete this.state.files[path];
    }
  }
}

/** Appends one session's new events: skips those the log already has. */
class SessionSink {
  known: KnownEvents = emptyKnownEvents();
  private reopened = false;
  /** Events this sink appended. */
  appended = 0;

  constructor(
    private readonly session: string,
    private readonly logsDir: string,
    private readonly writer: EventWriter,
    private readonly result: ImportResult,
    private readonly redactor: Redactor,
  ) {}

  async open(): Promise<void> {
    this.known = await loadKnownEvents(this.logsDir, this.session);
  }

  /** True (and counted) when the log already holds this event or its hook-captured twin. */
  private isKnown(mapped: MappedEvent): boolean {
    const id = mapped.event.id!;
    if (
      this.known.ids.has(id) ||
      (mapped.callKey !== undefined && this.known.toolCalls.has(mapped.callKey)) ||
      (mapped.promptKey !== undefined && this.known.prompts.has(mapped.promptKey)) ||
      (mapped.toolSpan !== undefined &&
        toolSpanJoins(
          this.known.toolSpans.get(mapped.toolSpan.key),
          mapped.toolSpan.from,
          mapped.toolSpan.to,
          false,
        ))
    ) {
      this.result.duplicatesSkipped++;
      return true;
    }
    // Only ids are added: the other keys stand for what was in the log before this import, so
    // the second event of one call (its error after its tool_usage) is not taken for a twin.
    this.known.ids.add(id);
    return false;
  }

  async append(mapped: MappedEvent): Promise<void> {
    if (this.isKnown(mapped)) return;
    if (!this.reopened) {
      this.reopened = true;
      const files = sessionLogFiles(this.logsDir, this.session);
      // A closed session whose transcript grew (it was resumed): put its log back to append to it.
      if (existsSync(files.compressed) && !existsSync(files.plain))
        await reopenSessionLog(this.logsDir, this.session);
    }
    this.writer.append(
      this.redactor.enabled
        ? { ...mapped.event, data: redactPayload(this.redactor, mapped.event.data) }
        : mapped.event,
    );
    this.appended++;
    this.result.appended++;
  }
}

/** The session a transcript belongs to by its path, when its records name none. */
function sessionFromPath(file: TranscriptFile): string {
  if (file.kind === 'subagent') return basename(dirname(dirname(file.path)));
  return basename(file.path, '.jsonl');
}
