import { existsSync, readFileSync, statSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { describeSystemError, isSatError, SatError } from '../errors.js';
import { type PriceTable, withPriceOverrides } from '../pricing/prices.js';
import { describeValue, schemaErrors } from '../schema-errors.js';
import {
  CONFIG_FILE_NAME,
  type ConfigFile,
  ConfigFileSchema,
  DEFAULT_ALERTS,
  DEFAULT_GDRIVE_FOLDER,
  DEFAULT_HANDOFF,
  DEFAULT_KEEP_PHASES,
  DEFAULT_KEEP_SESSIONS,
  DEFAULT_MONGO_DATABASE,
  DEFAULT_SNAPSHOTS,
  DEFAULT_WRITER,
  type Identity,
  type S3Settings,
  type SatConfig,
  type SatPaths,
  STATUSLINE_SEGMENTS,
  type StoreSettings,
  type WriterSettings,
} from './config-schema.js';
import { redactSettings } from './redact-config.js';

/** Options of {@link loadConfig}; each wins over the environment and the config file. */
export interface LoadConfigOptions {
  /** Where to start looking for the project. Default `process.cwd()`. */
  cwd?: string;
  /** The environment to read. Default `process.env`. */
  env?: Record<string, string | undefined>;
  /** The data root; wins over `SAT_HOME`. */
  root?: string;
  /** A config file to read instead of `<root>/sat.config.json`; wins over `SAT_CONFIG`. */
  configFile?: string;
  /** Values that win over everything else. */
  overrides?: ConfigFile;
}

/** Environment variables read by {@link loadConfig}, and the key each sets. */
export const CONFIG_ENV: Readonly<Record<string, { key: string; kind: EnvKind }>> = {
  SAT_LOGS_DIR: { key: 'paths.logs', kind: 'path' },
  SAT_STATE_DIR: { key: 'paths.state', kind: 'path' },
  SAT_ANALYTICS_DIR: { key: 'paths.analytics', kind: 'path' },
  SAT_HANDOFFS_DIR: { key: 'paths.handoffs', kind: 'path' },
  SAT_CREDENTIALS_DIR: { key: 'paths.credentials', kind: 'path' },
  SAT_KEEP_SESSIONS: { key: 'retention.keepSessions', kind: 'int' },
  SAT_TRANSCRIPT_ROOTS: { key: 'capture.transcriptRoots', kind: 'paths' },
  SAT_FLUSH_INTERVAL_MS: { key: 'writer.flushIntervalMs', kind: 'int' },
  SAT_LOCK_TIMEOUT_MS: { key: 'writer.lockTimeoutMs', kind: 'int' },
  SAT_FSYNC: { key: 'writer.fsync', kind: 'bool' },
  SAT_BACKUP_DIR: { key: 'backup.dir', kind: 'path' },
  SAT_BACKUP_TARGET: { key: 'backup.target', kind: 'string' },
  SAT_BACKUP_AUTO: { key: 'backup.auto', kind: 'auto' },
  SAT_LOCAL_ONLY: { key: 'privacy.localOnly', kind: 'bool' },
  SAT_ALERTS: { key: 'alerts.enabled', kind: 'bool' },
  SAT_GDRIVE_FOLDER: { key: 'backup.gdrive.folder', kind: 'string' },
  SAT_KEEP_PHASES: { key: 'archive.keepPhases', kind: 'int' },
  SAT_S3_BUCKET: { key: 'archive.s3.bucket', kind: 'string' },
  SAT_S3_PREFIX: { key: 'archive.s3.prefix', kind: 'string' },
  SAT_S3_REGION: { key: 'archive.s3.region', kind: 'string' },
  SAT_S3_ENDPOINT: { key: 'archive.s3.endpoint', kind: 'string' },
  SAT_S3_STORAGE_CLASS: { key: 'archive.s3.storageClass', kind: 'string' },
  SAT_STORE: { key: 'store.kind', kind: 'string' },
  SAT_MONGO_URL: { key: 'store.mongo.url', kind: 'string' },
  SAT_MONGO_DATABASE: { key: 'store.mongo.database', kind: 'string' },
  SAT_MACHINE: { key: 'identity.machine', kind: 'string' },
  SAT_USER: { key: 'identity.user', kind: 'string' },
  SAT_REDACT: { key: 'redact.enabled', kind: 'bool' },
  SAT_REDACT_PII: { key: 'redact.pii', kind: 'bool' },
};

type EnvKind = 'path' | 'paths' | 'int' | 'bool' | 'auto' | 'string';

const checkFile = TypeCompiler.Compile(ConfigFileSchema);

/** The project a folder belongs to: `CLAUDE_PROJECT_DIR`, else the nearest folder with `.git`, else `cwd`. */
export function findProjectDir(cwd: string, env: Record<string, string | undefined> = process.env): string {
  if (env.CLAUDE_PROJECT_DIR) return resolve(env.CLAUDE_PROJECT_DIR);
  let dir = resolve(cwd);
  for (;;) {
    if (existsSync(join(dir, '.git'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return resolve(cwd);
    dir = parent;
  }
}

function readConfigFile(file: string): ConfigFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new SatError(
      'INVALID_CONFIG',
      `[core] cannot read config file ${file}: ${describeSystemError(error)}`,
      {
        cause: error,
        details: { file },
      },
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new SatError(
      'INVALID_CONFIG',
      `[core] config file ${file} is not valid JSON: ${(error as Error).message} (fix the file, or delete it to use the defaults)`,
      { cause: error, details: { file } },
    );
  }
  assertConfigShape(parsed, `config file ${file}`);
  return parsed as ConfigFile;
}

function assertConfigShape(value: unknown, where: string): void {
  if (checkFile.Check(value)) return;
  const reasons = schemaErrors(checkFile, value);
  throw new SatError(
    'INVALID_CONFIG',
    `[core] invalid ${where}: ${reasons.join('; ')} (see 'Configuration' in the README for the allowed keys)`,
    { details: { where, reasons } },
  );
}

function parseEnvValue(name: string, raw: string, kind: EnvKind): string | string[] | number | boolean {
  if (kind === 'string') return raw.trim();
  if (kind === 'paths') {
    const paths = raw
      .split(delimiter)
      .map((path) => path.trim())
      .filter(Boolean);
    if (paths.length === 0) throw envError(name, raw, `folder paths separated by '${delimiter}'`);
    return paths;
  }
  if (kind === 'path') {
    if (raw.trim() === '') throw envError(name, raw, 'a folder path');
    return raw;
  }
  if (kind === 'auto' && raw.trim().toLowerCase() === 'local') return 'local';
  if (kind === 'bool' || kind === 'auto') {
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off)$/i.test(raw)) return false;
    throw envError(name, raw, kind === 'auto' ? 'true, false or local' : 'true or false');
  }
  if (!/^\d+$/.test(raw.trim())) throw envError(name, raw, 'a whole number');
  return Number(raw.trim());
}

function envError(name: string, raw: string, expected: string): SatError {
  return new SatError(
    'INVALID_CONFIG',
    `[core] invalid environment variable ${name}=${describeValue(raw)}: expected ${expected}`,
    {
      details: { env: name },
    },
  );
}

function setKey(target: Record<string, unknown>, key: string, value: unknown): void {
  const parts = key.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    node[part] ??= {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]!] = value;
}

