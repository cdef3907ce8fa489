import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { WhatsAppEngine, type EngineEvent } from '#engine';
import type { RequestJournalRepository, RequestRecord } from '#http';
import { ClockStateDto, MessageDto, SessionDto, WebhookAttemptDto } from './control.dto.js';

/** What `GET /__sandbox/events` streams: each named by its `type`, which is also the SSE event name. */
export type LiveEvent =
  /** An outbound message moved on, a receipt came, or a customer's message arrived. */
  | { type: 'message'; cause: 'status' | 'receipt' | 'received'; message: MessageDto }
  | { type: 'session'; session: SessionDto }
  /** A webhook attempt, as the journal keeps it. */
  | { type: 'webhook'; attempt: WebhookAttemptDto }
  /** A provider request, once the request journal holds it. */
  | { type: 'request'; request: Omit<RequestRecord, 'id' | 'path' | 'at'> & { at: string } }
  | { type: 'clock'; clock: ClockStateDto }
  /** The sandbox forgot everything: read it all again. */
  | { type: 'reset' };

/**
 * Keeps a comment line flowing on idle streams: proxies and load balancers close connections silent for
 * a minute or so (nginx's proxy_read_timeout is 60 s), and the browser would then reconnect with a gap.
 */
const KEEPALIVE_MS = 25_000;

/** The live feed behind `GET /__sandbox/events` (server-sent events): the dashboard's source of updates. */
@Injectable()
export class LiveEvents implements OnModuleDestroy {
  private readonly streams = new Set<ServerResponse>();
  private clockPending = false;
  private readonly keepalive: NodeJS.Timeout;

  constructor(private readonly engine: WhatsAppEngine) {
    // Built only for an open stream: every send and status passes here, and most sandboxes have no page open.
    engine.events.on((event) => {
      if (this.streams.size > 0) this.publish(fromEngine(event, engine));
    });
    engine.webhooks.onAttempt((attempt) => {
      if (this.streams.size > 0) this.publish({ type: 'webhook', attempt: WebhookAttemptDto.of(attempt) });
    });
    // An advance moves the clock once per task it runs: one event per turn of the event loop is enough.
    engine.clock.onMoved(() => {
      if (this.clockPending || this.streams.size === 0) return;
      this.clockPending = true;
      setImmediate(() => {
        this.clockPending = false;
        this.publish({ type: 'clock', clock: this.engine.clock.state() });
      });
    });
    this.keepalive = setInterval(() => this.write(': keepalive\n\n'), KEEPALIVE_MS).unref();
  }

  /** Starts streaming to `response` (its head not yet written) until the client goes away. */
  attach(response: ServerResponse): void {
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      // nginx buffers proxied answers unless told not to; a buffered stream arrives in lumps.
      'x-accel-buffering': 'no',
    });
    this.streams.add(response);
    response.on('close', () => this.streams.delete(response));
    // The clock at once: the page's first state, and proof the stream is open.
    response.write(format({ type: 'clock', clock: this.engine.clock.state() }));
  }

  publish(event: LiveEvent): void {
    if (this.streams.size > 0) this.write(format(event));
  }

  /** A request journal that announces each entry once it is kept, so a page reading the journal finds it there. */
  announcing(journal: RequestJournalRepository): RequestJournalRepository {
    return {
      record: async (entry) => {
        await journal.record(entry);
        if (this.streams.size === 0) return;
        const { at, ...rest } = entry;
        this.publish({ type: 'request', request: { ...rest, at: new Date(at).toISOString() } });
      },
      list: (query) => journal.list(query),
      count: (query) => journal.count(query),
      clear: () => journal.clear(),
    };
  }

  /** Open streams would hold the server's close until they end by themselves. */
  onModuleDestroy(): void {
    clearInterval(this.keepalive);
    for (const stream of this.streams) stream.end();
    this.streams.clear();
  }

  private write(text: string): void {
    for (const stream of this.streams) stream.write(text);
  }
}

function fromEngine(event: EngineEvent, engine: WhatsAppEngine): LiveEvent {
  switch (event.type) {
    case 'session.status':
      return { type: 'session', session: SessionDto.of(event.session, engine.sessions.qrCode(event.session)) };
    case 'message.status':
      return { type: 'message', cause: 'status', message: MessageDto.of(event.message) };
    case 'message.receipt':
      return { type: 'message', cause: 'receipt', message: MessageDto.of(event.message) };
    case 'message.received':
      return { type: 'message', cause: 'received', message: MessageDto.of(event.message) };
  }
}

function format(event: LiveEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}
