import type { EngineClock } from '../clock/clock.js';
import { pickDuration, seededRandom, type DurationRange } from '../random.js';
import type { Account, Message } from '../store/models.js';
import { behaviourOf, type CustomerDirectory } from '../world/customers.js';
import type { InboundMessage, Transport, TransportSink } from './transport.js';

export interface SimulationTimings {
  sentToDelivered: DurationRange;
  deliveredToRead: DurationRange;
  readToReply: DurationRange;
}

export const DEFAULT_TIMINGS: SimulationTimings = {
  sentToDelivered: { minMs: 1_000, maxMs: 4_000 },
  deliveredToRead: { minMs: 5_000, maxMs: 30_000 },
  readToReply: { minMs: 3_000, maxMs: 10_000 },
};

/** Sample file a replying customer sends; served by the sandbox under mediaBaseUrl. */
const REPLY_FILE = 'sample.jpg';

/**
 * WhatsApp as the virtual customers see it: delivery and read receipts on the clock, with the
 * behaviour each number's magic suffix asks for, and replies from customers who reply.
 */
export class SimulatedTransport implements Transport {
  readonly name = 'simulated';
  private sink: TransportSink | null = null;

  constructor(
    private readonly clock: EngineClock,
    private readonly customers: CustomerDirectory,
    private readonly seed: number,
    private readonly timings: SimulationTimings,
    private readonly mediaBaseUrl: string,
  ) {}

  attach(sink: TransportSink): void {
    this.sink = sink;
  }

  async send(message: Message, account: Account): Promise<void> {
    const sink = this.requireSink();
    const behaviour = behaviourOf(message.peer);
    if (behaviour === 'no-whatsapp') return sink.statusChanged(message.id, 'failed', { code: 'no_whatsapp', reason: 'the number is not on WhatsApp' });
    if (behaviour === 'send-fails') return sink.statusChanged(message.id, 'failed', { code: 'send_failed', reason: 'the message could not be sent' });
    await sink.statusChanged(message.id, 'sent');
    if (behaviour === 'never-delivered') return;

    const random = seededRandom(this.seed, 'receipts', message.id);
    const deliverAfter = pickDuration(random, this.timings.sentToDelivered);
    const readAfter = pickDuration(random, this.timings.deliveredToRead);
    const replyAfter = pickDuration(random, this.timings.readToReply);
    this.clock.schedule(deliverAfter, async () => {
      await sink.statusChanged(message.id, 'delivered');
      if (behaviour === 'never-read') return;
      this.clock.schedule(readAfter, async () => {
        await sink.statusChanged(message.id, 'read');
        if (behaviour === 'replies-text' || behaviour === 'replies-file') {
          this.clock.schedule(replyAfter, () => sink.inbound(account.id, this.reply(message, behaviour)), `reply ${message.id}`);
        }
      }, `read ${message.id}`);
    }, `deliver ${message.id}`);
  }

  private reply(message: Message, behaviour: 'replies-text' | 'replies-file'): InboundMessage {
    const profileName = this.customers.profileName(message.peer);
    if (behaviour === 'replies-file') {
      return {
        from: message.peer,
        text: '',
        mediaUrl: `${this.mediaBaseUrl}/${REPLY_FILE}`,
        media: null,
        profileName,
        lineId: message.lineId,
      };
    }
    const text = this.customers.sentence(message.peer, `reply to ${message.id}`);
    return { from: message.peer, text, mediaUrl: null, media: null, profileName, lineId: message.lineId };
  }

  private requireSink(): TransportSink {
    if (!this.sink) throw new Error('transport used before the engine attached to it');
    return this.sink;
  }
}
