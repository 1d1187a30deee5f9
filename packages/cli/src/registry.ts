import type { Command } from '@commander-js/extra-typings';
import { type CommandSpec, command, declareCommand, group } from './command-spec.js';

// Every `sat` command's arguments, options and help, declared once: nothing here imports a
// command's code, so `sat hook` and `sat --version` load none of vega, resvg, SQLite or the
// cloud clients. A command module types its handler from the declaration (HandlerOf<typeof ...>).

/** `sat quickstart`. */
export const quickstartCommand = declareCommand({
  name: 'quickstart',
  summary:
    'import your Claude Code sessions (or bundled samples), show what happened, what it cost, how to resume',
  define: (c) => c.option('--sample', 'use the bundled sample sessions even when you have your own'),
});

/** `sat init`. */
export const initCommand = declareCommand({
  name: 'init',
  summary: 'create the data folders and git-ignore entries, install the Claude Code hooks (idempotent)',
  help: `
Hooks go into <project>/.claude/settings.json by default. Only our hooks are added or removed;
every other key and hook in the file is kept, in order. Running it again changes nothing.

Examples:
  sat init                   # folders + hooks in .claude/settings.json (commit it for the team)
  sat init --local           # hooks in .claude/settings.local.json (just you, this project)
  sat init --user            # hooks in ~/.claude/settings.json (every project)
  sat init --statusline      # also Claude Code's statusLine and subagentStatusLine
  sat init --otel            # also export Claude Code's telemetry to 'sat serve' (env block)
  sat init --otel --local --no-hooks --token "$SAT_TOKEN"   # a token only in the git-ignored file
  sat init --uninstall       # remove our hooks from .claude/settings.json (folders and data stay)
  sat init --local-only      # also privacy.localOnly: true (no cloud target is ever contacted)

--otel sets CLAUDE_CODE_ENABLE_TELEMETRY=1, OTEL_LOGS_EXPORTER=otlp, OTEL_METRICS_EXPORTER=otlp,
OTEL_EXPORTER_OTLP_PROTOCOL=http/json, OTEL_LOGS_EXPORT_INTERVAL=1000 and
OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:<--port> (and OTEL_EXPORTER_OTLP_HEADERS with --token).
Prompt text and tool parameters are not exported. Without 'sat serve' running nothing breaks.`,
  define: (c) =>
    c
      .option('--local', 'use <project>/.claude/settings.local.json instead')
      .option('--user', 'use ~/.claude/settings.json ($CLAUDE_CONFIG_DIR/settings.json when set) instead')
      .option('--no-hooks', 'only create the folders and git-ignore entries')
      .option(
        '--uninstall',
        'remove our hooks, statusline and telemetry variables (and nothing else) from the settings file',
      )
      .option(
        '--statusline',
        "also set statusLine and subagentStatusLine to 'sat statusline' (with --uninstall: remove only those)",
      )
      .option(
        '--otel',
        "also set the env variables that export Claude Code's telemetry to 'sat serve' (with --uninstall: remove only those)",
      )
      .option('--port <n>', "with --otel: the port of 'sat serve' (default 8000)")
      .option('--local-only', 'also write privacy.localOnly: true to sat.config.json (see docs/privacy.md)')
      .option(
        '--token <t>',
        "with --otel: the token of 'sat serve --token' (not with the shared settings.json)",
      )
      .option(
        '--force',
        'with --statusline: replace a statusLine that runs something else; with --otel: replace differing env values',
      )
      .option('--json', 'print what was done as JSON'),
});

/** `sat log`. */
export const logCommand = declareCommand({
  name: 'log',
  summary: 'append one event to a session (from flags, --json or stdin) and print its id',
  help: `
Examples:
  sat log decision --question "Which DB?" --selected SQLite --rationale "embedded"
  sat log tool_usage --tool Bash --parameters.command "pnpm test" --duration-ms 5400 --success true
  echo '{"error_type":"TestFailure","message":"2 failed"}' | sat log error
  sat log session_end            # ends and closes the active session

Field values are read as JSON where the field is not text (numbers, true/false, objects);
repeat a flag for a list (--options A --options B); use dots for nested fields.`,
  define: (c) =>
    c
      .argument(
        '<type>',
        'event type: agent_invocation, tool_usage, decision, validation, error, file_operation, context_snapshot, or a lifecycle type',
      )
      .argument('[fields...]', "the payload's fields as flags: --question text, --parameters.command text")
      .option('--json <object>', 'the payload (or {type?, data, agent?, parent?, ts?, meta?}) as JSON')
      .option('--session <id>', 'the session (default: the active one; a new one is started when none is)')
      .option(
        '--new',
        'with --session: start a new session with that id (without it, an unknown id is refused)',
      )
      .option(
        '--agent <name>',
        "the agent it concerns (also the payload's agent of agent_invocation)",
        'main',
      )
      .option('--parent <id>', 'the id of the event it belongs under')
      .allowUnknownOption(true)
      .allowExcessArguments(true),
});

/** `sat ingest`. */
export const ingestCommand = declareCommand({
  name: 'ingest',
  summary: 'turn captured Claude Code hook payloads into events (every reading command does this first)',
  define: (c) =>
    c
      .option('--json', 'print the result as JSON')
      .option('--quiet', 'print nothing (used by the capture hook)')
      .option('--wait', 'wait for a running ingest instead of leaving the work to it'),
});

