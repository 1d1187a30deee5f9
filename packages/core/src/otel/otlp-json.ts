/**
 * OTLP/HTTP JSON (the `http/json` protocol) as the OpenTelemetry specification defines it: an
 * `ExportLogsServiceRequest` or `ExportMetricsServiceRequest` decoded into flat records. Pure.
 * AnyValue unions become plain values (`intValue`, given as a string, becomes a number when it is
 * safe, else stays a string); `timeUnixNano` (a string) stays a string of nanoseconds.
 */

/** A decoded OTLP AnyValue. */
export type OtlpValue = string | number | boolean | null | OtlpValue[] | { [key: string]: OtlpValue };

/** Decoded attributes (`KeyValue[]`), by key. */
export type OtlpAttributes = Record<string, OtlpValue>;

/** One log record with its resource and scope. */
export interface OtlpLogRecord {
  resource: OtlpAttributes;
  scope: { name?: string; version?: string; attributes: OtlpAttributes };
  /** Nanoseconds since the epoch, as sent (`timeUnixNano`, else `observedTimeUnixNano`). */
  timeUnixNano?: string;
  /** The record's `eventName` (OTLP 1.5+), when set. */
  eventName?: string;
  body: OtlpValue;
  attributes: OtlpAttributes;
}

/** One number data point of a sum or gauge metric. */
export interface OtlpMetricPoint {
  resource: OtlpAttributes;
  scope: { name?: string; version?: string };
  metric: string;
  unit?: string;
  kind: 'sum' | 'gauge';
  value: number;
  timeUnixNano?: string;
  attributes: OtlpAttributes;
}

/** An item of the request that could not be decoded, by its path in the request. */
export interface OtlpRejection {
  at: string;
  reason: string;
}

/** What {@link decodeOtlpLogs} and {@link decodeOtlpMetrics} return. */
export interface OtlpDecoded<T> {
  items: T[];
  rejected: OtlpRejection[];
  /** Data points of kinds not read (histograms, summaries). */
  ignored: number;
}

/** The longest string value kept (longer ones are cut, with a marker): 16 KiB. */
export const OTLP_MAX_VALUE_CHARS = 16_384;
const MAX_DEPTH = 8;
const NANOS = /^\d{1,20}$/;

class OtlpShapeError extends Error {}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function cut(text: string): string {
  if (text.length <= OTLP_MAX_VALUE_CHARS) return text;
  return `${text.slice(0, OTLP_MAX_VALUE_CHARS)}…[cut ${text.length - OTLP_MAX_VALUE_CHARS} chars]`;
}

function intOf(value: unknown): number | string {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^-?\d{1,30}$/.test(value)) {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : value;
  }
  throw new OtlpShapeError(`intValue ${JSON.stringify(value)?.slice(0, 40)} is not an integer`);
}

/**
 * Decodes one AnyValue (`{stringValue}`, `{intValue}`, `{kvlistValue: {values}}`, ...); an empty
 * object is null. Throws on any other shape.
 *
 * @example
 * anyValue({ intValue: '42' }); // 42
 */
