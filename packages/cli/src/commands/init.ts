import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import {
  captureScriptPath,
  currentSatCommand,
  type SatConfig,
  type SatPaths,
  sessionSummaryDir,
  spoolDir,
  writeCaptureScript,
} from '@sat/core';
import type { HandlerOf, OptionsOf } from '../command-spec.js';
import { updateConfigFile } from '../config-file.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { PROJECT_SCRIPT_EXPRESSION, quoteScriptPath } from '../hook-catalogue.js';
import { otelStep, otelTarget, removeOtel } from '../init-otel.js';
import { installOtelEnv } from '../otel-env.js';
import { printJson } from '../output.js';
import type { initCommand } from '../registry.js';
import { readSettings, type SettingsScope, settingsFilePath, writeSettings } from '../settings-file.js';
import {
  type ClaudeSettings,
  installHooks,
  installStatusline,
  type StatuslineInstallResult,
  uninstallHooks,
  uninstallStatusline,
} from '../settings-merge.js';

/** Lines `sat init` keeps in `<data root>/.gitignore`: raw logs, state and credentials are never committed. */
export const GITIGNORE_BLOCK_START =
  '# >>> sat (SubAgent Tracking System): never commit raw logs or credentials';
export const GITIGNORE_BLOCK_END = '# <<< sat';

/** Options of `sat init`. */
export type InitOptions = OptionsOf<typeof initCommand>;

/** What `sat init` did to the Claude Code settings file, event by event. */
export interface HooksResult {
  added: string[];
  updated: string[];
  alreadyPresent: string[];
  removed: string[];
}

/** The folders under the data root that hold sat's data: every configured path and the local backup folder. */
export function dataFolders(config: Pick<SatConfig, 'paths' | 'backup'>): string[] {
  return [...Object.values(config.paths), config.backup.dir];
}

function gitignoreBlock(root: string, folders: readonly string[]): string {
  const lines = [...new Set(folders)]
    .map((dir) => relative(root, dir))
    .filter((rel) => rel && !rel.startsWith('..'))
    .map((rel) => `/${rel.split('\\').join('/')}/`);
  lines.push('/sat/', '/sat.config.local.json');
  return `${GITIGNORE_BLOCK_START}\n${lines.join('\n')}\n${GITIGNORE_BLOCK_END}\n`;
}

/**
 * The script expression our hooks run: `"$CLAUDE_PROJECT_DIR/.claude/sat/capture.sh"` for a
 * project-level install with the default data root (works for every clone), else the quoted
 * absolute path of `<data root>/sat/capture.sh`.
 */
function scriptExpression(config: SatConfig, scope: SettingsScope): string {
  const defaultRoot = resolve(config.root) === resolve(config.projectDir, '.claude');
  if (scope !== 'user' && defaultRoot) return PROJECT_SCRIPT_EXPRESSION;
  return quoteScriptPath(captureScriptPath(config.root));
}

function createFolders(config: SatConfig) {
  const created: string[] = [];
  const present: string[] = [];
  mkdirSync(config.root, { recursive: true, mode: 0o700 });
  for (const dir of Object.values(config.paths)) {
    if (existsSync(dir)) present.push(dir);
    else {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      created.push(dir);
    }
  }
  chmodSync(config.paths.credentials, 0o700);
  // Where ingest keeps the per-session summaries `sat statusline` reads (and its lock and log).
  mkdirSync(sessionSummaryDir(config.root), { recursive: true, mode: 0o700 });

  const ignoreFile = join(config.root, '.gitignore');
  const block = gitignoreBlock(config.root, dataFolders(config));
  const before = existsSync(ignoreFile) ? readFileSync(ignoreFile, 'utf8') : '';
  let after: string;
  const start = before.indexOf(GITIGNORE_BLOCK_START);
  const end = before.indexOf(GITIGNORE_BLOCK_END);
  if (start !== -1 && end > start)
    after = before.slice(0, start) + block + before.slice(end + GITIGNORE_BLOCK_END.length + 1);
  else after = before + (before && !before.endsWith('\n') ? '\n' : '') + block;
  const gitignoreChanged = after !== before;
  if (gitignoreChanged) writeFileSync(ignoreFile, after, { mode: 0o600 });

  const outside = (Object.keys(config.paths) as (keyof SatPaths)[]).filter((name) =>
    relative(config.root, config.paths[name]).startsWith('..'),
  );
  return {
    root: config.root,
    created,
    present,
    gitignore: ignoreFile,
    gitignoreChanged,
    outsideRoot: outside.map((n) => config.paths[n]),
  };
}