/** `sat import`. */
export const importCommand = declareCommand({
  name: 'import',
  ingestFirst: true,
  summary:
    "import Claude Code transcripts (default: ~/.claude/projects) or someone's shared bundle; idempotent",
  help: `
Reads every main and sub-agent transcript (<project>/<session>.jsonl and
<session>/subagents/agent-*.jsonl) and appends its prompts, tool calls, errors, file changes,
decisions, sub-agent runs and API responses (tokens) to the session it names. Importing again
adds nothing; a transcript that grew adds only what is new; unchanged files are not opened.
Events already captured by the hooks are joined on their tool_use_id, never doubled.

A bundle made by 'sat share' (a .sat.tgz file, any file holding a bundle, or a Google Drive
link or file id) is verified (checksums, manifest, no unsafe entry), shown (who shared it, from
which machine, when, its session, events and size) and merged into the local history by event
id: each event once, foreign ones appended with their origin in meta.origin, conflicting
versions kept in <logs>/conflicts/. See docs/sharing.md.

Examples:
  sat import                     # everything in $CLAUDE_CONFIG_DIR/projects or ~/.claude/projects
  sat import ~/.claude/projects/-home-me-app
  sat import --sample            # the bundled sample sessions (real transcripts, marot/spotter)
  sat import b1f2.sat.tgz        # a session someone shared with 'sat share'
  sat import https://drive.google.com/file/d/<id>/view
  sat import --include-purged    # bring back sessions 'sat purge' removed (skipped otherwise)`,
  define: (c) =>
    c
      .argument(
        '[paths...]',
        "transcript files or folders (default: Claude Code's projects folder), or bundle files or Drive links",
      )
      .option('--json', 'print the result as JSON')
      .option('--sample', 'import the bundled sample transcripts')
      .option(
        '--include-purged',
        "also import sessions removed by 'sat purge' (their tombstones are removed), from transcripts and bundles",
      ),
});

/** `sat purge`. */
export const purgeCommand = declareCommand({
  name: 'purge',
  ingestFirst: true,
  summary:
    'delete sessions everywhere: logs, analytics rows, snapshots, handoffs, raw payloads, caches, reviews, backups',
  help: `
Deletes everything sat keeps about the sessions: their logs (plain and compressed), raw hook
payloads, spool leftovers, snapshots, handoffs, digests and the cached entries that name them,
the reviews that mention them, their rows in the analytics store (rebuilt from the other logs)
and their backups on the local backup folder and the configured backup target. A target that
cannot be reached is named and queued (<state>/purge-queue.json): the next 'sat purge' retries
it. A tombstone (<logs>/.purged/<session>: the id and the purge time) keeps 'sat import' and the
hooks from bringing a session back; 'sat import --include-purged' does so on purpose.
Without --yes it asks on a terminal, and refuses elsewhere.

Examples:
  sat purge 019ab5f0 --dry-run        # what would go
  sat purge 019ab5f0 7c2e41aa --yes
  sat purge --before 2026-01-01 --yes # sessions whose last event is older
  sat purge --all --yes --json`,
  define: (c) =>
    c
      .argument('[sessions...]', "session ids or unique prefixes ('active' for the current one)")
      .option(
        '--before <date>',
        'every session whose last event is before this date (YYYY-MM-DD or ISO-8601)',
      )
      .option('--all', 'every session')
      .option('--dry-run', 'list what would be deleted, delete nothing')
      .option('--yes', 'do not ask (required without a terminal)')
      .option('--json', 'print the result as JSON'),
});

/** `sat export`. */
export const exportCommand = declareCommand({
  name: 'export',
  ingestFirst: true,
  summary:
    'write one whole session out: its events (jsonl), a readable transcript (md) or one self-contained page (html)',
  help: `
jsonl: the events exactly as stored. md: prompts, answers, tool calls with their results (long
ones cut), errors, sub-agents, decisions, and tokens and cost by model. html: the same as one
file that loads nothing from anywhere and runs no script, every text escaped.

Examples:
  sat export 019ab5f0 --format md > session.md
  sat export active --format html --out session.html
  sat export 019ab5f0 --format jsonl --out events.jsonl`,
  define: (c) =>
    c
      .argument('<session>', "session id, a unique prefix of one, or 'active'")
      .option('--format <format>', 'jsonl, md or html (default md)')
      .option('--out <file>', 'write to this file instead of stdout'),
});

/** `sat share`. */
export const shareCommand = declareCommand({
  name: 'share',
  ingestFirst: true,
  summary: "write a session's verified bundle for someone else (a file, or Google Drive with a link)",
  help: `
Writes the session's log as a verified bundle (the backup format; its manifest names you,
your machine and the time), by default ./<session>.sat.tgz. Secrets were redacted when the
events were recorded; --redact-prompts also drops the text of prompts and responses (figures,
tools, files and times stay). With --target gdrive the bundle is uploaded to Google Drive
('sat setup gdrive' first) and shared with one person (--with EMAIL) or anyone with the link
(--anyone); on a terminal without either you are asked. The receiver runs 'sat import <file or link>'.

Examples:
  sat share active
  sat share 019ab5f0 --redact-prompts --out /tmp/review.sat.tgz
  sat share 019ab5f0 --target gdrive --with ana@example.com`,
  define: (c) =>
    c
      .argument('<session>', "session id, a unique prefix of one, or 'active'")
      .option('--out <file>', 'the bundle file to write (default: ./<session>.sat.tgz)')
      .option('--target <kind>', 'also upload it: gdrive (Google Drive)')
      .option('--redact-prompts', 'drop the text of prompts and responses (see docs/sharing.md)')
      .option('--with <email>', 'on Drive: share it with this person (reader)')
      .option('--anyone', 'on Drive: anyone with the link may read it')
      .option('--json', 'print the result as JSON'),
});

