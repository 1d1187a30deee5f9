import { describe, expect, it } from 'vitest';
import {
  anyValue,
  attributesOf,
  decodeOtlpLogs,
  decodeOtlpMetrics,
  OTLP_MAX_VALUE_CHARS,
} from '../../src/index.js';
import { otlpLogsBody, otlpMetricsBody } from './otlp-sdk.js';

const kv = (key: string, value: unknown) => ({ key, value });

describe('OTLP/HTTP JSON decoding', () => {
  it('decodes every AnyValue form of the spec, intValue given as a string (int64 in JSON) included', () => {
    expect(anyValue({ stringValue: 'a' })).toBe('a');
    expect(anyValue({ boolValue: false })).toBe(false);
    expect(anyValue({ intValue: '42' })).toBe(42);
    expect(anyValue({ intValue: 7 })).toBe(7);
    expect(anyValue({ intValue: '9223372036854775807' })).toBe('9223372036854775807');
    expect(anyValue({ doubleValue: 0.25 })).toBe(0.25);
    expect(anyValue({ bytesValue: 'AAE=' })).toBe('AAE=');
    expect(anyValue({})).toBeNull();
    expect(anyValue({ arrayValue: { values: [{ intValue: '1' }, { stringValue: 'x' }] } })).toEqual([1, 'x']);
    expect(anyValue({ kvlistValue: { values: [kv('k', { boolValue: true })] } })).toEqual({ k: true });
    expect(attributesOf([kv('session.id', { stringValue: 's1' }), kv('n', { intValue: '3' })])).toEqual({
      'session.id': 's1',
      n: 3,
    });
  });

  it('refuses shapes that are not AnyValues, with the reason', () => {
    expect(() => anyValue({ intValue: 'twelve' })).toThrow(/not an integer/);
    expect(() => anyValue({ stringValue: 3 })).toThrow(/not a string/);
    expect(() => anyValue({ mystery: 1 })).toThrow(/unknown AnyValue mystery/);
    expect(() => anyValue('bare')).toThrow(/not an AnyValue/);
    let deep: unknown = { stringValue: 'x' };
    for (let i = 0; i < 20; i++) deep = { arrayValue: { values: [deep] } };
    expect(() => anyValue(deep)).toThrow(/deeper than/);
  });

  it('cuts a huge string value and says how much was cut', () => {
    const huge = 'x'.repeat(OTLP_MAX_VALUE_CHARS + 5_000);
    const value = anyValue({ stringValue: huge }) as string;
    expect(value.length).toBeLessThan(OTLP_MAX_VALUE_CHARS + 40);
    expect(value.endsWith('…[cut 5000 chars]')).toBe(true);
  });

  it('reads the SDK exporter bytes: resource, scope, time in nanoseconds, body and attributes', async () => {
    const at = Date.parse('2026-03-01T10:00:00.123Z');
    const body = await otlpLogsBody([
      { name: 'tool_result', at, attributes: { 'session.id': 's1', success: 'true' } },
    ]);
    const { items, rejected } = decodeOtlpLogs(JSON.parse(Buffer.from(body).toString()));
    expect(rejected).toEqual([]);
    expect(items).toHaveLength(1);
    expect(items[0]!.resource['service.name']).toBe('claude-code');
    expect(items[0]!.scope.name).toBe('com.anthropic.claude_code.events');
    expect(items[0]!.timeUnixNano).toBe(`${at}000000`);
    expect(items[0]!.body).toBe('claude_code.tool_result');
    expect(items[0]!.attributes).toMatchObject({
      'event.name': 'tool_result',
      'session.id': 's1',
      success: 'true',
    });
  });

  it('keeps the good records of a request and names the bad ones by their path', () => {
    const good = {
      timeUnixNano: '1772359200000000000',
      body: { stringValue: 'claude_code.x' },
      attributes: [],
    };
    const request = {
      resourceLogs: [
        { resource: { attributes: 'nope' }, scopeLogs: [{ logRecords: [good] }] },
        {
          scopeLogs: [
            { logRecords: [good, { timeUnixNano: 'yesterday' }, { attributes: [{ value: {} }] }, 'str'] },
            { logRecords: 'not a list' },
          ],
        },
      ],
    };
    const { items, rejected } = decodeOtlpLogs(request);
    expect(items).toHaveLength(1);
    expect(rejected.map((r) => r.at)).toEqual([
      'resourceLogs[0]',
      'resourceLogs[1].scopeLogs[1]',
      'resourceLogs[1].scopeLogs[0].logRecords[1]',
      'resourceLogs[1].scopeLogs[0].logRecords[2]',
      'resourceLogs[1].scopeLogs[0].logRecords[3]',
    ]);
    expect(rejected[2]!.reason).toMatch(/timeUnixNano is not nanoseconds/);
    expect(rejected[3]!.reason).toMatch(/has no key/);
  });

  it('refuses a request that is not an export request object at all', () => {
    expect(() => decodeOtlpLogs([1, 2])).toThrow(/not a JSON object/);
    expect(() => decodeOtlpLogs({ resourceLogs: {} })).toThrow(/resourceLogs is not an array/);
    expect(decodeOtlpLogs({}).items).toEqual([]);
  });

  it('reads sum points from the SDK metrics exporter (asDouble, asInt) and counts histograms as ignored', async () => {
    const body = await otlpMetricsBody([
      { metric: 'claude_code.cost.usage', value: 0.5, attributes: { 'session.id': 's1' } },
      { metric: 'claude_code.token.usage', value: 120, attributes: { 'session.id': 's1', type: 'input' } },
    ]);
    const parsed = JSON.parse(Buffer.from(body).toString());
    const { items, rejected, ignored } = decodeOtlpMetrics(parsed);
    expect(rejected).toEqual([]);
    expect(ignored).toBe(0);
    expect(items.map((p) => [p.metric, p.kind, p.value])).toEqual([
      ['claude_code.cost.usage', 'sum', 0.5],
      ['claude_code.token.usage', 'sum', 120],
    ]);
    const withHistogram = {
      resourceMetrics: [
        {
          scopeMetrics: [
            {
              metrics: [
                { name: 'h', histogram: { dataPoints: [] } },
                { name: 'g', gauge: { dataPoints: [{ asInt: '5' }, { asInt: 'five' }] } },
              ],
            },
          ],
        },
      ],
    };
    const decoded = decodeOtlpMetrics(withHistogram);
    expect(decoded.ignored).toBe(1);
    expect(decoded.items.map((p) => p.value)).toEqual([5]);
    expect(decoded.rejected[0]!.at).toBe('resourceMetrics[0].scopeMetrics[0].metrics[1].gauge.dataPoints[1]');
  });
});