function printHooks(ctx: CliContext, file: string, hooks: HooksResult, uninstall: boolean): void {
  if (uninstall) {
    ctx.print(
      hooks.removed.length > 0
        ? `hooks: removed ${hooks.removed.length} sat hook(s) from ${file}`
        : `hooks: no sat hooks in ${file}, nothing removed`,
    );
    return;
  }
  const parts: string[] = [];
  if (hooks.added.length > 0) parts.push(`added ${hooks.added.length}`);
  if (hooks.updated.length > 0) parts.push(`updated ${hooks.updated.length}`);
  if (hooks.alreadyPresent.length > 0)
    parts.push(
      hooks.added.length + hooks.updated.length === 0
        ? `all ${hooks.alreadyPresent.length} already present`
        : `${hooks.alreadyPresent.length} already present`,
    );
  ctx.print(`hooks: ${parts.join(', ')} in ${file}`);
}

/** The command our `statusLine` runs: this `sat`, with the data root when it is not the default. */
function statuslineCommand(config: SatConfig): string {
  const sat = currentSatCommand() ?? 'sat';
  const defaultRoot = resolve(config.root) === resolve(config.projectDir, '.claude');
  return defaultRoot ? sat : `SAT_HOME=${quoteScriptPath(config.root)} ${sat}`;
}

/** Removes our `statusLine` and `subagentStatusLine` from `file` (someone else's stay). */
function removeStatusline(ctx: CliContext, file: string, quiet: boolean) {
  const current = readSettings(file);
  const { settings, removed } = uninstallStatusline(current ?? {});
  const changed = current !== undefined && removed.length > 0 && writeSettings(file, settings);
  if (!quiet)
    ctx.print(
      removed.length > 0
        ? `statusline: removed ${removed.join(', ')} from ${file}`
        : `statusline: no sat statusline in ${file}, nothing removed`,
    );
  return { removed, changed };
}

/** Sets our `statusLine` and `subagentStatusLine` in `file`, saying when another one is kept or replaced. */
function statuslineStep(ctx: CliContext, config: SatConfig, file: string, options: InitOptions) {
  const current = readSettings(file);
  const done: StatuslineInstallResult = installStatusline(current ?? {}, statuslineCommand(config), {
    force: options.force === true,
  });
  const changed =
    done.added.length + done.updated.length + done.foreign.filter((f) => f.replaced).length > 0 &&
    writeSettings(file, done.settings);
  if (!options.json) {
    const set = [...done.added, ...done.updated];
    ctx.print(
      set.length > 0
        ? `statusline: set ${set.join(', ')} in ${file}`
        : done.alreadyPresent.length > 0
          ? `statusline: already set in ${file}`
          : `statusline: not set in ${file}`,
    );
    for (const f of done.foreign)
      ctx.note(
        f.replaced
          ? `note: ${f.key} ran ${f.command}; replaced by sat's (--force)`
          : `note: ${f.key} already runs ${f.command}: left as it is ('sat init --statusline --force' replaces it)`,
      );
  }
  const { settings: _settings, ...report } = done;
  return { ...report, changed };
}

/** `sat init --local-only`: `privacy.localOnly: true` in the config file; returns the file. */
function enableLocalOnly(config: SatConfig): string {
  return updateConfigFile(config, (file) => ({ ...file, privacy: { ...file.privacy, localOnly: true } }));
}

/**
 * `sat init --uninstall`: removes our hooks, statusline and telemetry variables from `file`; with
 * `--statusline` or `--otel`, only those.
 */
function uninstall(ctx: CliContext, file: string, options: InitOptions): number {
  const only = options.statusline || options.otel;
  const quiet = options.json === true;
  const statusline = !only || options.statusline ? removeStatusline(ctx, file, quiet || !only) : null;
  const otel = !only || options.otel ? removeOtel(ctx, file, quiet || !only) : null;
  if (only) {
    if (options.json) printJson(ctx, { uninstall: true, settingsFile: file, statusline, otel });
    return 0;
  }
  const current = readSettings(file);
  const { settings, removed } = uninstallHooks(current ?? {});
  const settingsChanged = current !== undefined && removed.length > 0 && writeSettings(file, settings);
  const hooks: HooksResult = { added: [], updated: [], alreadyPresent: [], removed };
  if (options.json)
    printJson(ctx, { uninstall: true, settingsFile: file, settingsChanged, hooks, statusline, otel });
  else printHooks(ctx, file, hooks, true);
  if (!options.json && statusline && statusline.removed.length > 0)
    ctx.print(`statusline: removed ${statusline.removed.join(', ')} from ${file}`);
  if (!options.json && otel && otel.removed.length > 0)
    ctx.print(`otel: removed ${otel.removed.join(', ')} from ${file}`);
  return 0;
}

