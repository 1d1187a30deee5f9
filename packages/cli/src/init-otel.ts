import type { CliContext } from './context.js';
import { UsageError } from './errors.js';
import {
  DEFAULT_OTEL_PORT,
  installOtelEnv,
  type OtelEnvConflict,
  type OtelEnvTarget,
  otelEnv,
  uninstallOtelEnv,
} from './otel-env.js';
import { readSettings, type SettingsScope, writeSettings } from './settings-file.js';

/** What Claude Code sends to `sat serve` once `sat init --otel` set its variables (printed by the command). */
export const OTEL_EXPORTED = [
  'exported: log events claude_code.api_request (model, request id, the four token counts, cost_usd, duration),',
  '  tool_result (tool name, tool_use_id, success, duration, error type), api_error, user_prompt (its length only)',
  '  and the cost, token, session, lines-of-code, commit and active-time counters (summed per session, not logged)',
  'not exported: prompt text (OTEL_LOG_USER_PROMPTS stays off) and tool parameters (OTEL_LOG_TOOL_DETAILS stays off;',
  '  the hooks capture tool input, redacted)',
];

/** What `sat init --otel` did to the settings file's `env`. */
export interface OtelStepResult {
  settingsFile: string;
  changed: boolean;
  endpoint: string;
  added: string[];
  alreadyPresent: string[];
  conflicts: OtelEnvConflict[];
}

/**
 * `--port` of `sat init --otel`: a port from 1 to 65535, default 8000 (as `sat serve`).
 *
 * @example
 * parseOtelPort('9000'); // 9000
 */
export function parseOtelPort(text: string | undefined): number {
  if (text === undefined) return DEFAULT_OTEL_PORT;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65_535)
    throw new UsageError(
      `--port must be a whole number from 1 to 65535 (the port of 'sat serve'), got '${text}'`,
    );
  return port;
}

/**
 * The target of `sat init --otel` from its options. A token goes only into a file that is not
 * shared: `settings.json` of the project is usually committed, so `--token` there is refused.
 *
 * @example
 * otelTarget({ port: '9000', token: 't0k' }, 'local'); // { port: 9000, token: 't0k' }
 */
export function otelTarget(options: { port?: string; token?: string }, scope: SettingsScope): OtelEnvTarget {
  const target: OtelEnvTarget = { port: parseOtelPort(options.port) };
  if (options.token === undefined) return target;
  if (!/^[\x21-\x2b\x2d-\x7e]+$/.test(options.token))
    throw new UsageError(
      '--token must be printable characters without spaces or commas (as sat serve --token takes it)',
    );
  if (scope === 'project')
    throw new UsageError(
      "--token would put a secret into .claude/settings.json, which is usually committed: add --local (.claude/settings.local.json, git-ignored) or --user, e.g. 'sat init --otel --local --no-hooks --token ...'",
    );
  return { ...target, token: options.token };
}

/**
 * Sets the telemetry variables in `file` (see `installOtelEnv`) and, unless `json`, prints what
 * Claude Code will export, where, and how to start `sat serve`.
 *
 * @example
 * const { added, conflicts } = otelStep(ctx, '/repo/.claude/settings.json', { port: 8000 }, {});
 */
export function otelStep(
  ctx: CliContext,
  file: string,
  target: OtelEnvTarget,
  options: { force?: boolean; json?: boolean },
): OtelStepResult {
  const done = installOtelEnv(readSettings(file) ?? {}, target, { force: options.force === true, file });
  const replaced = done.conflicts.filter((c) => c.replaced).length;
  const changed = done.added.length + replaced > 0 && writeSettings(file, done.settings);
  const endpoint = otelEnv(target).OTEL_EXPORTER_OTLP_ENDPOINT!;
  const { settings: _settings, ...report } = done;
  const result: OtelStepResult = { settingsFile: file, changed, endpoint, ...report };
  if (options.json) return result;
  const set = done.added.length + replaced;
  ctx.print(
    set > 0
      ? `otel: set ${set} variable(s) in ${file}: Claude Code exports its telemetry to ${endpoint} (OTLP/HTTP JSON)`
      : `otel: already set in ${file} (export to ${endpoint})`,
  );
  for (const c of done.conflicts)
    ctx.note(
      c.replaced
        ? `note: env.${c.key} was '${c.value}'; replaced by '${c.wanted}' (--force)`
        : `note: env.${c.key} is '${c.value}', not '${c.wanted}': left as it is ('sat init --otel --force' replaces it)`,
    );
  for (const line of OTEL_EXPORTED) ctx.print(`  ${line}`);
  const port = target.port ?? DEFAULT_OTEL_PORT;
  ctx.print(
    `  receive it with: sat serve${port === DEFAULT_OTEL_PORT ? '' : ` --port ${port}`}${target.token ? ' --token <the same token>' : ''}`,
  );
  ctx.print(
    '  without sat serve running nothing breaks: Claude Code drops the export and the hooks still capture; new Claude Code sessions pick the variables up',
  );
  return result;
}

/**
 * Removes the telemetry variables sat wrote from `file` (others' values stay) and, unless `quiet`,
 * says so.
 *
 * @example
 * const { removed, kept } = removeOtel(ctx, '/repo/.claude/settings.json', false);
 */
export function removeOtel(ctx: CliContext, file: string, quiet: boolean) {
  const current = readSettings(file);
  const { settings, removed, kept } = uninstallOtelEnv(current ?? {});
  const changed = current !== undefined && removed.length > 0 && writeSettings(file, settings);
  if (!quiet) {
    ctx.print(
      removed.length > 0
        ? `otel: removed ${removed.join(', ')} from ${file}`
        : `otel: no telemetry variables of sat in ${file}, nothing removed`,
    );
    if (kept.length > 0) ctx.note(`note: kept ${kept.join(', ')}: their values are not the ones sat writes`);
  }
  return { removed, kept, changed };
}
