import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { SatError } from '@sat/core';
import type { Hono } from 'hono';

/** A listening server (see {@link startWebServer}). */
export interface WebServer {
  /** `http://host:port`. */
  url: string;
  port: number;
  /** Stops accepting, ends open streams, resolves once closed. */
  close(): Promise<void>;
}

/**
 * Serves `app` on `host:port` (port 0: a free one) with @hono/node-server; a port in use is an
 * `IO_ERROR` SatError that says so.
 *
 * @example
 * const server = await startWebServer(app, { host: '127.0.0.1', port: 8000 });
 */
export function startWebServer(app: Hono, options: { host: string; port: number }): Promise<WebServer> {
  return new Promise((resolve, reject) => {
    const server = serve(
      { fetch: app.fetch, hostname: options.host, port: options.port },
      (info: AddressInfo) => {
        const host = options.host.includes(':') ? `[${options.host}]` : options.host;
        resolve({
          url: `http://${host}:${info.port}`,
          port: info.port,
          close: () =>
            new Promise<void>((done) => {
              server.close(() => done());
              (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
            }),
        });
      },
    );
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new SatError(
          'IO_ERROR',
          `[web] cannot listen on ${options.host}:${options.port}: ${error.message} (give another --port)`,
          {
            cause: error,
          },
        ),
      ),
    );
  });
}