/**
 * Creates the data folders (mode 0700) and the git-ignore entries (every data folder, `backups/` too), then installs the
 * Claude Code capture hooks into the project's `.claude/settings.json` (`--local`:
 * `settings.local.json`; `--user`: `~/.claude/settings.json`; `--no-hooks`: none). With
 * `--uninstall`, only removes our hooks from that file. `--statusline` also sets Claude Code's
 * statusline, `--otel` its telemetry variables (`env`, exporting to `sat serve`). Running it again changes nothing. A
 * settings file that is not valid JSON is left untouched and reported (exit 1).
 */
export const run: HandlerOf<typeof initCommand> = async (ctx, _args, options) => {
  if (options.local && options.user)
    throw new UsageError('--local and --user name different settings files: use one of them');
  if (options.uninstall && options.hooks === false)
    throw new UsageError('--uninstall removes hooks, --no-hooks skips them: use one of them');
  if ((options.port !== undefined || options.token !== undefined) && !options.otel)
    throw new UsageError('--port and --token say where --otel exports to: add --otel');
  const config = ctx.config();
  const scope: SettingsScope = options.user ? 'user' : options.local ? 'local' : 'project';
  const file = settingsFilePath(scope, config.projectDir);

  if (options.uninstall) return uninstall(ctx, file, options);
  const target = options.otel ? otelTarget(options, scope) : undefined;
  // A settings file whose `env` sat cannot change stops `sat init` before anything is written.
  if (target) installOtelEnv(readSettings(file) ?? {}, target, { file });

  // Read the settings before touching anything, so a broken file stops `sat init` early.
  let plan: { settings: ClaudeSettings; hooks: HooksResult } | undefined;
  if (options.hooks !== false) {
    const installed = installHooks(readSettings(file) ?? {}, scriptExpression(config, scope));
    plan = {
      settings: installed.settings,
      hooks: {
        added: installed.added,
        updated: installed.updated,
        alreadyPresent: installed.alreadyPresent,
        removed: [],
      },
    };
  }

  const folders = createFolders(config);
  // The script the hooks run: it stores each payload in the spool and, at turn and session
  // boundaries, starts this same `sat` in the background to ingest them.
  const capture = plan
    ? writeCaptureScript(config.root, {
        spoolDir: spoolDir(config.paths.logs),
        satCommand: currentSatCommand(),
      })
    : undefined;
  const changes = plan ? plan.hooks.added.length + plan.hooks.updated.length : 0;
  const settingsChanged = plan !== undefined && changes > 0 && writeSettings(file, plan.settings);
  const statusline = options.statusline ? statuslineStep(ctx, config, file, options) : null;
  const otel = target ? otelStep(ctx, file, target, options) : null;
  const localOnly = options.localOnly ? { configFile: enableLocalOnly(config) } : null;
  const result = {
    localOnly,
    statusline,
    otel,
    ...folders,
    settingsFile: plan ? file : null,
    settingsChanged,
    hooks: plan ? plan.hooks : null,
    captureScript: capture ?? null,
  };
  if (options.json) {
    printJson(ctx, result);
    return 0;
  }
  ctx.print(`data root ${config.root}`);
  for (const dir of folders.created) ctx.print(`  created ${dir}`);
  if (folders.created.length === 0) ctx.print('  all folders were already there');
  ctx.print(
    folders.gitignoreChanged
      ? `  git-ignore entries written to ${folders.gitignore}`
      : '  git-ignore entries already present',
  );
  if (plan) printHooks(ctx, file, plan.hooks, false);
  if (capture) ctx.print(`  capture script ${capture.path}${capture.changed ? ' written' : ' up to date'}`);
  else ctx.print('hooks: not installed (--no-hooks)');
  if (localOnly)
    ctx.print(
      `local-only mode on (privacy.localOnly in ${localOnly.configFile}): no cloud target is contacted`,
    );
  for (const dir of folders.outsideRoot)
    ctx.note(`note: ${dir} is outside the data root: make sure it is not committed`);
  return 0;
};