/** `sat sessions`. */
export const sessionsCommand = declareCommand({
  name: 'sessions',
  ingestFirst: true,
  summary: 'list sessions: id, start, end or status, events, tokens, cost, size',
  define: (c) => c.option('--json', 'print JSON'),
});

/** `sat show`. */
export const showCommand = declareCommand({
  name: 'show',
  ingestFirst: true,
  summary: 'what happened in a session, and its tokens and cost by agent and by model',
  define: (c) =>
    c
      .argument('<session>', "session id, a unique prefix of one, or 'active'")
      .option('--json', 'print everything as JSON (tokens and cost in total, byAgent, byModel)'),
});

/** `sat events`. */
export const eventsCommand = declareCommand({
  name: 'events',
  ingestFirst: true,
  summary: "print a session's events (readable, --json for JSONL, --follow to tail it)",
  define: (c) =>
    c
      .argument('<session>', "session id, a unique prefix of one, or 'active'")
      .option('--json', 'print the events as JSONL')
      .option('-f, --follow', 'keep printing new events until the session ends (Ctrl-C stops)')
      .option('--type <type>', 'only events of this type')
      .option('--agent <name>', 'only events of this agent')
      .option('--from-seq <n>', 'start at this seq'),
});

/** `sat rebuild`. */
export const rebuildCommand = declareCommand({
  name: 'rebuild',
  summary: 'drop the analytics projections and rebuild them from the event log',
  define: (c) => c.option('--json', 'print the result as JSON'),
});

/** `sat migrate`. */
export const migrateCommand = declareCommand({
  name: 'migrate',
  ingestFirst: true,
  summary: 'move the analytics store between SQLite and MongoDB: copy from the log, verify, then switch',
  help: `
Fills the target from the event log (the truth) in batches, with a progress bar on a terminal;
an interrupted run is resumed by running it again (nothing is copied twice). Before switching it
compares both stores: counts per projection, a sample of sessions field by field, and every
'sat stats' report's JSON. Only then store.kind (and --url, --database) is written into
sat.config.json, every other key kept. On a difference or a failure it rolls back and says what
differed; the config stays as it was. A MongoDB target must hold no sat data (its rollback then
touches nothing that was there). The password of the URL is never printed.
See docs/MIGRATION_GUIDE.md (Atlas set-up, what is checked, how to go back).

Examples:
  SAT_MONGO_URL='mongodb+srv://sat:PASSWORD@cluster0.example.mongodb.net/' sat migrate --to mongo --dry-run
  sat migrate --to mongo --url "$SAT_MONGO_URL" --database sat --yes
  sat migrate --to sqlite --yes --json`,
  define: (c) =>
    c
      .option('--to <store>', 'the store to move to: mongo or sqlite')
      .option(
        '--url <url>',
        'with --to mongo: the connection string (default store.mongo.url, SAT_MONGO_URL)',
      )
      .option('--database <name>', 'with --to mongo: the database (default store.mongo.database, sat)')
      .option('--dry-run', 'say what would be copied and checked; write nothing')
      .option('--yes', 'do not ask for confirmation (required without a terminal)')
      .option('--json', 'print the result as JSON'),
});

/** `sat doctor`. */
export const doctorCommand = declareCommand({
  name: 'doctor',
  ingestFirst: true,
  summary: 'check paths, permissions, config, locks and logs; say how to fix each problem',
  define: (c) => c.option('--fix', 'repair what can be repaired safely').option('--json', 'print JSON'),
});

/** `sat gc`. */
export const gcCommand = declareCommand({
  name: 'gc',
  ingestFirst: true,
  summary: 'apply retention: remove local logs of old sessions that are backed up',
  define: (c) =>
    c
      .option('--dry-run', 'only list what would be removed')
      .option('--keep <n>', 'keep the newest N sessions (default: retention.keepSessions)')
      .option('--json', 'print JSON'),
});

/** `sat status`. */
export const statusCommand = declareCommand({
  name: 'status',
  ingestFirst: true,
  summary:
    'where the current (or given) session stands: events, agents, tokens, context, cost, snapshot, handoff',
  help: `
The session is the one named, else the active one, else the one with the latest event.

Examples:
  sat status
  sat status 019ab5f0 --json`,
  define: (c) =>
    c
      .argument('[session]', "session id, a unique prefix of one, or 'active' (default: the current session)")
      .option('--json', 'print JSON'),
});

/** `sat alerts`. */
export const alertsCommand = declareCommand({
  name: 'alerts',
  ingestFirst: true,
  summary:
    'alerts raised by the capture pipeline (context nearly full, error spikes) and anomalies vs your history',
  help: `
Lists the alert events of the window across sessions, newest first (session, time, kind, level,
message, value/threshold/baseline; "current" when it still holds), then the sessions and days of
the window far from your own history (the anomalies of 'sat review'), and says which metrics had
too little history to judge. See docs/alerts.md.

Examples:
  sat alerts
  sat alerts --days 7
  sat alerts --session 019ab5f0 --json`,
  define: (c) =>
    c
      .option('--days <n>', "the last N days (default 7); 'all' for no limit")
      .option('--session <id>', 'only this session (id, unique prefix or active)')
      .option('--json', 'print JSON: { alerts, anomalies, skipped, issues, since }'),
});

