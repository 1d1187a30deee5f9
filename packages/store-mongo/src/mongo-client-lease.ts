/**
 * A MongoClient opened on first use and closed once idle, so that a short command (a backup)
 * never keeps the process alive on the driver's sockets, and a long one reuses one connection.
 */
import { MongoClient } from 'mongodb';

/** Default of the idle time after which the client is closed. */
export const DEFAULT_IDLE_CLOSE_MS = 1000;

/** Leases one lazily connected client. */
export class ClientLease {
  private connecting: Promise<MongoClient> | undefined;
  private active = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly url: string,
    private readonly serverSelectionTimeoutMS: number,
    private readonly given: MongoClient | undefined,
    private readonly idleCloseMs = DEFAULT_IDLE_CLOSE_MS,
  ) {}

  /** Runs `fn` with a connected client; the client stays open until every lease is released. */
  async use<T>(fn: (client: MongoClient) => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await fn(await this.client());
    } finally {
      release();
    }
  }

  /** Takes a lease by hand (for a stream read after the call returned); call the result once. */
  async acquire(): Promise<() => void> {
    this.active++;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    try {
      await this.client();
    } catch (error) {
      this.active--;
      this.connecting = undefined;
      throw error;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.active === 0) this.scheduleClose();
    };
  }

  /** Closes the client now (a given client is left open). */
  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const connecting = this.connecting;
    this.connecting = undefined;
    if (connecting && !this.given) await (await connecting.catch(() => undefined))?.close();
  }

  private client(): Promise<MongoClient> {
    if (this.given) return Promise.resolve(this.given);
    this.connecting ??= new MongoClient(this.url, {
      ...(/[?&]serverSelectionTimeoutMS=/i.test(this.url)
        ? {}
        : { serverSelectionTimeoutMS: this.serverSelectionTimeoutMS }),
      appName: 'sat',
    }).connect();
    return this.connecting;
  }

  private scheduleClose(): void {
    if (this.given) return;
    this.timer = setTimeout(() => void this.close(), this.idleCloseMs);
    this.timer.unref();
  }
}
