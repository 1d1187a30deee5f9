import type { Attributes } from '@opentelemetry/api';
import { JsonLogsSerializer, JsonMetricsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { AggregationTemporality, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';

/** The resource Claude Code's exporter sends. */
export const CLAUDE_CODE_RESOURCE = {
  'service.name': 'claude-code',
  'service.version': '2.0.14',
  'os.type': 'linux',
  'host.arch': 'x64',
};

/** One log record as Claude Code emits it: body `claude_code.<name>`, `event.name` and the rest in attributes. */
export interface ClaudeCodeRecord {
  name: string;
  attributes: Attributes;
  /** ms since the epoch. */
  at: number;
}

/**
 * The exact bytes the OpenTelemetry JS SDK's http/json logs exporter POSTs to /v1/logs for
 * `records` (a LoggerProvider, its processor, and the exporter's JSON serializer).
 */
export async function otlpLogsBody(records: readonly ClaudeCodeRecord[]): Promise<Uint8Array> {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({
    resource: resourceFromAttributes(CLAUDE_CODE_RESOURCE),
    processors: [new SimpleLogRecordProcessor({ exporter })],
  });
  const logger = provider.getLogger('com.anthropic.claude_code.events', '2.0.14');
  for (const record of records)
    logger.emit({
      body: `claude_code.${record.name}`,
      timestamp: record.at,
      attributes: {
        'event.name': record.name,
        'event.timestamp': new Date(record.at).toISOString(),
        ...record.attributes,
      },
    });
  await provider.forceFlush();
  const body = JsonLogsSerializer.serializeRequest(exporter.getFinishedLogRecords());
  await provider.shutdown();
  if (!body) throw new Error('the serializer gave no body');
  return body;
}

class CollectingReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.DELTA });
  }
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

/** One counter add as Claude Code records it. */
export interface ClaudeCodeCount {
  metric: string;
  value: number;
  attributes: Attributes;
}

/** The exact bytes the SDK's http/json metrics exporter POSTs to /v1/metrics (delta temporality). */
export async function otlpMetricsBody(counts: readonly ClaudeCodeCount[]): Promise<Uint8Array> {
  const reader = new CollectingReader();
  const provider = new MeterProvider({
    resource: resourceFromAttributes(CLAUDE_CODE_RESOURCE),
    readers: [reader],
  });
  const meter = provider.getMeter('com.anthropic.claude_code', '2.0.14');
  const counters = new Map<string, ReturnType<typeof meter.createCounter>>();
  for (const count of counts) {
    const counter = counters.get(count.metric) ?? meter.createCounter(count.metric);
    counters.set(count.metric, counter);
    counter.add(count.value, count.attributes);
  }
  const { resourceMetrics } = await reader.collect();
  const body = JsonMetricsSerializer.serializeRequest(resourceMetrics);
  await provider.shutdown();
  if (!body) throw new Error('the serializer gave no body');
  return body;
}