/** `sat statusline`. */
export const statuslineCommand = declareCommand({
  name: 'statusline',
  summary:
    "Claude Code's statusLine: one line from its stdin JSON plus what sat knows (agents, errors, alerts, handoff, backup)",
  help: `
Run by Claude Code after each assistant message ('sat init --statusline' installs it). Reads the
statusline JSON on stdin and the session's small summary file (kept by ingest), prints one line
that fits $COLUMNS (and a second one for a current alert), nothing else, and always exits 0.
Problems go to <data root>/sat/statusline/statusline.log. NO_COLOR turns colour off.
Segments: the config key statusline.segments (see docs/statusline.md).

Examples:
  echo '{"session_id":"s1","model":{"display_name":"Opus"}}' | sat statusline
  sat statusline --subagents     # subagentStatusLine: one row per running sub-agent`,
  define: (c) =>
    c.option('--subagents', 'one row per running sub-agent (tokens, elapsed), for subagentStatusLine'),
});

/** `sat dashboard`. */
export const dashboardCommand = declareCommand({
  name: 'dashboard',
  summary:
    'live full-screen view of the active sessions: context, tokens, cost, agents, tools, errors, events',
  help: `
Watches the hook spool and the logs and refreshes every second. Keys: tab next session, p pause,
a filter by agent, up/down select an event, enter details, esc close, q quit. See docs/dashboard.md.

Examples:
  sat dashboard
  NO_COLOR=1 sat dashboard --once --width 80`,
  define: (c) =>
    c
      .option('--once', 'print one frame and exit (plain text when stdout is not a terminal)')
      .option('--width <n>', 'columns of the --once frame (default: the terminal width, else 80)')
      .option('--height <n>', 'rows of the --once frame (default 24)'),
});

/** `sat serve`. */
export const serveCommand = declareCommand({
  name: 'serve',
  summary:
    'serve the JSON API and a live event stream over HTTP (127.0.0.1:8000; a token for any other host)',
  help: `
Serves /api (sessions, events, stats, alerts, snapshots, handoffs, backups: the same JSON as the
commands' --json) and /api/stream (Server-Sent Events of new events, sessions and alerts). On a
host other than 127.0.0.1 every request needs a token (--token, else one is generated and printed
once): Authorization: Bearer <token> or ?token=<token>. Ctrl-C stops it. See docs/web.md.

Examples:
  sat serve
  sat serve --port 9000 --open
  sat serve --host 0.0.0.0 --token "$SAT_TOKEN"`,
  define: (c) =>
    c
      .option('--port <n>', 'port to listen on (default 8000; 0 for a free one)')
      .option('--host <address>', 'address to listen on (default 127.0.0.1)')
      .option('--token <t>', 'token every request must carry (default: none on 127.0.0.1, else generated)')
      .option('--open', 'open the page in the browser'),
});

/** `sat handoff`. */
export const handoffCommand = declareCommand({
  name: 'handoff',
  ingestFirst: true,
  summary: 'write a Markdown handoff of a session to resume from (goal, next steps, files, errors, cost)',
  help: `
Writes <data root>/handoffs/<session>-<time>.md and latest-<session>.md, at most --max-tokens
(200-200000; default handoff.maxTokens, 2000) estimated tokens, and says how much smaller it is than the
session's transcript.

Examples:
  sat handoff                    # the current session
  sat handoff 019ab5f0 --max-tokens 1000
  sat handoff --print            # also print the Markdown
  sat handoff 019ab5f0 --latest --json   # the newest handoff already written (writes nothing)`,
  define: (c) =>
    c
      .argument('[session]', "session id, a unique prefix of one, or 'active' (default: the current session)")
      .option('--max-tokens <n>', 'largest handoff in estimated tokens (default handoff.maxTokens)')
      .option('--latest', 'show the newest handoff already written instead of writing one')
      .option('--print', 'print the Markdown instead of a summary')
      .option('--json', 'print the result as JSON (the Markdown included)'),
});

/** `sat recover`. */
export const recoverCommand = declareCommand({
  name: 'recover',
  ingestFirst: true,
  summary: 'find sessions that did not end properly, show their progress, write the handoffs to resume them',
  help: `
A session is offered when it has no session_end and no activity for --quiet-minutes (default 30),
or was marked as crashed. Each gets a snapshot and a handoff, then a marker under
<data root>/state/recovery/ so it is not offered again (unless new events arrive).
On a terminal it asks first; --yes, --json or a non-terminal stdin/stdout go ahead without asking
(use --dry-run to only look).

Examples:
  sat recover
  sat recover --yes --json
  sat recover --quiet-minutes 5 --dry-run`,
  define: (c) =>
    c
      .option('--yes', 'do not ask for confirmation')
      .option('--json', 'print JSON (does not ask)')
      .option(
        '--quiet-minutes <n>',
        'minutes without activity after which an open session counts as interrupted',
        '30',
      )
      .option('--dry-run', 'only show the sessions and their progress')
      .option('--max-tokens <n>', 'largest handoff in estimated tokens (default handoff.maxTokens)'),
});

/** `sat backup`. */
export const backupCommand = declareCommand({
  name: 'backup',
  ingestFirst: true,
  summary: 'back up sessions (log, snapshots, handoffs, database) as verified bundles to a storage target',
  help: `
Each session becomes SubAgentTracking/Phase_<N>/sessions/<session>/bundle.tar.gz plus its
manifest.json on the target, verified after upload (checksums, then a full read-back). Then
the session is marked backed up, so 'sat gc' may remove its local log. An ended session is
closed first; an open one is backed up as its log so far. A bundle the target already holds is
not sent again. When the target cannot be reached the backup is queued
(<data root>/state/backup-queue.json); every 'sat backup' retries the queue first.

The target is a local folder (default <data root>/backups, or backup.dir in the config),
which may be a mounted NAS or a folder a sync client copies elsewhere.

Examples:
  sat backup active                   # the current session
  sat backup --all                    # every session not backed up yet
  sat backup --all --dir /mnt/nas/sat # to another folder
  sat backup                          # only retry what is queued
  sat backup --test                   # check the target: upload, verify, read back, delete`,
  define: (c) =>
    c
      .argument('[session]', "session id, a unique prefix of one, or 'active'")
      .option('--all', 'every session whose backup is not up to date')
      .option('--target <kind>', 'kind of target (default: backup.target, local)')
      .option('--dir <path>', 'folder of the local target (default: backup.dir, <data root>/backups)')
      .option('--test', 'check that the target works, back up nothing')
      .option('--json', 'print the result as JSON'),
});

