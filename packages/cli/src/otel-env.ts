import { SatError } from '@sat/core';
import type { ClaudeSettings } from './settings-merge.js';

/** The port `sat serve` listens on by default, and so the one `sat init --otel` points Claude Code at. */
export const DEFAULT_OTEL_PORT = 8000;

/**
 * The `env` keys `sat init --otel` writes that have one fixed value. The logs interval is 1 s
 * (Claude Code's default is 5 s) so tool results and API requests reach `sat serve` quickly;
 * metrics keep their 60 s default, since sat does not write metrics to the log.
 */
export const OTEL_FIXED_ENV = {
  CLAUDE_CODE_ENABLE_TELEMETRY: '1',
  OTEL_LOGS_EXPORTER: 'otlp',
  OTEL_METRICS_EXPORTER: 'otlp',
  OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
  OTEL_LOGS_EXPORT_INTERVAL: '1000',
} as const;

/** The key of the endpoint (`http://127.0.0.1:<port>`). */
export const OTEL_ENDPOINT_KEY = 'OTEL_EXPORTER_OTLP_ENDPOINT';
/** The key of the token header written with `--token` (`Authorization=Bearer <token>`). */
export const OTEL_HEADERS_KEY = 'OTEL_EXPORTER_OTLP_HEADERS';

/** Claude Code's switches that add content to the export; sat never sets them (see docs/otel.md). */
export const OTEL_CONTENT_SWITCHES = ['OTEL_LOG_USER_PROMPTS', 'OTEL_LOG_TOOL_DETAILS'] as const;

const LOOPBACK_ENDPOINT = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\]):\d{1,5}\/?$/;
const BEARER_HEADER = /^Authorization=Bearer \S+$/;

/** Where the export goes and with which token. */
export interface OtelEnvTarget {
  /** `sat serve`'s port on 127.0.0.1. Default {@link DEFAULT_OTEL_PORT}. */
  port?: number;
  /** `sat serve --token`: sent as `Authorization=Bearer <token>`. */
  token?: string;
}

/**
 * The `env` block `sat init --otel` writes: the fixed keys, the endpoint and, with a token, the header.
 *
 * @example
 * otelEnv({ port: 9000 }).OTEL_EXPORTER_OTLP_ENDPOINT; // 'http://127.0.0.1:9000'
 */
export function otelEnv(target: OtelEnvTarget = {}): Record<string, string> {
  const env: Record<string, string> = {
    ...OTEL_FIXED_ENV,
    [OTEL_ENDPOINT_KEY]: `http://127.0.0.1:${target.port ?? DEFAULT_OTEL_PORT}`,
  };
  if (target.token !== undefined) env[OTEL_HEADERS_KEY] = `Authorization=Bearer ${target.token}`;
  return env;
}

/** A key of `env` that already held another value. */
export interface OtelEnvConflict {
  key: string;
  /** What the file held (the token of a header is masked). */
  value: string;
  /** What sat would write (masked the same way). */
  wanted: string;
  /** True with `force`: sat's value replaced it. */
  replaced: boolean;
}

/** What {@link installOtelEnv} did. */
export interface OtelEnvInstallResult {
  /** The settings with the keys set (a new object; the input is not changed). */
  settings: ClaudeSettings;
  added: string[];
  alreadyPresent: string[];
  conflicts: OtelEnvConflict[];
}

function envOf(settings: ClaudeSettings): Record<string, unknown> {
  const env = settings.env;
  return typeof env === 'object' && env !== null && !Array.isArray(env)
    ? (env as Record<string, unknown>)
    : {};
}

/**
 * `Authorization=Bearer ab…` for a header value (the token cut to 2 characters), the value itself
 * for any other key.
 *
 * @example
 * maskEnvValue('OTEL_EXPORTER_OTLP_HEADERS', 'Authorization=Bearer secret'); // 'Authorization=Bearer se…'
 */
export function maskEnvValue(key: string, value: string): string {
  if (key !== OTEL_HEADERS_KEY) return value;
  return value.replace(/(Bearer )(\S{0,2})\S*/, (_, bearer: string, head: string) => `${bearer}${head}…`);
}

/**
 * Sets the keys of {@link otelEnv} in `settings.env`, keeping every other key and its order. A key
 * that already holds sat's value is left; one that holds another value is kept and reported in
 * `conflicts`, unless `force` (then replaced). Throws `INVALID_CONFIG` (naming `file`) when `env`
 * is not an object.
 *
 * @example
 * const { settings, added } = installOtelEnv(readSettings(file) ?? {}, { port: 8000 });
 */
