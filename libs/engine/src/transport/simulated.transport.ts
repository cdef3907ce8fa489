import type { Scheduler } from '../clock/scheduler.js';
import { pickDuration, seededRandom, type DurationRange } from '../random.js';
import type { Account, Message, Session } from '../store/models.js';
import type { ScheduledJob } from '../store/store.js';
import { behaviourOf, type CustomerDirectory } from '../world/customers.js';
import type { SimulatedLinks } from './simulated-links.js';
import type { InboundMessage, LinkedTransport, LinkResult, LinkSink, TransportSink } from './transport.js';
import { SIMULATED_TRANSPORT } from './transports.js';

export interface SimulationTimings {
  sentToDelivered: DurationRange;
  deliveredToRead: DurationRange;
  readToReply: DurationRange;
  /** From reading a voice or audio message to playing it. */
  readToPlayed: DurationRange;
}

export const DEFAULT_TIMINGS: SimulationTimings = {
  sentToDelivered: { minMs: 1_000, maxMs: 4_000 },
  deliveredToRead: { minMs: 5_000, maxMs: 30_000 },
  readToReply: { minMs: 3_000, maxMs: 10_000 },
  readToPlayed: { minMs: 1_000, maxMs: 10_000 },
};

/** The members of a group the line knows, besides `self`; null for a group it does not know. */
export type GroupMembers = (lineId: string, groupId: string, self: string) => Promise<string[] | null>;

/** One recipient's receipts, in clock time after the send; null = never. */
interface Receipts {
  who: string;
  deliveredAfter: number | null;
  readAfter: number | null;
  replyAfter: number;
}

/** The jobs a sent message's receipts and replies are, each keyed by the message (and the member, for a reply). */
const DELIVERED_JOB = 'message.delivered';
const READ_JOB = 'message.read';
const PLAYED_JOB = 'message.played';
const REPLY_JOB = 'message.reply';

/** What a reply needs to know of the message it answers. */
interface Answered {
  id: string;
  lineId: string;
  peer: string;
}

/** Sample file a replying customer sends; served by the sandbox under mediaBaseUrl. */
const REPLY_FILE = 'sample.jpg';

/**
 * WhatsApp as the virtual customers see it: delivery and read receipts on the clock, with the
 * behaviour each number's magic suffix asks for, and replies from customers who reply. Its sessions'
 * lifecycle is SimulatedLinks'.
 */
export class SimulatedTransport implements LinkedTransport {
  readonly name = SIMULATED_TRANSPORT;
  private sink: TransportSink | null = null;

  constructor(
    readonly links: SimulatedLinks,
    private readonly scheduler: Scheduler,
    private readonly customers: CustomerDirectory,
    private readonly seed: number,
    private readonly timings: SimulationTimings,
    private readonly mediaBaseUrl: string,
    private readonly groupMembers: GroupMembers = async () => null,
  ) {
    scheduler.handle(DELIVERED_JOB, (payload) => this.requireSink().statusChanged(payload.messageId as string, 'delivered'));
    scheduler.handle(READ_JOB, (payload) => this.read(payload.messageId as string, payload.audio === true));
    scheduler.handle(PLAYED_JOB, (payload) => this.requireSink().receipt(payload.messageId as string, 'played'));
    scheduler.handle(REPLY_JOB, (payload) => {
      const { accountId, message, who, behaviour } = payload as {
        accountId: string;
        message: Answered;
        who: string;
        behaviour: 'replies-text' | 'replies-file';
      };
      return this.requireSink().inbound(accountId, this.reply(message, who, behaviour));
    });
  }

  /** Nothing of the context is needed: its steps are jobs in the engine's schedule, its media sample files. */
  attach(sink: TransportSink & LinkSink): void {
    this.sink = sink;
    this.links.attach(sink);
  }

  open(session: Session, resumed: boolean): Promise<void> {
    return this.links.open(session, resumed);
  }

  requestPairingCode(session: Session): Promise<LinkResult<{ code: string }>> {
    return this.links.requestPairingCode(session);
  }

  restart(session: Session): Promise<void> {
    return this.links.restart(session);
  }

  logout(session: Session): Promise<void> {
    return this.links.logout(session);
  }

  backup(session: Session): Promise<LinkResult<{ token: string; phone: string }>> {
    return this.links.backup(session);
  }

  restore(session: Session, token: string): Promise<LinkResult> {
    return this.links.restore(session, token);
  }

  close(): Promise<void> {
    return this.links.close();
  }

  qrCode(session: Session): { qr: string; rotatesAt: number } | null {
    return this.links.qrCode(session);
  }