/** `sat restore`. */
export const restoreCommand = declareCommand({
  name: 'restore',
  summary: 'restore a session from its backup: verified, extracted safely, byte-identical',
  help: `
Downloads the bundle, checks its SHA-256 against the manifest, refuses anything unsafe inside
(absolute paths, .., links), checks every file, and only then puts the files back. A local file
that differs from the backup is not overwritten unless --force: nothing changes.

Examples:
  sat restore 019ab5f0                # a session removed by 'sat gc'
  sat restore 019ab5f0 --dir /mnt/nas/sat --json`,
  define: (c) =>
    c
      .argument('<session>', 'session id, or a unique prefix of a backed-up one')
      .option('--force', 'overwrite local files that differ from the backup')
      .option('--target <kind>', 'kind of target (default: backup.target, local)')
      .option('--dir <path>', 'folder of the local target (default: backup.dir, <data root>/backups)')
      .option('--json', 'print the result as JSON'),
});

/** `sat backups`. */
export const backupsCommand = declareCommand({
  name: 'backups',
  summary: 'list the session backups a target holds (session, phase, size, date) and those queued',
  define: (c) =>
    c
      .option('--target <kind>', 'kind of target (default: backup.target, local)')
      .option('--dir <path>', 'folder of the local target (default: backup.dir, <data root>/backups)')
      .option('--verify', 'read every bundle back and check it against its manifest')
      .option('--json', 'print JSON'),
});

/** `sat chart`. */
export const chartCommand = declareCommand({
  name: 'chart',
  ingestFirst: true,
  summary:
    'render an analytics chart to SVG or PNG (or print its data): agent performance, an error heatmap, usage per day',
  help: `
Charts:
  agents   per agent type: invocations, success rate, p50 / p95 duration
  errors   a heatmap of error counts: agent (or day, with --by day) x error type
  usage    tokens and cost per day

--json prints the rows the chart draws (what sat serve's /api/charts/<chart> answers).

The format is the extension of --out (.svg or .png). An empty range gives a chart that says so.

Examples:
  sat chart agents --out perf.svg
  sat chart agents --out perf.png --days 7 --phase implement
  sat chart errors --out heatmap.png --by day --days 14
  sat chart usage --days 14 --json`,
  define: (c) =>
    c
      .argument('<chart>', 'agents, errors or usage')
      .option('--out <file>', 'where to write the chart: a .svg or .png file (required without --json)')
      .option('--days <n>', "the last N days (UTC), or 'all' (default 30)")
      .option('--phase <phase>', 'only this phase')
      .option('--by <what>', "errors: rows by 'agent' (default) or 'day'")
      .option('--json', "print the chart's data rows as JSON"),
});

/** `sat review`. */
export const reviewCommand = declareCommand({
  name: 'review',
  ingestFirst: true,
  summary:
    'review a phase, the last N days or a session: what was done, agents, tools, errors, cost, anomalies, what to change',
  help: `
Reads every session of the scope: those on this machine and those that exist only in a backup
or a phase archive (downloaded, verified and read in a scratch folder, never restored into your
data; --local-only skips them). Compares every headline figure with the previous phase (or
period, or session). Writes the report as Markdown (default <data root>/reviews/phase-<N>.md,
last-<D>-days.md or session-<id>.md) and, with --html, as a self-contained HTML page with its
charts embedded; prints a short summary (--json: every figure).

Examples:
  sat review phase 2                 # reviews/phase-2.md and a summary
  sat review phase 2 --html          # and reviews/phase-2.html
  sat review --days 7 --json > week.json
  sat review --session 019ab5f0 --out review.md`,
  define: (c) =>
    c
      .argument('[scope]', "'phase' (the default scope: the current session's phase)")
      .argument('[phase]', 'the phase: a number or a name')
      .option('--days <n>', 'review the last N days (UTC) instead of a phase')
      .option('--session <id>', "review one session (id, unique prefix or 'active')")
      .option('--out <file>', 'where to write the Markdown report')
      .option('--html [file]', 'also write a self-contained HTML page (default: beside the Markdown)')
      .option('--local-only', 'read only the sessions on this machine (no backup or archive is contacted)')
      .option('--team', 'add a section per person: sessions, tokens, cost and errors of each')
      .option('--json', 'print every figure as JSON'),
});

/** `sat hook context`. */
export const hookContextCommand = declareCommand({
  name: 'context',
  summary: 'print the latest handoff as SessionStart context (never fails)',
  define: (c) => c.argument('[payload]', "the hook payload file, or '-' for stdin"),
});

const HOOK = {
  name: 'hook',
  summary: 'run by the capture hook: `sat hook context -` prints the latest handoff at SessionStart',
  help: `
Used by <data root>/sat/capture.sh, not by people: at SessionStart with source resume,
compact or clear it prints the session's current alerts (one [sat] alerts line) and the
project's latest handoff (at most 10,000 characters in all) as additional context for the model.
It never fails.`,
};

