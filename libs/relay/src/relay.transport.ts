import { randomBytes } from 'node:crypto';
import {
  behaviourOf,
  pickDuration,
  seededRandom,
  type Account,
  type DurationRange,
  type Failure,
  type LinkedTransport,
  type LinkResult,
  type LinkSink,
  type LinkUpdate,
  type Message,
  type Session,
  type TransportContext,
  type TransportSink,
  type TransportState,
} from '#engine';
import { parseNotification } from './notification.js';

/**
 * How long a device holds a message it fetched before the message is offered again. The article's phone
 * spends at most about 9.6 s in WhatsApp's UI on one message (its waits add up to that when the chat never
 * opens), plus two HTTP calls: 30 s is three times that, so a slow phone is not handed a duplicate, and a
 * phone that died mid-message has its message offered again within half a minute.
 */
export const RELAY_LEASE_MS = 30_000;

/** The simulated phone: what the article measured. */
export const SIMULATED_PHONE = {
  /** Automagic's periodic timer asks for the next message every 5 s. */
  pollEveryMs: 5_000,
  /** "About 5 s per message to a new contact": open the chat, type, send, go back. */
  sending: { minMs: 4_000, maxMs: 6_000 } satisfies DurationRange,
  /** The article's Control UI script gives up on WhatsApp's input field after its waits: 2 + 0.2 + 0.2 + 1.5 + 5.5 + 0.2 s. */
  uiTimeoutMs: 9_600,
} as const;

/** The device's answer codes (the article's `status`): 1 = sent, 2 = not on WhatsApp, or WhatsApp's UI timed out. */
export const RESULT_SENT = 1;
export const RESULT_FAILED = 2;
export type RelayResult = typeof RESULT_SENT | typeof RESULT_FAILED;

const NOT_SENT: Failure = {
  code: 'no_whatsapp',
  reason: 'the relay phone could not open the chat: the number is not on WhatsApp, or WhatsApp did not answer in time',
};
const TEXT_ONLY: Failure = { code: 'media_rejected', reason: 'the relay phone sends text only (it types into the chat; it attaches nothing)' };
const NO_GROUPS: Failure = { code: 'send_failed', reason: 'the relay phone opens chats by number (click to chat): it cannot write to a group' };
const NO_DEVICE: Failure = { code: 'session_closed', reason: 'no relay phone is linked to the line' };

/**
 * The line a phone relays: the messages of `lineId` wait for it (an account's own line, or one of its
 * sessions), and its link is the session `sessionId` (for an account's own line, the account's link session).
 */
export interface RelayLine {
  accountId: string;
  lineId: string;
  sessionId: string;
  /** The WhatsApp number on the phone. */
  phone: string;
}

/** A phone that relays one line: it polls for that line's messages and forwards its notifications. */
export interface RelayDevice {
  id: string;
  name: string;
  /** Its own WhatsApp number, when it was given: the number a line linked to it sends as. */
  phone: string | null;
  createdAt: number;
  /** The line it relays, once linked. */
  line: RelayLine | null;
  /** Clock time of its last poll; null before the first. */
  lastPollAt: number | null;
  /** A simulated phone on the engine's clock; null for a real one. */
  simulated: SimulatedPhoneState | null;
}

/** What a simulated phone is doing, stored so a restarted sandbox carries it on. */
export interface SimulatedPhoneState {
  polling: boolean;
  /**
   * Counts its steps: each one armed on the clock runs only if the phone is still at the step it was armed
   * for, so a phone armed twice (linked again, the sandbox resumed) still takes each step once.
   */
  step: number;
  nextPollAt: number | null;
  /** The message it is typing, and the result it will post when done. */
  inHand: { id: string; status: RelayResult; resultAt: number } | null;
}

/** A message waiting for its line's phone; a lease is one phone's claim on it while it tries. */
interface QueuedSend {
  messageId: string;
  /** Whichever phone relays the line gets it (a phone linked in place of another takes over its queue). */
  lineId: string;
  phone: string;
  text: string;
  /** How many times it was handed to the phone. */
  offers: number;
  leasedUntil: number | null;
}

export type NextAnswer = { send: false } | { send: true; id: string; phone: string; text: string; link: string };

export type RelayRefusal = { ok: false; code: 'unauthorized' | 'not_found' | 'conflict'; reason: string };

export type NotificationAnswer = { ok: true; accepted: true } | { ok: true; accepted: false; reason: string };

/** Finds who a notification's title names, as the line's phone would: its saved contacts, its chats, its groups. */
export interface RelayDirectory {
  /** The number the line knows by this name (a saved contact, a customer it chats with), or null. */
  numberNamed(accountId: string, lineId: string, name: string): Promise<string | null>;
  /** The line's group with this subject, or null. */
  groupNamed(lineId: string, subject: string): Promise<string | null>;
}

