import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { isJsonMediaType } from './contract.js';

export interface ReceivedRequest {
  method: string;
  path: string;
  contentType: string | null;
  body: string;
  /** The parsed body when it is JSON. */
  json: unknown;
  /** The status the receiver answered. */
  answered: number;
}

/**
 * A webhook endpoint, by default on 127.0.0.1 (so it only works when the target runs on this machine).
 * It answers 200, or `respondWith(503)` to play a receiver that is down.
 */
export class WebhookReceiver {
  readonly requests: ReceivedRequest[] = [];
  private status = 200;
  private readonly listeners = new Set<() => void>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  /**
   * `listenHost`: the address to listen on. A sandbox in a container reaches the host through its bridge,
   * not its loopback: listen on '0.0.0.0' for it (which also opens the receiver to the machine's network).
   * `url` names 127.0.0.1 either way.
   */
  static async start({ listenHost = '127.0.0.1' }: { listenHost?: string } = {}): Promise<WebhookReceiver> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, listenHost, () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const receiver = new WebhookReceiver(server, `http://127.0.0.1:${port}/hook/${randomBytes(4).toString('hex')}`);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const contentType = req.headers['content-type'] ?? null;
        let json: unknown;
        if (contentType !== null && isJsonMediaType(contentType)) {
          try {
            json = JSON.parse(body);
          } catch {
            json = undefined;
          }
        }
        const answered = receiver.status;
        receiver.requests.push({ method: req.method ?? '', path: req.url ?? '', contentType, body, json, answered });
        res.writeHead(answered, { 'content-type': 'text/plain' }).end(answered < 300 ? 'ok' : 'down');
        for (const listener of [...receiver.listeners]) listener();
      });
    });
    return receiver;
  }

  respondWith(status: number): void {
    this.status = status;
  }

  /** Requests this receiver acknowledged with a 2xx. */
  get accepted(): ReceivedRequest[] {
    return this.requests.filter((r) => r.answered >= 200 && r.answered < 300);
  }

  /** Resolves true as soon as `done()` holds (checked now and after every request), false after `timeoutMs`. */
  waitFor(done: () => boolean, timeoutMs: number): Promise<boolean> {
    if (done()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const finish = (value: boolean) => {
        clearTimeout(deadline);
        this.listeners.delete(check);
        resolve(value);
      };
      const check = () => {
        if (done()) finish(true);
      };
      const deadline = setTimeout(() => finish(false), timeoutMs);
      this.listeners.add(check);
    });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