/** The filters and formats every `sat stats` report takes. */
function statsOptions<Args extends unknown[]>(c: Command<Args>) {
  return c
    .option('--days <n>', "the last N days (default 30; all time with a session); 'all' for no limit")
    .option('--session <id>', 'only this session')
    .option('--phase <phase>', 'only this phase')
    .option('--agent <name>', 'only this agent')
    .option('--user <name>', "only this person's work (an imported session's origin, else identity.user)")
    .option('--machine <name>', 'only the work recorded on this machine')
    .option('--json', 'print the result as JSON')
    .option('--csv', 'print CSV (header row, fields quoted where needed)');
}

/** `statsOptions` and `--by`, for the reports that can be grouped per owner. */
function statsByOptions<Args extends unknown[]>(c: Command<Args>) {
  return statsOptions(c).option('--by <owner>', "one answer per 'user' or per 'machine'");
}

/** `sat stats agents`. */
export const statsAgentsCommand = declareCommand({
  name: 'agents',
  summary: 'invocations, success rate, durations, tokens and cost per agent type',
  define: statsByOptions,
});

/** `sat stats tools`. */
export const statsToolsCommand = declareCommand({
  name: 'tools',
  summary: 'uses, success rate and durations per tool',
  define: statsByOptions,
});

/** `sat stats errors`. */
export const statsErrorsCommand = declareCommand({
  name: 'errors',
  summary: 'errors by fingerprint: how often, in how many sessions, how many fixed',
  define: statsByOptions,
});

/** `sat stats session [id]`. */
export const statsSessionCommand = declareCommand({
  name: 'session',
  summary: "one session's figures (default: the latest)",
  define: (c) => statsOptions(c.argument('[session]', "the session id (or a unique prefix, or 'active')")),
});

/** `sat stats cost`. */
export const statsCostCommand = declareCommand({
  name: 'cost',
  summary: 'tokens and cost in total, per phase, per agent and per model',
  define: statsByOptions,
});

/** `sat stats team`. */
export const statsTeamCommand = declareCommand({
  name: 'team',
  summary: 'sessions, tokens, cost and errors per user x machine x day',
  define: statsOptions,
});

const STATS = {
  name: 'stats',
  summary: 'analytics: agent performance, tool effectiveness, error patterns, one session, cost by phase',
  help: `
Reads <data root>/analytics/sat.db, brought up to date with the log first (only what is new).
Tables on a terminal, tab-separated when piped; --csv for CSV, --json for everything.

Examples:
  sat stats agents --days 7
  sat stats tools --agent code-reviewer --csv > tools.csv
  sat stats cost --phase 2 --json
  sat stats cost --by user --days 7
  sat stats team --days 14 --csv
  sat stats session 019ab5f0`,
};

/** `sat team`. */
export const teamCommand = declareCommand({
  name: 'team',
  summary: 'who contributed what: sessions, tokens, cost and errors per person per ISO week',
  help: `
Reads the analytics store (brought up to date with the log first): this machine's work under
identity.user, and every session imported from someone else's bundle under its origin's user.
With store.kind mongo, every machine that ingests into the same database.

Examples:
  sat team                 # the last 4 ISO weeks, this one included
  sat team --weeks 12 --json`,
  define: (c) =>
    c
      .option('--weeks <n>', 'the last N ISO weeks, this one included (default 4)')
      .option('--json', 'print the result as JSON'),
});

/** `sat phase [show]`. */
export const phaseShowCommand = declareCommand({
  name: 'show',
  summary: "the current session's phase (the default)",
  isDefault: true,
  define: (c) =>
    c.option('--session <id>', 'the session (default: the current one)').option('--json', 'print JSON'),
});

/** `sat phase set <N>`. */
export const phaseSetCommand = declareCommand({
  name: 'set',
  summary: 'move the session on to a phase: later events count under it',
  define: (c) =>
    c
      .argument('[phase]', 'the new phase (a number or a name)')
      .option('--name <text>', "the phase's name")
      .option('--session <id>', 'the session (default: the current one)')
      .option('--json', 'print JSON'),
});

const PHASE = {
  name: 'phase',
  summary: "show the current session's phase, or move it on: sat phase set <N> [--name text]",
  help: `
Examples:
  sat phase                      # the current session's phase
  sat phase set 2 --name review  # later events count under phase 2 in 'sat stats cost'`,
};

/** `sat snapshot create`. */
export const snapshotCreateCommand = declareCommand({
  name: 'create',
  summary: 'take a snapshot now (incremental: latest snapshot + new events)',
  define: (c) =>
    c
      .argument('[session]', 'the session (default: the current one)')
      .option('--trigger <trigger>', 'why it is taken (default manual)')
      .option('--json', 'print JSON'),
});

/** `sat snapshot list`. */
export const snapshotListCommand = declareCommand({
  name: 'list',
  summary: "the session's snapshots, oldest first (checksums verified)",
  define: (c) =>
    c.argument('[session]', 'the session (default: the current one)').option('--json', 'print JSON'),
});

/** `sat snapshot show <id>`. */
export const snapshotShowCommand = declareCommand({
  name: 'show',
  summary: 'one snapshot: state summary and files (with diffs)',
  define: (c) =>
    c
      .argument('[id]', "a snapshot id, a unique prefix of one, or 'latest'")
      .option('--diffs', 'print the diffs of the files that changed')
      .option('--json', 'print JSON'),
});

