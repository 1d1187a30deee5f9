import { isSatError, type OtlpReceipt, otlpResponse } from '@sat/core';
import type { Hono } from 'hono';

/** What receives one OTLP export request (core's `receiveOtlp` bound to the data root). */
export type OtlpReceiver = (signal: 'logs' | 'metrics', body: string) => Promise<OtlpReceipt>;

/** The OTLP/HTTP content types the receiver reads: JSON only (protobuf and gRPC are refused). */
function isJson(contentType: string | undefined): boolean {
  return (contentType ?? 'application/json').split(';')[0]!.trim().toLowerCase() === 'application/json';
}

/**
 * `POST /v1/logs` and `POST /v1/metrics`: OTLP/HTTP JSON from Claude Code's own telemetry
 * (`OTEL_EXPORTER_OTLP_PROTOCOL=http/json`). Answers as the OTLP specification says: 200 with `{}`
 * or a `partialSuccess` naming the records refused, 400 for a body that is no export request, 415
 * for protobuf, 503 when the log cannot be written (the exporter retries).
 *
 * @example
 * otlpRoutes(app, (signal, body) => receiveOtlp(config, signal, body));
 */
export function otlpRoutes(app: Hono, receive: OtlpReceiver): void {
  for (const signal of ['logs', 'metrics'] as const)
    app.post(`/v1/${signal}`, async (c) => {
      if (!isJson(c.req.header('content-type')))
        return c.json(
          {
            code: 3,
            message: `[web] sat serve reads OTLP/HTTP JSON only: set OTEL_EXPORTER_OTLP_PROTOCOL=http/json (got ${c.req.header('content-type')})`,
          },
          415,
        );
      try {
        const receipt = await receive(signal, await c.req.text());
        if (receipt.error) return c.json({ code: 3, message: receipt.error.message }, 400);
        return c.json(otlpResponse(receipt), 200);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return c.json({ code: 14, message }, isSatError(error, 'LOG_WRITE_FAILED') ? 503 : 500);
      }
    });
}
