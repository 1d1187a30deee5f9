import { existsSync } from 'node:fs';
import type { SatConfig } from '../config/config-schema.js';
import { SatError } from '../errors.js';
import { eventSchemas } from '../events/validate.js';
import { reopenSessionLog } from '../log/close-session.js';
import { EventWriter } from '../log/event-writer.js';
import { type KnownEvents, loadKnownEvents, promptJoinKey } from '../log/known-ids.js';
import { sessionLogFiles } from '../log/log-files.js';
import {
  mapClaudeCodeLog,
  type OtelEvent,
  type OtelSessionMetrics,
  summarizeClaudeCodeMetrics,
} from '../otel/claude-code-otel.js';
import { decodeOtlpLogs, decodeOtlpMetrics, type OtlpRejection } from '../otel/otlp-json.js';
import type { Redactor } from '../redact/redactor.js';
import { configRedactor, redactPayload } from './redaction.js';

/** Options of {@link receiveOtlp}. */
export interface ReceiveOtlpOptions {
  /** The redactor applied to every event before it is written. Default `configRedactor(config)`. */
  redactor?: Redactor;
  /** The largest request body read, in bytes. Default 16 MiB. */
  maxBytes?: number;
}

/** What one session got from a request. */
export interface OtlpSessionReceipt {
  appended: number;
  duplicates: number;
  /** Claude Code's cost and token metrics of the session in this request (metrics requests). */
  metrics?: OtelSessionMetrics;
}

/** What {@link receiveOtlp} did with one OTLP/HTTP request. */
export interface OtlpReceipt {
  signal: 'logs' | 'metrics';
  /** The request could not be read at all (not JSON, not an export request): the server answers 400. */
  error?: SatError;
  /** Records (logs) or data points (metrics) taken. */
  accepted: number;
  /** Records or points refused, each with where it was in the request and why. */
  rejected: OtlpRejection[];
  /** Events appended to the logs. */
  appended: number;
  /** Records whose event the log already had (an exporter retry, or the hooks recorded the call). */
  duplicates: number;
  /** Metric points of kinds not read (histograms). */
  ignored: number;
  sessions: Record<string, OtlpSessionReceipt>;
}

const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;

function parseBody(body: unknown, maxBytes: number): unknown {
  if (typeof body !== 'string' && !(body instanceof Uint8Array)) return body;
  const size = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
  if (size > maxBytes)
    throw new SatError(
      'INVALID_EVENT',
      `[core] OTLP request of ${size} bytes is over the ${maxBytes} byte limit (send smaller batches)`,
    );
  const text =
    typeof body === 'string'
      ? body
      : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new SatError(
      'INVALID_EVENT',
      `[core] OTLP request is not JSON (${(error as Error).message.replace(/\s+/g, ' ').slice(0, 200)}): set OTEL_EXPORTER_OTLP_PROTOCOL=http/json`,
    );
  }
}

function emptyReceipt(signal: OtlpReceipt['signal']): OtlpReceipt {
  return { signal, accepted: 0, rejected: [], appended: 0, duplicates: 0, ignored: 0, sessions: {} };
}

/**
 * Takes one OTLP/HTTP JSON export request from Claude Code (the body POSTed to `/v1/logs` or
 * `/v1/metrics`: a string, bytes or parsed JSON) and appends its events to the session logs
 * through the same writer and redaction as hook ingest. Logs: each record becomes one event (see
 * `mapClaudeCodeLog`), with an id derived from the record, so a re-sent batch appends nothing; a
 * `tool_result` of a call the hooks already recorded is skipped (counted in `duplicates`), and a
 * `user_prompt` the hooks already recorded too. Metrics: `claude_code.cost.usage` and
 * `claude_code.token.usage` are summed per session in the receipt, not written (the
 * `api_request` records already carry each request's tokens and cost). Bad records are refused
 * with their reason while the rest land; an unreadable request gives `error`. Render the answer
 * with `otlpResponse`.
 *
 * @example
 * const receipt = await receiveOtlp(config, 'logs', requestBody);
 * res.writeHead(receipt.error ? 400 : 200).end(JSON.stringify(otlpResponse(receipt)));
 */
export async function receiveOtlp(
  config: SatConfig,
  signal: 'logs' | 'metrics',
  body: unknown,
  options: ReceiveOtlpOptions = {},
): Promise<OtlpReceipt> {
  const receipt = emptyReceipt(signal);
  try {
    const parsed = parseBody(body, options.maxBytes ?? DEFAULT_MAX_BYTES);
    if (signal === 'metrics') return receiveMetrics(parsed, receipt);
    const decoded = decodeOtlpLogs(parsed);
    receipt.rejected.push(...decoded.rejected);
    const ingest = new OtlpIngest(config.paths.logs, options.redactor ?? configRedactor(config), receipt);
    decoded.items.forEach((record, i) => {
      const mapped = mapClaudeCodeLog(record);
      if (mapped.ok) ingest.stage(mapped.value, i);
      else receipt.rejected.push({ at: `logRecords #${i}`, reason: mapped.reason });
    });
    await ingest.commit();
    return receipt;
  } catch (error) {
    if (error instanceof SatError && error.code === 'INVALID_EVENT') return { ...receipt, error };
    if (error instanceof Error && !(error instanceof SatError))
      return {
        ...receipt,
        error: new SatError('INVALID_EVENT', `[core] OTLP ${signal} request: ${error.message}`),
      };
    throw error;
  }
}