/** `sat snapshot diff <id> <id>`. */
export const snapshotDiffCommand = declareCommand({
  name: 'diff',
  summary: 'what changed between two snapshots of a session',
  define: (c) =>
    c
      .argument('[from]', 'the earlier snapshot')
      .argument('[to]', 'the later snapshot')
      .option('--json', 'print JSON'),
});

/** `sat snapshot restore <id>`. */
export const snapshotRestoreCommand = declareCommand({
  name: 'restore',
  summary: 'the session state a snapshot holds (--json prints it whole)',
  define: (c) =>
    c
      .argument('[id]', "a snapshot id, a unique prefix of one, or 'latest'")
      .option('--output <file>', 'write the state as JSON to this file')
      .option('--json', 'print JSON'),
});

const SNAPSHOT = {
  name: 'snapshot',
  ingestFirst: true,
  summary: "take, list, show, compare and restore snapshots of a session's state",
  help: `
An <id> is a snapshot id, a unique prefix of one, or 'latest' (of the current session).
Snapshots live in <data root>/state/snapshots/<session>/. A corrupt one is reported and skipped.

Examples:
  sat snapshot create
  sat snapshot list --json
  sat snapshot diff 01a2... latest`,
};

const ARCHIVE_YES = 'do not ask: remove the copies the verified archive holds (required without a terminal)';
const ARCHIVE_KEEP_LOCAL = 'keep the local files (remove only the session backups)';

/** `sat archive phase <N>`. */
export const archivePhaseCommand = declareCommand({
  name: 'phase',
  summary: 'archive every session of a phase in one verified tar.gz, then remove the copies it holds',
  help: `
Every session of phase N (local, else from its backup) goes in one tar.gz with a manifest,
uploaded to SubAgentTracking/Archive/Phase_<N>/ and verified; then, after a confirmation
(--yes), the phase's backups and local files are removed.`,
  define: (c) =>
    c
      .argument('[phase]', 'the phase')
      .option('--yes', ARCHIVE_YES)
      .option('--keep-local', ARCHIVE_KEEP_LOCAL)
      .option('--json', 'print the result as JSON'),
});

/** `sat archive list`. */
export const archiveListCommand = declareCommand({
  name: 'list',
  summary: 'the phase archives in the bucket, with their tier (STANDARD, GLACIER, ...)',
  define: (c) => c.option('--json', 'print the result as JSON'),
});

/** `sat archive restore <N>`. */
export const archiveRestoreCommand = declareCommand({
  name: 'restore',
  summary: 'restore a phase archive (from Glacier: request, then --wait to download and restore)',
  help: `
Asks S3 to restore a Glacier archive (--tier, --days); with --wait polls until it is ready,
then downloads, verifies and restores the sessions byte-identical.`,
  define: (c) =>
    c
      .argument('[phase]', 'the phase')
      .option('--wait', 'wait for a Glacier restore to finish, then restore')
      .option('--tier <tier>', 'Standard (default), Bulk or Expedited')
      .option('--days <n>', 'days the restored copy stays readable (default 7)')
      .option('--poll-seconds <n>', 'with --wait: seconds between two checks (default 60)')
      .option('--force', 'overwrite local files that differ from the archive')
      .option('--json', 'print the result as JSON'),
});

/** `sat archive auto`. */
export const archiveAutoCommand = declareCommand({
  name: 'auto',
  summary: 'the policy: archive every phase older than the newest archive.keepPhases (2)',
  define: (c) =>
    c
      .option('--yes', ARCHIVE_YES)
      .option('--keep-local', ARCHIVE_KEEP_LOCAL)
      .option('--json', 'print the result as JSON'),
});

const ARCHIVE = {
  name: 'archive',
  ingestFirst: true,
  summary: 'archive whole phases to S3 (Glacier) as one verified tar.gz; list and restore them',
  help: `
The bucket is archive.s3 in the config (or SAT_S3_BUCKET); credentials come from the standard
AWS chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE). 'sat setup s3' checks the
bucket and adds the lifecycle rule that moves archives to Glacier.

Examples:
  sat archive phase 1            # archive, then ask before removing local copies
  sat archive auto --yes         # every phase older than the last two, no questions
  sat archive list --json
  sat archive restore 1 --wait --tier Bulk`,
};

/** `sat setup gdrive`. */
export const setupGdriveCommand = declareCommand({
  name: 'gdrive',
  summary: 'connect Google Drive for backups (OAuth sign-in, token saved 0600)',
  help: `
Prints the steps to create an OAuth "Desktop app" client of your own, then runs Google's
loopback sign-in with PKCE (scope drive.file: sat sees only the files it creates). The token
goes to <data root>/credentials/gdrive.json (mode 0600, git-ignored) and is refreshed by
itself. backup.target becomes gdrive in the config (unless --no-default), and a round trip is
checked. The client secret is read from SAT_GDRIVE_CLIENT_SECRET or a hidden prompt (never
from a flag, which other users could see in the process list).

Example:
  SAT_GDRIVE_CLIENT_SECRET=... sat setup gdrive --client-id 1234.apps.googleusercontent.com`,
  define: (c) =>
    c
      .option('--client-id <id>', 'the OAuth client ID (default SAT_GDRIVE_CLIENT_ID, else a prompt)')
      .option('--no-browser', 'only print the sign-in address, do not open a browser')
      .option('--no-default', 'do not make Drive the backup target in the config')
      .option('--json', 'print the result as JSON'),
});