function layer(base: ConfigFile, top: ConfigFile): ConfigFile {
  return {
    paths: { ...base.paths, ...top.paths },
    retention: { ...base.retention, ...top.retention },
    capture: { ...base.capture, ...top.capture },
    writer: { ...base.writer, ...top.writer },
    prices: { ...base.prices, ...top.prices },
    snapshots: { ...base.snapshots, ...top.snapshots },
    handoff: { ...base.handoff, ...top.handoff },
    alerts: { ...base.alerts, ...top.alerts },
    statusline: { ...base.statusline, ...top.statusline },
    backup: {
      ...base.backup,
      ...top.backup,
      gdrive: { ...base.backup?.gdrive, ...top.backup?.gdrive },
    },
    archive: {
      ...base.archive,
      ...top.archive,
      s3: { ...base.archive?.s3, ...top.archive?.s3 },
    },
    identity: { ...base.identity, ...top.identity },
    store: { ...base.store, ...top.store, mongo: { ...base.store?.mongo, ...top.store?.mongo } },
    redact: { ...base.redact, ...top.redact },
    privacy: { ...base.privacy, ...top.privacy },
  };
}

function definedOnly<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function osUser(): string {
  try {
    return userInfo().username || 'unknown';
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
}

function identitySettings(identity: ConfigFile['identity'], store: ConfigFile['store']): Identity {
  return {
    user: identity?.user ?? store?.mongo?.user ?? osUser(),
    machine: identity?.machine ?? store?.mongo?.machine ?? (hostname() || 'unknown'),
  };
}

function storeSettings(store: ConfigFile['store'], identity: Identity): StoreSettings {
  const mongo = store?.mongo;
  return {
    kind: store?.kind ?? 'sqlite',
    mongo: {
      ...(mongo?.url !== undefined && { url: mongo.url }),
      database: mongo?.database ?? DEFAULT_MONGO_DATABASE,
      machine: mongo?.machine ?? identity.machine,
      user: mongo?.user ?? identity.user,
      ...(mongo?.ttlDays !== undefined && { ttlDays: mongo.ttlDays }),
    },
  };
}

function s3Settings(s3: NonNullable<ConfigFile['archive']>['s3']): S3Settings | undefined {
  if (!s3?.bucket) return undefined;
  return {
    bucket: s3.bucket,
    prefix: s3.prefix ?? '',
    region: s3.region,
    endpoint: s3.endpoint,
    forcePathStyle: s3.forcePathStyle ?? s3.endpoint !== undefined,
    storageClass: s3.storageClass ?? 'GLACIER',
    transitionDays: s3.transitionDays ?? 0,
  };
}

function priceTable(overrides: ConfigFile['prices'], where: string): PriceTable {
  try {
    return withPriceOverrides(overrides ?? {});
  } catch (error) {
    if (!isSatError(error)) throw error;
    throw new SatError('INVALID_CONFIG', `${error.message} (in ${where}: the "prices" key)`, {
      cause: error,
      details: error.details,
    });
  }
}

function recordSources(sources: Record<string, string>, config: ConfigFile, source: string): void {
  for (const [group, values] of Object.entries(config)) {
    if (group === '$schema' || typeof values !== 'object' || values === null) continue;
    for (const key of Object.keys(values)) sources[`${group}.${key}`] = source;
  }
}

/** The data root: `options.root`, else `SAT_HOME`, else `<project>/.claude`; must be a folder if it exists. */
function resolveRoot(
  options: LoadConfigOptions,
  env: Record<string, string | undefined>,
  cwd: string,
  projectDir: string,
  sources: Record<string, string>,
): string {
  let root: string;
  if (options.root) {
    root = resolve(cwd, options.root);
    sources.root = 'option';
  } else if (env.SAT_HOME) {
    root = resolve(cwd, env.SAT_HOME);
    sources.root = 'env:SAT_HOME';
  } else {
    root = join(projectDir, '.claude');
    sources.root = 'default';
  }
  if (existsSync(root) && !statSync(root).isDirectory()) {
    throw new SatError(
      'INVALID_CONFIG',
      `[core] data root ${root} exists but is not a folder (set SAT_HOME to a folder)`,
      {
        details: { root },
      },
    );
  }

  return root;
}

/** The `SAT_*` environment variables as a config layer (checked). */
function envLayer(env: Record<string, string | undefined>, sources: Record<string, string>): ConfigFile {
  const fromEnv: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(CONFIG_ENV)) {
    const raw = env[name];
    if (raw === undefined) continue;
    setKey(fromEnv, spec.key, parseEnvValue(name, raw, spec.kind));
    sources[spec.key] = `env:${name}`;
  }
  assertConfigShape(fromEnv, 'environment variables');
  return fromEnv as ConfigFile;
}