export function anyValue(value: unknown, depth = 0): OtlpValue {
  if (depth > MAX_DEPTH) throw new OtlpShapeError(`value nested deeper than ${MAX_DEPTH} levels`);
  if (!isObject(value)) throw new OtlpShapeError('a value is not an AnyValue object');
  if ('stringValue' in value) {
    if (typeof value.stringValue !== 'string') throw new OtlpShapeError('stringValue is not a string');
    return cut(value.stringValue);
  }
  if ('boolValue' in value) {
    if (typeof value.boolValue !== 'boolean') throw new OtlpShapeError('boolValue is not a boolean');
    return value.boolValue;
  }
  if ('intValue' in value) return intOf(value.intValue);
  if ('doubleValue' in value) {
    const n = typeof value.doubleValue === 'string' ? Number(value.doubleValue) : value.doubleValue;
    if (typeof n !== 'number' || Number.isNaN(n)) throw new OtlpShapeError('doubleValue is not a number');
    return n;
  }
  if ('bytesValue' in value) {
    if (typeof value.bytesValue !== 'string') throw new OtlpShapeError('bytesValue is not base64');
    return cut(value.bytesValue);
  }
  if ('arrayValue' in value) {
    const values = isObject(value.arrayValue) ? (value.arrayValue.values ?? []) : undefined;
    if (!Array.isArray(values)) throw new OtlpShapeError('arrayValue has no values array');
    return values.map((item) => anyValue(item, depth + 1));
  }
  if ('kvlistValue' in value) {
    if (!isObject(value.kvlistValue)) throw new OtlpShapeError('kvlistValue is not an object');
    return attributesOf(value.kvlistValue.values, depth + 1);
  }
  if (Object.keys(value).length === 0) return null;
  throw new OtlpShapeError(`unknown AnyValue ${Object.keys(value).slice(0, 3).join(',')}`);
}

/**
 * Decodes a `KeyValue[]` into an object (a later duplicate key wins; a missing list is empty).
 *
 * @example
 * attributesOf([{ key: 'session.id', value: { stringValue: 's1' } }]); // { 'session.id': 's1' }
 */
export function attributesOf(list: unknown, depth = 0): OtlpAttributes {
  if (list === undefined || list === null) return {};
  if (!Array.isArray(list)) throw new OtlpShapeError('attributes is not an array');
  const out: OtlpAttributes = {};
  for (const kv of list) {
    if (!isObject(kv) || typeof kv.key !== 'string') throw new OtlpShapeError('an attribute has no key');
    out[kv.key] = kv.value === undefined ? null : anyValue(kv.value, depth);
  }
  return out;
}

function nanos(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null || value === '0' || value === 0) return undefined;
  const text = typeof value === 'number' ? String(Math.trunc(value)) : value;
  if (typeof text !== 'string' || !NANOS.test(text)) throw new OtlpShapeError(`${field} is not nanoseconds`);
  return text;
}

function listOf(value: unknown, field: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new OtlpShapeError(`${field} is not an array`);
  return value;
}

function message(error: unknown): string {
  if (error instanceof OtlpShapeError) return error.message;
  throw error;
}

interface Scoped {
  resource: OtlpAttributes;
  scope: { name?: string; version?: string; attributes: OtlpAttributes };
  items: unknown[];
  at: string;
}

/** The scope lists of a request (`resourceLogs[].scopeLogs[]` or the metrics one), decoded. */
function scopes(
  body: unknown,
  outer: string,
  inner: string,
  leaf: string,
  rejected: OtlpRejection[],
): Scoped[] {
  if (!isObject(body)) throw new OtlpShapeError('the request is not a JSON object');
  const out: Scoped[] = [];
  listOf(body[outer], outer).forEach((resourceItem, r) => {
    try {
      if (!isObject(resourceItem)) throw new OtlpShapeError('not an object');
      const resource = attributesOf(
        isObject(resourceItem.resource) ? resourceItem.resource.attributes : undefined,
      );
      listOf(resourceItem[inner], inner).forEach((scopeItem, s) => {
        const at = `${outer}[${r}].${inner}[${s}]`;
        try {
          if (!isObject(scopeItem)) throw new OtlpShapeError('not an object');
          const raw = isObject(scopeItem.scope) ? scopeItem.scope : {};
          const scope = {
            ...(typeof raw.name === 'string' ? { name: raw.name } : {}),
            ...(typeof raw.version === 'string' ? { version: raw.version } : {}),
            attributes: attributesOf(raw.attributes),
          };
          out.push({ resource, scope, items: listOf(scopeItem[leaf], leaf), at: `${at}.${leaf}` });
        } catch (error) {
          rejected.push({ at, reason: message(error) });
        }
      });
    } catch (error) {
      rejected.push({ at: `${outer}[${r}]`, reason: message(error) });
    }
  });
  return out;
}