  /**
   * A message to a person goes by that person's behaviour. A message to a group the line knows goes to each
   * member: it is delivered once every member has it and read once every member read it, as WhatsApp's
   * ticks show; members who reply answer in the group.
   */
  async send(message: Message, account: Account): Promise<void> {
    const sink = this.requireSink();
    const members = await this.membersOf(message);
    const behaviour = behaviourOf(message.peer);
    if (members === null && behaviour === 'no-whatsapp')
      return sink.statusChanged(message.id, 'failed', { code: 'no_whatsapp', reason: 'the number is not on WhatsApp' });
    if (members === null && behaviour === 'send-fails')
      return sink.statusChanged(message.id, 'failed', { code: 'send_failed', reason: 'the message could not be sent' });
    await sink.statusChanged(message.id, 'sent');
    this.scheduleReceipts(message, account, members, this.scheduler.now());
  }

  /** The receipts' jobs again, due when they were first (their ids and delays follow from the message): idempotent. */
  async resume(message: Message, account: Account): Promise<void> {
    const sentAt = message.history.findLast((step) => step.status === 'sent')?.at ?? this.scheduler.now();
    this.scheduleReceipts(message, account, await this.membersOf(message), sentAt);
  }

  /** The members a group message goes to; null for a message to a person (or to a group the line does not know). */
  private membersOf(message: Message): Promise<string[] | null> {
    return message.peer.endsWith('@g.us') ? this.groupMembers(message.lineId, message.peer, message.from) : Promise.resolve(null);
  }

  /**
   * The delivery, the read receipt and the replies that follow `sent`, written together (Scheduler.atAll):
   * on a shared store an instance dying meanwhile leaves all of them or none, never a delivery without its read.
   */
  private scheduleReceipts(message: Message, account: Account, members: string[] | null, sentAt: number): void {
    const recipients = (members ?? [message.peer]).map((who) => this.receipts(message, who));
    const latest = (times: Array<number | null>) => (times.length === 0 || times.includes(null) ? null : Math.max(...(times as number[])));
    const deliveredAfter = latest(recipients.map((r) => r.deliveredAfter));
    const readAfter = latest(recipients.map((r) => r.readAfter));
    if (deliveredAfter === null) return;
    const jobs: ScheduledJob[] = [
      { id: `${DELIVERED_JOB}:${message.id}`, kind: DELIVERED_JOB, dueAt: sentAt + deliveredAfter, payload: { messageId: message.id } },
    ];
    if (readAfter !== null) {
      const audio = message.media?.kind === 'audio';
      jobs.push({ id: `${READ_JOB}:${message.id}`, kind: READ_JOB, dueAt: sentAt + readAfter, payload: { messageId: message.id, audio } });
      const answered: Answered = { id: message.id, lineId: message.lineId, peer: message.peer };
      for (const recipient of recipients) {
        const behaviour = behaviourOf(recipient.who);
        if (recipient.readAfter === null || (behaviour !== 'replies-text' && behaviour !== 'replies-file')) continue;
        const payload = { accountId: account.id, message: { ...answered }, who: recipient.who, behaviour };
        jobs.push({ id: `${REPLY_JOB}:${message.id}:${recipient.who}`, kind: REPLY_JOB, dueAt: sentAt + recipient.readAfter + recipient.replyAfter, payload });
      }
    }
    this.scheduler.atAll(jobs);
  }

  /** The message is read; a voice or audio message is played a while later. */
  private async read(messageId: string, audio: boolean): Promise<void> {
    await this.requireSink().statusChanged(messageId, 'read');
    if (!audio) return;
    const playedAfter = pickDuration(seededRandom(this.seed, 'played', messageId), this.timings.readToPlayed);
    this.scheduler.after(playedAfter, PLAYED_JOB, { messageId }, `${PLAYED_JOB}:${messageId}`);
  }

  private receipts(message: Message, who: string): Receipts {
    const behaviour = behaviourOf(who);
    const random = who === message.peer ? seededRandom(this.seed, 'receipts', message.id) : seededRandom(this.seed, 'receipts', message.id, who);
    const deliveredAfter = pickDuration(random, this.timings.sentToDelivered);
    const readAfter = deliveredAfter + pickDuration(random, this.timings.deliveredToRead);
    const replyAfter = pickDuration(random, this.timings.readToReply);
    if (behaviour === 'never-delivered' || behaviour === 'no-whatsapp' || behaviour === 'send-fails')
      return { who, deliveredAfter: null, readAfter: null, replyAfter };
    return { who, deliveredAfter, readAfter: behaviour === 'never-read' ? null : readAfter, replyAfter };
  }

  /** A customer's answer quotes the message it answers, in the chat it came in (the group, for a group message). */
  private reply(message: Answered, who: string, behaviour: 'replies-text' | 'replies-file'): InboundMessage {
    const common = {
      from: who,
      media: null,
      profileName: this.customers.profileName(who),
      lineId: message.lineId,
      quotedId: message.id,
      ...(who !== message.peer ? { chat: message.peer } : {}),
    };
    if (behaviour === 'replies-file') return { ...common, text: '', mediaUrl: `${this.mediaBaseUrl}/${REPLY_FILE}` };
    return { ...common, text: this.customers.sentence(who, `reply to ${message.id}`), mediaUrl: null };
  }

  private requireSink(): TransportSink {
    if (!this.sink) throw new Error('transport used before the engine attached to it');
    return this.sink;
  }
}