/**
 * Resolves the configuration. Precedence, lowest first: built-in defaults, the config file
 * (`SAT_CONFIG`, else `<root>/sat.config.json`), environment variables (`SAT_*`), then
 * `options`. Works with no config at all. Throws `INVALID_CONFIG` naming the key, the value
 * and what is allowed.
 *
 * @example
 * const config = loadConfig({ root: '/tmp/sat' });
 * config.paths.logs; // '/tmp/sat/logs'
 */
export function loadConfig(options: LoadConfigOptions = {}): SatConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const projectDir = findProjectDir(cwd, env);
  const sources: Record<string, string> = {};

  const root = resolveRoot(options, env, cwd, projectDir, sources);

  const explicitFile = options.configFile ?? env.SAT_CONFIG;
  const configFile = explicitFile ? resolve(cwd, explicitFile) : join(root, CONFIG_FILE_NAME);
  let fromFile: ConfigFile = {};
  if (existsSync(configFile)) fromFile = readConfigFile(configFile);
  else if (explicitFile) {
    throw new SatError(
      'INVALID_CONFIG',
      `[core] config file ${configFile} does not exist (check SAT_CONFIG or --config)`,
      {
        details: { file: configFile },
      },
    );
  }
  recordSources(sources, fromFile, 'file');

  const fromEnv = envLayer(env, sources);

  const overrides = options.overrides ?? {};
  if (options.overrides) {
    assertConfigShape(overrides, 'options');
    recordSources(sources, overrides, 'option');
  }

  const merged = layer(layer(fromFile, fromEnv), overrides);
  const folder = (name: keyof SatPaths): string => {
    const value = merged.paths?.[name];
    sources[`paths.${name}`] ??= 'default';
    if (!value) return join(root, name);
    return isAbsolute(value) ? value : resolve(root, value);
  };
  const writer: WriterSettings = { ...DEFAULT_WRITER };
  const identity = identitySettings(merged.identity, merged.store);
  for (const [key, value] of Object.entries(merged.writer ?? {})) {
    if (value !== undefined) (writer as unknown as Record<string, unknown>)[key] = value;
  }

  return {
    projectDir,
    root,
    paths: {
      logs: folder('logs'),
      state: folder('state'),
      analytics: folder('analytics'),
      handoffs: folder('handoffs'),
      credentials: folder('credentials'),
    },
    retention: { keepSessions: merged.retention?.keepSessions ?? DEFAULT_KEEP_SESSIONS },
    capture: {
      transcriptRoots: (merged.capture?.transcriptRoots ?? []).map((path) => resolve(root, path)),
    },
    writer,
    prices: priceTable(merged.prices, options.overrides?.prices ? 'options' : `config file ${configFile}`),
    snapshots: {
      everyAgentInvocations:
        merged.snapshots?.everyAgentInvocations ?? DEFAULT_SNAPSHOTS.everyAgentInvocations,
      everyTokens: merged.snapshots?.everyTokens ?? DEFAULT_SNAPSHOTS.everyTokens,
    },
    handoff: {
      maxTokens: merged.handoff?.maxTokens ?? DEFAULT_HANDOFF.maxTokens,
      contextFillPercent: merged.handoff?.contextFillPercent ?? DEFAULT_HANDOFF.contextFillPercent,
    },
    alerts: { ...DEFAULT_ALERTS, ...definedOnly(merged.alerts ?? {}) },
    statusline: { segments: merged.statusline?.segments ?? [...STATUSLINE_SEGMENTS] },
    backup: {
      target: merged.backup?.target ?? 'local',
      dir: merged.backup?.dir ? resolve(root, merged.backup.dir) : join(root, 'backups'),
      auto: merged.backup?.auto ?? true,
      ...(merged.backup?.restoreMaxBytes !== undefined && { restoreMaxBytes: merged.backup.restoreMaxBytes }),
      gdrive: { folder: merged.backup?.gdrive?.folder ?? DEFAULT_GDRIVE_FOLDER },
    },
    identity,
    store: storeSettings(merged.store, identity),
    archive: {
      keepPhases: merged.archive?.keepPhases ?? DEFAULT_KEEP_PHASES,
      s3: s3Settings(merged.archive?.s3),
    },
    redact: redactSettings(
      merged.redact,
      options.overrides?.redact ? 'options' : `config file ${configFile}`,
    ),
    privacy: { localOnly: merged.privacy?.localOnly ?? false },
    configFile: existsSync(configFile) ? configFile : undefined,
    sources,
  };
}
