import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getJson, type RunningSandbox } from './sandbox.js';

export interface WebhookResult {
  messages: number;
  /** Events the sandbox produced: one per status a message reached (server, phone, read). */
  expected: number;
  /** Distinct events the receiver got. */
  received: number;
  /** Events received more than once (delivery is at-least-once; not an error, but worth seeing). */
  duplicates: number;
  lost: number;
  /** Delivery attempts the sandbox's journal shows as failed, among those it keeps. */
  failedAttempts: number;
  /** From the clock advance that released them to the last one received. */
  seconds: number;
  eventsPerSecond: number;
}

const KEY = 'bench-webhooks';
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * With the clock stopped (the sandbox runs with `--clock manual`), queues `messages` sends, then
 * releases every delivery status at once by advancing the clock a day, and counts the webhooks that
 * reach a receiver on this machine.
 */
export async function measureWebhookDelivery(sandbox: RunningSandbox, messages: number): Promise<WebhookResult> {
  const receiver = await Receiver.start();
  try {
    await getJson(sandbox, `/webhook/set/${KEY}?url=${encodeURIComponent(receiver.url)}`);
    await sendToRecipients(sandbox, messages);

    const released = performance.now();
    await sandbox.control.advance(DAY_MS);
    const expected = await producedEvents(sandbox, messages);
    // The advance waits for the deliveries it sets off one webhook timeout at most (5 s); the rest arrive after.
    await receiver.waitFor(expected, 30_000);
    const seconds = ((receiver.distinct > 0 ? receiver.lastArrival : performance.now()) - released) / 1000;

    const journal = await sandbox.control.request<{ attempts: Array<{ ok: boolean }> }>('GET', `/webhooks/journal?provider=wamessenger&key=${KEY}`);
    return {
      messages,
      expected,
      received: receiver.distinct,
      duplicates: receiver.total - receiver.distinct,
      lost: Math.max(0, expected - receiver.distinct),
      failedAttempts: journal.attempts.filter((attempt) => !attempt.ok).length,
      seconds,
      eventsPerSecond: receiver.distinct / seconds,
    };
  } finally {
    await receiver.close();
  }
}

/** A recipient that is none of the magic numbers (its last six digits end in 7): sent, delivered, read. */
function ordinaryRecipient(index: number): string {
  return `98912${String(index).padStart(6, '0')}7`;
}

/** One text to `count` different recipients through sendMessage's array form, a thousand per request. */
async function sendToRecipients(sandbox: RunningSandbox, count: number): Promise<void> {
  const perRequest = 1_000;
  // The array form needs a media url (as WaMessenger's documentation says); the sandbox's own sample serves.
  const mediaUrl = `${sandbox.origin}/__sandbox/media/sample.jpg`;
  for (let start = 0; start < count; start += perRequest) {
    const form = new URLSearchParams();
    for (let index = start; index < Math.min(count, start + perRequest); index++) form.append('phonenumber[]', ordinaryRecipient(index));
    form.append('text', 'benchmark');
    form.append('url', mediaUrl);
    const response = await fetch(`${sandbox.base}/sendMessage/${KEY}`, { method: 'POST', body: form });
    const answer = await response.text();
    if (response.status !== 200)
      throw new Error(`sendMessage to many answered ${response.status}: ${answer.slice(0, 200)} (${response.headers.get('x-sandbox-error') ?? ''})`);
  }
}

/** The webhooks the sandbox says it produced: from each message's delivery state in showAllMessages (1 for server … 3 for read). */
async function producedEvents(sandbox: RunningSandbox, messages: number): Promise<number> {
  const STEPS: Record<string, number> = { '': 0, server: 1, phone: 2, read: 3 };
  let events = 0;
  let seen = 0;
  for (let page = 1; ; page++) {
    const report = await getJson<{ count: number; pageCount: number; data: Array<{ delivery: string }> }>(sandbox, `/showAllMessages/${KEY}?page=${page}`);
    for (const message of report.data) events += STEPS[message.delivery] ?? 0;
    seen += report.data.length;
    if (page >= report.pageCount) break;
  }
  if (seen !== messages) throw new Error(`the sandbox lists ${seen} sent messages, ${messages} were sent`);
  return events;
}

/** A webhook endpoint on 127.0.0.1 that only counts: every request, and distinct bodies. */
class Receiver {
  total = 0;
  /** performance.now() when the last new event arrived. */
  lastArrival = 0;
  private readonly bodies = new Set<string>();
  private waiter: { count: number; resolve: () => void } | undefined;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  get distinct(): number {
    return this.bodies.size;
  }

  static async start(): Promise<Receiver> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const receiver = new Receiver(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`);
    server.on('request', (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        response.end('ok');
        receiver.record(Buffer.concat(chunks).toString('utf8'));
      });
    });
    return receiver;
  }

  private record(body: string): void {
    this.total++;
    if (this.bodies.has(body)) return;
    this.bodies.add(body);
    this.lastArrival = performance.now();
    if (this.waiter && this.bodies.size >= this.waiter.count) this.waiter.resolve();
  }

  /** Resolves when `count` distinct events have arrived, or after `timeoutMs` (the caller counts what is missing). */
  waitFor(count: number, timeoutMs: number): Promise<void> {
    if (this.bodies.size >= count) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.waiter = {
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
    });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