/** Runs a step at a clock time: the engine's clock (`EngineClock.scheduleAt`). */
export interface RelayTimer {
  scheduleAt(at: number, run: () => Promise<void>, label?: string): unknown;
}

export interface RelayOptions {
  timer: RelayTimer;
  directory: RelayDirectory;
  /** Seeds the simulated phones' sending times. */
  seed: number;
  leaseMs?: number;
}

/** WhatsApp's Android packages (and WhatsApp Business's): a phone forwarding every app's notifications names the app. */
const WHATSAPP_APPS = new Set(['com.whatsapp', 'com.whatsapp.w4b']);

const DEVICE = 'device:';
const TOKEN = 'token:';
const LINE = 'line:';
const SESSION = 'session:';
const QUEUE = 'queue:';
const QUEUED_MESSAGE = 'message:';
const SEQUENCE = 'sequence';

/**
 * The Android relay of the seed's article: a phone without root, running an automation app (Automagic,
 * Tasker), polls the sandbox for the next message of the line it relays, sends it through WhatsApp's own UI
 * (a click-to-chat link, then types and taps Send), and posts a result: 1 sent, 2 not sent. It forwards
 * every WhatsApp notification, which becomes an inbound message. So statuses are only sent or failed (the
 * phone sees no ticks), and only text goes out.
 *
 * Everything lives in the transport's durable state: the devices, their tokens, the lines they relay and
 * the queue, so nothing accepted is lost when the sandbox restarts or a phone stops polling. A simulated
 * phone plays the article's timings on the engine's clock, so the whole path runs without a phone.
 */
export class RelayTransport implements LinkedTransport {
  readonly name = 'relay';
  private sink: (TransportSink & LinkSink) | null = null;
  private context: TransportContext | null = null;
  /** Every operation reads and writes several keys: one at a time, so two polls never lease the same message. */
  private turn: Promise<unknown> = Promise.resolve();
  private readonly leaseMs: number;

  constructor(private readonly options: RelayOptions) {
    this.leaseMs = options.leaseMs ?? RELAY_LEASE_MS;
  }

  attach(sink: TransportSink & LinkSink, context: TransportContext): void {
    this.sink = sink;
    this.context = context;
  }

  /** Queues a text for its line's phone; what cannot go through a phone's WhatsApp UI fails at once. */
  async send(message: Message, _account: Account): Promise<void> {
    const sink = this.requireSink();
    if (message.peer.endsWith('@g.us')) return sink.statusChanged(message.id, 'failed', NO_GROUPS);
    if (message.kind !== 'text' && message.kind !== 'link') return sink.statusChanged(message.id, 'failed', TEXT_ONLY);
    const failure = await this.exclusive(async () => {
      const state = this.state();
      if ((await state.get<string>(LINE + message.lineId)) === undefined) return NO_DEVICE;
      const sequence = ((await state.get<number>(SEQUENCE)) ?? 0) + 1;
      await state.set(SEQUENCE, sequence);
      const key = QUEUE + String(sequence).padStart(12, '0');
      const queued: QueuedSend = {
        messageId: message.id,
        lineId: message.lineId,
        phone: message.peer,
        text: message.text,
        offers: 0,
        leasedUntil: null,
      };
      await state.set(key, queued);
      await state.set(QUEUED_MESSAGE + message.id, key);
      return null;
    });
    if (failure) await sink.statusChanged(message.id, 'failed', failure);
  }

  /** A new phone, with the token it authenticates with; a simulated one starts polling at once. */
  async createDevice(spec: { name?: string; phone?: string; simulated?: boolean }): Promise<{ device: RelayDevice; token: string }> {
    const created = await this.exclusive(async () => {
      const state = this.state();
      const token = randomBytes(18).toString('base64url');
      const id = `relay-${randomBytes(6).toString('hex')}`;
      const now = this.now();
      const device: RelayDevice = {
        id,
        name: spec.name ?? id,
        phone: spec.phone ?? null,
        createdAt: now,
        line: null,
        lastPollAt: null,
        simulated: spec.simulated ? { polling: true, step: 0, nextPollAt: now, inHand: null } : null,
      };
      await state.set(DEVICE + id, device);
      await state.set(TOKEN + token, id);
      return { device, token };
    });
    if (created.device.simulated) this.arm(created.device);
    return created;
  }

  async device(id: string): Promise<RelayDevice | undefined> {
    return this.state().get<RelayDevice>(DEVICE + id);
  }

