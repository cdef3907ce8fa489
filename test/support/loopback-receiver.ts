import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How a receiver answers its `call`-th request (0-based): an HTTP status, or null to never answer. */
export type Answer = (call: number) => number | null;

/**
 * A webhook receiver on loopback whose every answer the test chooses: one that refuses every other
 * call, or one that never answers at all (a hostile receiver). It counts the requests it holds open.
 */
export class LoopbackReceiver {
  /** Bodies of the requests answered with a 2xx, in the order they were answered. */
  readonly accepted: unknown[] = [];
  /** Requests received and not answered, still open. */
  open = 0;
  /** Requests the sandbox gave up on (closed while still unanswered). */
  abandoned = 0;
  private calls = 0;
  private readonly listeners = new Set<() => void>();
  private readonly server = createServer((request, reply) => this.handle(request, reply));
  url = '';

  /** Changeable while the receiver runs (a receiver that comes back, say). */
  private constructor(public answer: Answer) {}

  /**
   * A receiver for the enclosing describe block: made now, listening from its beforeAll (`url` is set
   * there), closed in its afterAll. Hooks registered after this call run after these.
   */
  static use(answer: Answer): LoopbackReceiver {
    const receiver = new LoopbackReceiver(answer);
    beforeAll(() => receiver.listen());
    afterAll(() => receiver.close());
    return receiver;
  }

  private async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  /** Resolves once `done()` holds, checked after every request's arrival, answer or abandonment. */
  until(done: () => boolean): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (!done()) return;
        this.listeners.delete(check);
        resolve();
      };
      this.listeners.add(check);
    });
  }

  /** Drops every connection, so requests left unanswered end at once (an error for the sender). */
  hangUp(): void {
    this.server.closeAllConnections();
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(request: IncomingMessage, reply: ServerResponse): void {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const status = this.answer(this.calls++);
      if (status === null) {
        this.open++;
        reply.once('close', () => {
          this.open--;
          this.abandoned++;
          this.changed();
        });
      } else {
        if (status >= 200 && status < 300) this.accepted.push(JSON.parse(body));
        reply.writeHead(status).end('ok');
      }
      this.changed();
    });
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