/** `sat setup s3`. */
export const setupS3Command = declareCommand({
  name: 's3',
  summary: 'connect an S3 bucket for phase archives (access check, Glacier lifecycle rule)',
  help: `
Checks the bucket and that the credentials (the AWS chain: AWS_ACCESS_KEY_ID and
AWS_SECRET_ACCESS_KEY, AWS_PROFILE, an instance role) can write, read back and delete; then
adds one lifecycle rule that moves SubAgentTracking/Archive/ to GLACIER or DEEP_ARCHIVE,
keeping the bucket's other rules, and saves archive.s3 in the config.

Examples:
  sat setup s3 --bucket team-agent-archive --region eu-west-1 --storage-class DEEP_ARCHIVE
  sat setup s3 --bucket test --endpoint http://127.0.0.1:9000 --dry-run`,
  define: (c) =>
    c
      .option('--bucket <name>', 'the bucket (default archive.s3.bucket)')
      .option('--prefix <prefix>', 'key prefix inside the bucket')
      .option('--region <region>', 'the region (default the AWS chain, else us-east-1)')
      .option('--endpoint <url>', 'an S3-compatible endpoint (MinIO, a local server)')
      .option('--storage-class <class>', 'GLACIER (default) or DEEP_ARCHIVE')
      .option('--transition-days <n>', 'days after upload before archives move (default 0)')
      .option('--dry-run', 'check and report, change nothing')
      .option('--json', 'print the result as JSON'),
});

const SETUP = {
  name: 'setup',
  summary: 'connect Google Drive (OAuth, for backups) or an S3 bucket (access check, Glacier lifecycle rule)',
};

/**
 * Every `sat` command, registered in this one place. Handlers are imported lazily, so a command
 * loads only what it uses.
 */
export const COMMANDS: readonly CommandSpec[] = [
  command(quickstartCommand, async () => (await import('./commands/quickstart.js')).run),
  command(initCommand, async () => (await import('./commands/init.js')).run),
  command(logCommand, async () => (await import('./commands/log.js')).run),
  command(ingestCommand, async () => (await import('./commands/ingest.js')).run),
  command(importCommand, async () => (await import('./commands/import.js')).run),
  command(shareCommand, async () => (await import('./commands/share.js')).run),
  group(HOOK, [command(hookContextCommand, async () => (await import('./commands/hook.js')).context)]),
  command(sessionsCommand, async () => (await import('./commands/sessions.js')).run),
  command(purgeCommand, async () => (await import('./commands/purge.js')).run),
  command(exportCommand, async () => (await import('./commands/export.js')).run),
  command(showCommand, async () => (await import('./commands/show.js')).run),
  command(eventsCommand, async () => (await import('./commands/events.js')).run),
  group(STATS, [
    command(statsAgentsCommand, async () => (await import('./commands/stats.js')).agents),
    command(statsToolsCommand, async () => (await import('./commands/stats.js')).tools),
    command(statsErrorsCommand, async () => (await import('./commands/stats.js')).errors),
    command(statsSessionCommand, async () => (await import('./commands/stats.js')).session),
    command(statsCostCommand, async () => (await import('./commands/stats.js')).cost),
    command(statsTeamCommand, async () => (await import('./commands/stats.js')).team),
  ]),
  command(teamCommand, async () => (await import('./commands/team.js')).run),
  command(rebuildCommand, async () => (await import('./commands/rebuild.js')).run),
  command(migrateCommand, async () => (await import('./commands/migrate.js')).run),
  group(PHASE, [
    command(phaseShowCommand, async () => (await import('./commands/phase.js')).show),
    command(phaseSetCommand, async () => (await import('./commands/phase.js')).set),
  ]),
  command(doctorCommand, async () => (await import('./commands/doctor.js')).run),
  command(gcCommand, async () => (await import('./commands/gc.js')).run),
  command(statusCommand, async () => (await import('./commands/status.js')).run),
  command(alertsCommand, async () => (await import('./commands/alerts.js')).run),
  command(statuslineCommand, async () => (await import('./commands/statusline.js')).run),
  command(dashboardCommand, async () => (await import('./commands/dashboard.js')).run),
  command(serveCommand, async () => (await import('./commands/serve.js')).run),
  group(SNAPSHOT, [
    command(snapshotCreateCommand, async () => (await import('./commands/snapshot.js')).create),
    command(snapshotListCommand, async () => (await import('./commands/snapshot.js')).list),
    command(snapshotShowCommand, async () => (await import('./commands/snapshot.js')).show),
    command(snapshotDiffCommand, async () => (await import('./commands/snapshot.js')).diff),
    command(snapshotRestoreCommand, async () => (await import('./commands/snapshot.js')).restore),
  ]),
  command(handoffCommand, async () => (await import('./commands/handoff.js')).run),
  command(recoverCommand, async () => (await import('./commands/recover.js')).run),
  command(backupCommand, async () => (await import('./commands/backup.js')).run),
  command(restoreCommand, async () => (await import('./commands/restore.js')).run),
  command(backupsCommand, async () => (await import('./commands/backups.js')).run),
  group(ARCHIVE, [
    command(archivePhaseCommand, async () => (await import('./commands/archive.js')).phase),
    command(archiveListCommand, async () => (await import('./commands/archive.js')).list),
    command(archiveRestoreCommand, async () => (await import('./commands/archive.js')).restore),
    command(archiveAutoCommand, async () => (await import('./commands/archive.js')).auto),
  ]),
  group(SETUP, [
    command(setupGdriveCommand, async () => (await import('./commands/setup.js')).gdrive),
    command(setupS3Command, async () => (await import('./commands/setup.js')).s3),
  ]),
  command(chartCommand, async () => (await import('./commands/chart.js')).run),
  command(reviewCommand, async () => (await import('./commands/review.js')).run),
];