  /** The messages waiting for the line the device relays (leased ones included), oldest first. */
  async queue(device: RelayDevice): Promise<Array<{ id: string; phone: string; offers: number; leasedUntil: number | null }>> {
    if (!device.line) return [];
    const { lineId } = device.line;
    return (await this.state().entries<QueuedSend>(QUEUE))
      .map(([, queued]) => queued)
      .filter((queued) => queued.lineId === lineId)
      .map((queued) => ({ id: queued.messageId, phone: queued.phone, offers: queued.offers, leasedUntil: queued.leasedUntil }));
  }

  /** The phone relays this line from now on: the line's messages wait for it, its notifications arrive there; its session is connected. */
  async link(deviceId: string, line: RelayLine): Promise<LinkResult<{ device: RelayDevice }>> {
    const linked = await this.exclusive(async (): Promise<LinkResult<{ device: RelayDevice }>> => {
      const state = this.state();
      const device = await state.get<RelayDevice>(DEVICE + deviceId);
      if (!device) return { ok: false, reason: `no relay device ${deviceId}` };
      if (device.line && device.line.lineId !== line.lineId) return { ok: false, reason: `the device already relays ${device.line.lineId}` };
      const current = await state.get<string>(LINE + line.lineId);
      if (current !== undefined && current !== deviceId) return { ok: false, reason: `the line is relayed by ${current}` };
      const updated: RelayDevice = { ...device, line };
      await state.set(DEVICE + deviceId, updated);
      await state.set(LINE + line.lineId, deviceId);
      await state.set(SESSION + line.sessionId, deviceId);
      return { ok: true, device: updated };
    });
    if (!linked.ok) return linked;
    this.arm(linked.device);
    // Linked now (the session records when), and it can send at once: the phone is WhatsApp itself.
    await this.announce(line.sessionId, { state: 'loading', phone: line.phone });
    await this.announce(line.sessionId, { state: 'connected', phone: line.phone, profileName: null });
    return linked;
  }

  /** The phone relaying a session, if one does. */
  async deviceOf(sessionId: string): Promise<RelayDevice | undefined> {
    const deviceId = await this.state().get<string>(SESSION + sessionId);
    return deviceId === undefined ? undefined : this.device(deviceId);
  }

  /** The device's poll: the oldest message of its line that no phone holds, now leased to it; or nothing to send. */
  async next(token: string): Promise<NextAnswer | RelayRefusal> {
    return this.exclusive(async () => {
      const device = await this.authenticate(token);
      return device ? this.offer(device) : unauthorized();
    });
  }

  /** The device's result for a message it was handed: 1 sent, 2 not sent. The first result counts; the message leaves the queue. */
  async result(token: string, messageId: string, status: RelayResult): Promise<{ ok: true } | RelayRefusal> {
    const outcome = await this.exclusive(async () => {
      const device = await this.authenticate(token);
      return device ? this.settle(device, messageId) : unauthorized();
    });
    if (outcome.ok) await this.report(messageId, status);
    return outcome;
  }

  /** A WhatsApp notification the phone forwarded: a message to its line, unless it is a summary or names nobody the line knows. */
  async notification(token: string, notification: { title: string; text: string; app?: string }): Promise<NotificationAnswer | RelayRefusal> {
    const device = await this.exclusive(() => this.authenticate(token));
    if (!device) return unauthorized();
    if (notification.app !== undefined && !WHATSAPP_APPS.has(notification.app))
      return { ok: true, accepted: false, reason: `${notification.app} is not WhatsApp` };
    if (!device.line) return { ok: true, accepted: false, reason: 'the device relays no line yet' };
    const parsed = parseNotification(notification.title, notification.text);
    if (parsed.kind === 'ignored') return { ok: true, accepted: false, reason: parsed.reason };
    const { accountId, lineId } = device.line;
    const { directory } = this.options;
    const from = 'number' in parsed.sender ? parsed.sender.number : await directory.numberNamed(accountId, lineId, parsed.sender.name);
    if (from === null) return { ok: true, accepted: false, reason: `the line knows nobody named "${'name' in parsed.sender ? parsed.sender.name : ''}"` };
    const chat = parsed.group === null ? null : await directory.groupNamed(lineId, parsed.group);
    if (parsed.group !== null && chat === null) return { ok: true, accepted: false, reason: `the line is in no group "${parsed.group}"` };
    await this.requireSink().inbound(accountId, {
      from,
      text: parsed.text,
      mediaUrl: null,
      media: null,
      profileName: 'name' in parsed.sender ? parsed.sender.name : null,
      ...(lineId !== accountId ? { lineId } : {}),
      ...(chat !== null ? { chat } : {}),
    });
    return { ok: true, accepted: true };
  }