export function installOtelEnv(
  settings: ClaudeSettings,
  target: OtelEnvTarget = {},
  options: { force?: boolean; file?: string } = {},
): OtelEnvInstallResult {
  if (settings.env !== undefined && envOf(settings) !== settings.env)
    throw new SatError(
      'INVALID_CONFIG',
      `[cli] "env" of ${options.file ?? 'the settings file'} must be an object of variables, not ${JSON.stringify(settings.env)}; the file was left untouched (fix it, then run 'sat init --otel' again)`,
      options.file ? { details: { file: options.file } } : {},
    );
  const env: Record<string, unknown> = { ...envOf(settings) };
  const result: Omit<OtelEnvInstallResult, 'settings'> = { added: [], alreadyPresent: [], conflicts: [] };
  for (const [key, wanted] of Object.entries(otelEnv(target))) {
    const current = env[key];
    if (current === undefined) {
      env[key] = wanted;
      result.added.push(key);
    } else if (current === wanted) result.alreadyPresent.push(key);
    else {
      const replaced = options.force === true;
      if (replaced) env[key] = wanted;
      result.conflicts.push({
        key,
        value: maskEnvValue(key, String(current)),
        wanted: maskEnvValue(key, wanted),
        replaced,
      });
    }
  }
  return { settings: { ...settings, env }, ...result };
}

/**
 * True when `env[key]` holds a value `sat init --otel` writes: the fixed value, an endpoint on the
 * loopback interface, or a bearer header next to such an endpoint.
 */
function isOurs(env: Record<string, unknown>, key: string): boolean {
  const value = env[key];
  if (typeof value !== 'string') return false;
  if (key in OTEL_FIXED_ENV) return OTEL_FIXED_ENV[key as keyof typeof OTEL_FIXED_ENV] === value;
  if (key === OTEL_ENDPOINT_KEY) return LOOPBACK_ENDPOINT.test(value);
  if (key === OTEL_HEADERS_KEY) return BEARER_HEADER.test(value) && isOurs(env, OTEL_ENDPOINT_KEY);
  return false;
}

/**
 * Removes from `settings.env` the keys `sat init --otel` writes that still hold its values; a key
 * with another value (set by someone else) stays, and so does every other key. `env` itself is
 * removed when nothing else is left in it.
 *
 * @example
 * const { settings, removed } = uninstallOtelEnv(readSettings(file) ?? {});
 */
export function uninstallOtelEnv(settings: ClaudeSettings): {
  settings: ClaudeSettings;
  removed: string[];
  kept: string[];
} {
  const env = envOf(settings);
  const keys = [...Object.keys(OTEL_FIXED_ENV), OTEL_ENDPOINT_KEY, OTEL_HEADERS_KEY];
  const removed = keys.filter((key) => isOurs(env, key));
  const kept = keys.filter((key) => env[key] !== undefined && !removed.includes(key));
  if (removed.length === 0) return { settings, removed, kept };
  const rest = Object.fromEntries(Object.entries(env).filter(([key]) => !removed.includes(key)));
  const { env: _env, ...others } = settings;
  const out: ClaudeSettings = Object.keys(rest).length > 0 ? { ...settings, env: rest } : others;
  return { settings: out, removed, kept };
}

/** How a settings file's `env` exports to sat, for `sat doctor`. */
export interface OtelEnvStatus {
  /** `on`: every key set to sat's values; `partial`: telemetry on but some key missing or different; `off`: telemetry not enabled. */
  state: 'on' | 'partial' | 'off';
  endpoint?: string;
  /** Keys of {@link otelEnv} missing or holding another value (for `partial`). */
  differing: string[];
  /** Content switches that are on (prompts or tool details exported). */
  contentSwitches: string[];
}

/**
 * Reads how `settings.env` exports Claude Code's telemetry.
 *
 * @example
 * otelEnvStatus({ env: otelEnv() }).state; // 'on'
 */
export function otelEnvStatus(settings: ClaudeSettings): OtelEnvStatus {
  const env = envOf(settings);
  const contentSwitches = OTEL_CONTENT_SWITCHES.filter((key) => env[key] !== undefined && env[key] !== '0');
  const differing = [...Object.keys(OTEL_FIXED_ENV), OTEL_ENDPOINT_KEY].filter((key) => !isOurs(env, key));
  const status: OtelEnvStatus = {
    state: env.CLAUDE_CODE_ENABLE_TELEMETRY === undefined ? 'off' : differing.length === 0 ? 'on' : 'partial',
    differing,
    contentSwitches,
  };
  if (typeof env[OTEL_ENDPOINT_KEY] === 'string') status.endpoint = env[OTEL_ENDPOINT_KEY];
  return status;
}