/**
 * Decodes an `ExportLogsServiceRequest` (already parsed JSON): every record that decodes, and the
 * path and reason of every one that does not. Throws (a plain Error) only when the request itself
 * is not an object.
 *
 * @example
 * const { items, rejected } = decodeOtlpLogs(JSON.parse(body));
 */
export function decodeOtlpLogs(body: unknown): OtlpDecoded<OtlpLogRecord> {
  const rejected: OtlpRejection[] = [];
  const items: OtlpLogRecord[] = [];
  for (const { resource, scope, items: records, at } of shapeChecked(() =>
    scopes(body, 'resourceLogs', 'scopeLogs', 'logRecords', rejected),
  )) {
    records.forEach((record, i) => {
      try {
        if (!isObject(record)) throw new OtlpShapeError('not an object');
        const time =
          nanos(record.timeUnixNano, 'timeUnixNano') ??
          nanos(record.observedTimeUnixNano, 'observedTimeUnixNano');
        items.push({
          resource,
          scope,
          ...(time === undefined ? {} : { timeUnixNano: time }),
          ...(typeof record.eventName === 'string' && record.eventName
            ? { eventName: record.eventName }
            : {}),
          body: record.body === undefined ? null : anyValue(record.body),
          attributes: attributesOf(record.attributes),
        });
      } catch (error) {
        rejected.push({ at: `${at}[${i}]`, reason: message(error) });
      }
    });
  }
  return { items, rejected, ignored: 0 };
}

function shapeChecked<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    throw new Error(message(error));
  }
}

function pointValue(point: Record<string, unknown>): number {
  if ('asDouble' in point) {
    const n = Number(point.asDouble);
    if (Number.isFinite(n)) return n;
  } else if ('asInt' in point) {
    const n = intOf(point.asInt);
    if (typeof n === 'number') return n;
  }
  throw new OtlpShapeError('a data point has no asInt or asDouble number');
}

/**
 * Decodes an `ExportMetricsServiceRequest` (already parsed JSON): the number data points of its
 * sum and gauge metrics; histogram and summary points are counted in `ignored`.
 *
 * @example
 * const { items } = decodeOtlpMetrics(JSON.parse(body));
 */
export function decodeOtlpMetrics(body: unknown): OtlpDecoded<OtlpMetricPoint> {
  const rejected: OtlpRejection[] = [];
  const items: OtlpMetricPoint[] = [];
  let ignored = 0;
  for (const { resource, scope, items: metrics, at } of shapeChecked(() =>
    scopes(body, 'resourceMetrics', 'scopeMetrics', 'metrics', rejected),
  )) {
    metrics.forEach((metric, m) => {
      try {
        if (!isObject(metric) || typeof metric.name !== 'string')
          throw new OtlpShapeError('a metric has no name');
        const kind = isObject(metric.sum) ? 'sum' : isObject(metric.gauge) ? 'gauge' : undefined;
        if (kind === undefined) {
          ignored++;
          return;
        }
        const data = metric[kind] as Record<string, unknown>;
        listOf(data.dataPoints, 'dataPoints').forEach((point, p) => {
          try {
            if (!isObject(point)) throw new OtlpShapeError('not an object');
            const time = nanos(point.timeUnixNano, 'timeUnixNano');
            items.push({
              resource,
              scope: {
                ...(scope.name ? { name: scope.name } : {}),
                ...(scope.version ? { version: scope.version } : {}),
              },
              metric: metric.name as string,
              ...(typeof metric.unit === 'string' && metric.unit ? { unit: metric.unit } : {}),
              kind,
              value: pointValue(point),
              ...(time === undefined ? {} : { timeUnixNano: time }),
              attributes: attributesOf(point.attributes),
            });
          } catch (error) {
            rejected.push({ at: `${at}[${m}].${kind}.dataPoints[${p}]`, reason: message(error) });
          }
        });
      } catch (error) {
        rejected.push({ at: `${at}[${m}]`, reason: message(error) });
      }
    });
  }
  return { items, rejected, ignored };
}