  /** A simulated phone stops polling (switched off, out of battery: a message in hand gets no result) or starts again. */
  async setPolling(deviceId: string, polling: boolean): Promise<RelayDevice | undefined> {
    const updated = await this.exclusive(async () => {
      const device = await this.state().get<RelayDevice>(DEVICE + deviceId);
      if (!device?.simulated || device.simulated.polling === polling) return device;
      return this.saveSimulated(device, { ...device.simulated, polling, nextPollAt: polling ? this.now() : null, inHand: null });
    });
    if (updated?.simulated?.polling && polling) this.arm(updated);
    return updated;
  }

  // SessionLinks: a relayed session's link is its phone. It is linked through the sandbox (a device and its
  // token), not by a QR scan or a pairing code, and there are no credentials to back up.

  /**
   * A relayed session is connected while a phone is linked to it; a simulated phone carries on where the store
   * says it was. Resumed in the state it was stored in, nothing changed: nothing is announced again.
   */
  async open(session: Session, resumed = false): Promise<void> {
    const device = await this.deviceOf(session.id);
    if (device) this.arm(device);
    const update: LinkUpdate = device?.line
      ? { state: 'connected', phone: device.line.phone, profileName: null }
      : { state: 'disconnected', reason: 'waiting for a relay phone to be linked', retryInMs: null };
    if (resumed && session.state === update.state) return;
    await this.announce(session.id, update);
  }

  async requestPairingCode(): Promise<LinkResult<{ code: string }>> {
    return { ok: false, reason: 'a relay phone is linked through the sandbox with its device token, not a pairing code' };
  }

  async restart(session: Session): Promise<void> {
    await this.open(session);
  }

  async logout(session: Session): Promise<void> {
    await this.unlink(session.id);
    await this.announce(session.id, { state: 'logged-out', reason: 'the relay phone was unlinked' });
  }

  async backup(): Promise<LinkResult<{ token: string; phone: string }>> {
    return { ok: false, reason: 'a relay phone keeps no WhatsApp credentials the sandbox could back up' };
  }

  async restore(): Promise<LinkResult> {
    return { ok: false, reason: 'a relay phone keeps no WhatsApp credentials the sandbox could restore' };
  }

  async close(): Promise<void> {}

  /** The session's line is no longer relayed; its queued messages stay queued (they go out if a phone is linked again). */
  async unlink(sessionId: string): Promise<void> {
    await this.exclusive(async () => {
      const state = this.state();
      const deviceId = await state.get<string>(SESSION + sessionId);
      if (deviceId === undefined) return;
      await state.delete(SESSION + sessionId);
      const device = await state.get<RelayDevice>(DEVICE + deviceId);
      if (!device) return;
      if (device.line) await state.delete(LINE + device.line.lineId);
      await state.set(DEVICE + deviceId, { ...device, line: null });
    });
  }

  private async offer(device: RelayDevice): Promise<NextAnswer> {
    const state = this.state();
    const now = this.now();
    await state.set(DEVICE + device.id, { ...device, lastPollAt: now });
    if (!device.line) return { send: false };
    for (const [key, queued] of await state.entries<QueuedSend>(QUEUE)) {
      if (queued.lineId !== device.line.lineId || (queued.leasedUntil !== null && queued.leasedUntil > now)) continue;
      await state.set(key, { ...queued, offers: queued.offers + 1, leasedUntil: now + this.leaseMs });
      return { send: true, id: queued.messageId, phone: queued.phone, text: queued.text, link: clickToChat(queued.phone, queued.text) };
    }
    return { send: false };
  }

  /** Takes a message the device was handed off the queue; a refusal when it holds no such message. */
  private async settle(device: RelayDevice, messageId: string): Promise<{ ok: true } | RelayRefusal> {
    const state = this.state();
    const key = await state.get<string>(QUEUED_MESSAGE + messageId);
    const queued = key === undefined ? undefined : await state.get<QueuedSend>(key);
    if (key === undefined || queued === undefined || queued.lineId !== device.line?.lineId)
      return { ok: false, code: 'not_found', reason: `no message ${messageId} waits for a result from this device` };
    if (queued.offers === 0) return { ok: false, code: 'conflict', reason: `message ${messageId} was never handed to the device` };
    await state.delete(key);
    await state.delete(QUEUED_MESSAGE + messageId);
    return { ok: true };
  }

  private async report(messageId: string, status: RelayResult): Promise<void> {
    if (status === RESULT_SENT) await this.requireSink().statusChanged(messageId, 'sent');
    else await this.requireSink().statusChanged(messageId, 'failed', NOT_SENT);
  }