function receiveMetrics(parsed: unknown, receipt: OtlpReceipt): OtlpReceipt {
  const decoded = decodeOtlpMetrics(parsed);
  receipt.rejected.push(...decoded.rejected);
  receipt.ignored = decoded.ignored;
  receipt.accepted = decoded.items.length;
  for (const [session, metrics] of Object.entries(summarizeClaudeCodeMetrics(decoded.items)))
    receipt.sessions[session] = { appended: 0, duplicates: 0, metrics };
  return receipt;
}

/** One request's events: checked, deduped against each session's log, then written at once. */
class OtlpIngest {
  private readonly known = new Map<string, KnownEvents>();
  private readonly staged: OtelEvent[] = [];

  constructor(
    private readonly logsDir: string,
    private readonly redactor: Redactor,
    private readonly receipt: OtlpReceipt,
  ) {}

  stage(mapped: OtelEvent, index: number): void {
    const event = { ...mapped.event, data: redactPayload(this.redactor, mapped.event.data) };
    if (event.meta) event.meta = redactPayload(this.redactor, event.meta);
    try {
      eventSchemas().checkPayload(event.type, event.data);
    } catch (error) {
      this.receipt.rejected.push({ at: `logRecords #${index}`, reason: (error as Error).message });
      return;
    }
    this.receipt.accepted++;
    this.staged.push({ ...mapped, event });
  }

  private async knownFor(session: string): Promise<KnownEvents> {
    let known = this.known.get(session);
    if (!known) {
      const files = sessionLogFiles(this.logsDir, session);
      if (existsSync(files.compressed) && !existsSync(files.plain))
        await reopenSessionLog(this.logsDir, session);
      known = await loadKnownEvents(this.logsDir, session);
      this.known.set(session, known);
    }
    return known;
  }

  /** True when the log (or this request) already has the record's event or the fact it states. */
  private recorded(mapped: OtelEvent, known: KnownEvents): boolean {
    const { event } = mapped;
    if (known.ids.has(event.id)) return true;
    if (mapped.toolUseId !== undefined && known.toolCalls.has(`call:${mapped.toolUseId}`)) return true;
    if (event.type === 'user_prompt') {
      const data = event.data as { text: string; chars: number };
      if (data.text !== '') return known.prompts.has(promptJoinKey(data.text, data.chars));
      return [...known.prompts].some((key) => key.startsWith(`${data.chars}:`));
    }
    return false;
  }

  async commit(): Promise<void> {
    if (this.staged.length === 0) return;
    const writer = new EventWriter({ logsDir: this.logsDir });
    for (const mapped of this.staged) {
      const { event } = mapped;
      const known = await this.knownFor(event.session);
      const slot = this.receipt.sessions[event.session] ?? { appended: 0, duplicates: 0 };
      this.receipt.sessions[event.session] = slot;
      if (this.recorded(mapped, known)) {
        slot.duplicates++;
        this.receipt.duplicates++;
        continue;
      }
      known.ids.add(event.id);
      if (mapped.toolUseId !== undefined) known.toolCalls.add(`call:${mapped.toolUseId}`);
      if (event.type === 'user_prompt') {
        const data = event.data as { text: string; chars: number };
        known.prompts.add(promptJoinKey(data.text, data.chars));
      }
      writer.append(event);
      slot.appended++;
      this.receipt.appended++;
    }
    try {
      await writer.close();
    } catch (error) {
      throw new SatError(
        'LOG_WRITE_FAILED',
        `[core] cannot write the OpenTelemetry events: ${(error as Error).message} (the exporter retries the batch)`,
        { cause: error },
      );
    }
  }
}

/** The OTLP/HTTP `ExportLogsServiceResponse` / `ExportMetricsServiceResponse` body (JSON). */
export interface OtlpExportResponse {
  /** Set only when something was rejected (the spec: left out on full success). */
  partialSuccess?: {
    rejectedLogRecords?: number;
    rejectedDataPoints?: number;
    errorMessage?: string;
  };
}

/**
 * The response body the OTLP/HTTP spec defines for a receipt: `{}` when everything was taken,
 * else `partialSuccess` with the count refused (`rejectedLogRecords` or `rejectedDataPoints`) and
 * the first reasons. Send it with status 200 (400 with the error message when `receipt.error`).
 *
 * @example
 * otlpResponse(receipt); // { partialSuccess: { rejectedLogRecords: 1, errorMessage: 'logRecords #3: ...' } }
 */
export function otlpResponse(receipt: OtlpReceipt): OtlpExportResponse {
  if (receipt.rejected.length === 0) return {};
  const reasons = receipt.rejected.slice(0, 5).map((r) => `${r.at}: ${r.reason}`);
  const more = receipt.rejected.length > 5 ? `; and ${receipt.rejected.length - 5} more` : '';
  const count =
    receipt.signal === 'logs'
      ? { rejectedLogRecords: receipt.rejected.length }
      : { rejectedDataPoints: receipt.rejected.length };
  return { partialSuccess: { ...count, errorMessage: `${reasons.join('; ')}${more}` } };
}