  /** A simulated phone's next step on the clock: a poll, or the result of the message in hand. */
  private arm(device: RelayDevice): void {
    const phone = device.simulated;
    if (!phone?.polling) return;
    const { step } = phone;
    if (phone.inHand) {
      this.options.timer.scheduleAt(phone.inHand.resultAt, () => this.simulatedResult(device.id, step), `relay.result ${device.id}`);
    } else if (phone.nextPollAt !== null) {
      this.options.timer.scheduleAt(phone.nextPollAt, () => this.simulatedPoll(device.id, step), `relay.poll ${device.id}`);
    }
  }

  /**
   * The simulated phone asks for a message. It takes about 5 s to send one; a number without WhatsApp (or
   * one whose sends fail) never shows the chat's input field, so the phone gives up after the UI timeout.
   */
  private async simulatedPoll(deviceId: string, step: number): Promise<void> {
    const updated = await this.exclusive(async () => {
      const device = await this.simulatedOn(deviceId, step);
      if (!device) return null;
      const answer = await this.offer(device);
      const now = this.now();
      let simulated: SimulatedPhoneState = { ...device.simulated!, nextPollAt: now + SIMULATED_PHONE.pollEveryMs, inHand: null };
      if (answer.send) {
        const behaviour = behaviourOf(answer.phone);
        const reachable = behaviour !== 'no-whatsapp' && behaviour !== 'send-fails';
        const takes = reachable ? pickDuration(seededRandom(this.options.seed, 'relay-send', answer.id), SIMULATED_PHONE.sending) : SIMULATED_PHONE.uiTimeoutMs;
        simulated = { ...simulated, nextPollAt: null, inHand: { id: answer.id, status: reachable ? RESULT_SENT : RESULT_FAILED, resultAt: now + takes } };
      }
      return this.saveSimulated({ ...device, lastPollAt: now }, simulated);
    });
    if (updated) this.arm(updated);
  }

  /** The simulated phone posts its result, and polls again a poll interval later. */
  private async simulatedResult(deviceId: string, step: number): Promise<void> {
    const done = await this.exclusive(async () => {
      const device = await this.simulatedOn(deviceId, step);
      const inHand = device?.simulated?.inHand;
      if (!device || !inHand) return null;
      const settled = await this.settle(device, inHand.id);
      const simulated = { ...device.simulated!, nextPollAt: this.now() + SIMULATED_PHONE.pollEveryMs, inHand: null };
      return { device: await this.saveSimulated(device, simulated), report: settled.ok ? inHand : null };
    });
    if (!done) return;
    if (done.report) await this.report(done.report.id, done.report.status);
    this.arm(done.device);
  }

  /** The simulated phone, if it is still at this step (not stopped since, nor a step taken twice, nor the world reset). */
  private async simulatedOn(deviceId: string, step: number): Promise<RelayDevice | null> {
    const device = await this.state().get<RelayDevice>(DEVICE + deviceId);
    return device?.simulated?.step === step && device.simulated.polling ? device : null;
  }

  /** Its next step, stored. */
  private async saveSimulated(device: RelayDevice, simulated: SimulatedPhoneState): Promise<RelayDevice> {
    const updated = { ...device, simulated: { ...simulated, step: simulated.step + 1 } };
    await this.state().set(DEVICE + device.id, updated);
    return updated;
  }

  private async authenticate(token: string): Promise<RelayDevice | undefined> {
    if (token === '') return undefined;
    const id = await this.state().get<string>(TOKEN + token);
    return id === undefined ? undefined : this.state().get<RelayDevice>(DEVICE + id);
  }

  private async announce(sessionId: string, update: LinkUpdate): Promise<void> {
    await this.requireSink().sessionChanged(sessionId, update);
  }

  private exclusive<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.turn.then(operation, operation);
    this.turn = result.catch(() => undefined);
    return result;
  }

  private state(): TransportState {
    if (!this.context) throw new Error('relay used before the engine attached to it');
    return this.context.state;
  }

  private now(): number {
    return this.context!.now();
  }

  private requireSink(): TransportSink & LinkSink {
    if (!this.sink) throw new Error('relay used before the engine attached to it');
    return this.sink;
  }
}

function unauthorized(): RelayRefusal {
  return { ok: false, code: 'unauthorized', reason: 'unknown device token' };
}

/** WhatsApp's click-to-chat link, what the article's phone opens to start the chat with the text typed in. */
function clickToChat(phone: string, text: string): string {
  return `https://api.whatsapp.com/send?phone=${phone}&text=${encodeURIComponent(text)}`;
}
