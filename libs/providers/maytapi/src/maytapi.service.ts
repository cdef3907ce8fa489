import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { WhatsAppEngine, type Account, type Group, type GroupResult, type Message, type SendRequest, type Session } from '#engine';
import type { SendInput } from './maytapi.dto.js';
import { findPhone, type Phone } from './maytapi.access.js';
import { badRequest, maytapiError } from './maytapi.errors.js';
import {
  attemptLog,
  chatIdOf,
  engineIdOf,
  failureLog,
  phoneStatus,
  toLogs,
  toPhone,
  toGroupData,
  toProduct,
  toProductData,
  toStatus,
  type LogEntry,
} from './maytapi.mapper.js';
import {
  MAYTAPI_MESSAGE,
  MAYTAPI_PRODUCT,
  phoneIdOfSession,
  phoneNumberOf,
  productOf,
  type MaytapiMessageState,
  type PhoneSettings,
  type ProductSettings,
} from './maytapi.product.js';
import { BASE64_IMAGE_POLICY, MAYTAPI_MEDIA_POLICY } from './maytapi.profile.js';

// The PNG renderer is imported on the first image, not at start-up, where importing it with pngjs and
// qrcode took about 25 ms.
let screenModule: Promise<typeof import('./maytapi.screen.js')> | undefined;
const loadScreen = () => (screenModule ??= import('./maytapi.screen.js'));

/** How many log lines `logs` answers, newest first. */
const LOG_LIMIT = 100;

/** Maytapi's product, phone and message operations as engine calls. Input arrives parsed; output leaves in wire shape. */
@Injectable()
export class MaytapiService {
  constructor(private readonly engine: WhatsAppEngine) {}

  productData(account: Account) {
    return toProduct(account, productOf(account));
  }

  async listPhones(account: Account) {
    return (await this.phones(account)).map((phone) => toPhone(phone.session, phone.settings));
  }

  async queues(account: Account) {
    const queued = await this.engine.messages.queued(account);
    const queues = (await this.phones(account)).map((phone) => ({
      id: Number(phone.id),
      status: phoneStatus(phone.session),
      queue: queued.filter((message) => message.lineId === phone.session.id).length,
    }));
    return { success: true, queues };
  }

  async addPhone(account: Account, number: string | null) {
    const product = productOf(account);
    const count = (await this.phones(account)).length;
    if (count >= product.phoneLimit) {
      throw badRequest(`Phone limit reached: this product can have ${product.phoneLimit} phones`, `phone_limit ${product.phoneLimit} reached`);
    }
    const session = await this.engine.sessions.create(account);
    const settings: PhoneSettings = { sessionId: session.id, number, webhook: null, ackDelivery: false, backups: [] };
    await this.save(account, { phones: { ...product.phones, [session.label]: settings } });
    return { id: Number(session.label), pid: account.key, number };
  }

  async setWebhook(account: Account, url: string) {
    return this.productData(await this.engine.accounts.setWebhookUrl(account, url));
  }

  async setAckPreference(account: Account, on: boolean) {
    return this.productData(await this.save(account, { ackDelivery: on }));
  }

  async logs(account: Account) {
    const entries: LogEntry[] = [];
    for (const attempt of await this.engine.webhooks.attempts({ accountId: account.id, limit: LOG_LIMIT })) {
      entries.push(attemptLog(attempt, await this.phoneOfPayload(account, attempt.body)));
    }
    const failed = await this.engine.messages.query({
      accountId: account.id,
      direction: 'outbound',
      statuses: ['failed'],
      order: 'newest',
      offset: 0,
      limit: LOG_LIMIT,
    });
    for (const message of failed.items) entries.push(failureLog(message, phoneIdOfSession(account, message.lineId) ?? ''));
    entries.sort((a, b) => a.at - b.at);
    return toLogs(account, entries.slice(-LOG_LIMIT));
  }

  /** One of the product's phones; Maytapi's own error for an id it does not know. */
  async phone(account: Account, phoneId: string): Promise<Phone> {
    return findPhone(this.engine, account, phoneId);
  }

  status(phone: Phone) {
    return toStatus(phone.session, phone.settings);
  }

  async qrCode(phone: Phone): Promise<Buffer> {
    const qr = this.engine.sessions.qrCode(phone.session);
    if (!qr) {
      const status = phoneStatus(phone.session);
      throw badRequest(`Phone ${phone.id} is not on the QR code screen (status: ${status})`, `no QR code: the session is ${phone.session.state}`);
    }
    const { qrCodePng } = await loadScreen();
    return qrCodePng(qr.payload);
  }

  async screen(phone: Phone): Promise<Buffer> {
    const { session } = phone;
    const view = {
      status: phoneStatus(session),
      qrPayload: this.engine.sessions.qrCode(session)?.payload ?? null,
      number: phoneNumberOf(session, phone.settings),
    };
    const { screenPng } = await loadScreen();
    return screenPng(view);
  }

  async restart(phone: Phone): Promise<void> {
    await this.engine.sessions.restart(phone.session);
  }

  /** Logging out unlinks the phone: backups taken during that link stop working (the spec says so). */
  async logout(account: Account, phone: Phone): Promise<void> {
    await this.engine.sessions.logout(phone.session);
    const product = productOf(account);
    await this.save(account, {
      phones: { ...product.phones, [phone.id]: { ...phone.settings, backups: [] } },
      revokedBackups: [...product.revokedBackups, ...phone.settings.backups],
    });
  }

  /** The "WhatsApp local storage" that restores the session: the engine's signed credentials travel in WABrowserId. */
  async backup(account: Account, phone: Phone) {
    const result = await this.engine.sessions.backup(phone.session);
    if (!result.ok || phone.session.state !== 'connected') {
      const status = phoneStatus(phone.session);
      throw badRequest(
        `Phone ${phone.id} is not logged in (status: ${status}): backup needs an active session`,
        result.ok ? 'the session is not connected' : result.reason,
      );
    }
    const product = productOf(account);
    await this.save(account, { phones: { ...product.phones, [phone.id]: { ...phone.settings, backups: [...phone.settings.backups, result.token] } } });
    return {
      success: true,
      data: {
        WABrowserId: `"${result.token}"`,
        debugCursor: String(this.engine.clock.now()),
        'remember-me': 'true',
        'whatsapp-mutex': `"${result.phone}"`,
      },
    };
  }

  async restore(account: Account, phone: Phone, token: string): Promise<void> {
    if (productOf(account).revokedBackups.includes(token)) {
      throw badRequest('The backup data is not valid anymore: the phone logged out after it was taken', 'backup revoked by a logout');
    }
    const result = await this.engine.sessions.restore(phone.session, token);
    if (!result.ok) throw badRequest('The backup data is not valid', result.reason);
  }

  async queue(account: Account, phone: Phone) {
    const queued = await this.engine.messages.queued(account);
    return { success: true, stats: { sending: queued.filter((message) => message.lineId === phone.session.id).length } };
  }

  /** Clears the phone's send queue: messages still waiting fail and are never sent. */
  async purgeQueue(account: Account, phone: Phone) {
    for (const message of await this.engine.messages.queued(account)) {
      if (message.lineId === phone.session.id) await this.engine.messages.forceStatus(message.id, 'failed', 'removed from the queue by purgeQueue');
    }
    return { success: true };
  }

  phoneConfig(phone: Phone) {
    return { success: true, status: { webhook: phone.settings.webhook, ack_delivery: phone.settings.ackDelivery } };
  }

  async setPhoneConfig(account: Account, phone: Phone, config: { webhook: string | null; ackDelivery: boolean }) {
    const updated = { ...phone.settings, webhook: config.webhook, ackDelivery: config.ackDelivery };
    await this.save(account, { phones: { ...productOf(account).phones, [phone.id]: updated } });
    return this.phoneConfig({ ...phone, settings: updated });
  }

  /**
   * Back to a new phone's state (the spec: "a replacement for delete/create a new phone"): unlinked and
   * starting up to the QR screen, its own webhook, ack preference, groups, catalog and queue gone.
   */
  async factoryReset(account: Account, phone: Phone): Promise<void> {
    await this.purgeQueue(account, phone);
    await this.engine.groups.forgetLine(phone.session.id);
    await this.engine.catalogs.clear(phone.session.id);
    const product = productOf(account);
    await this.save(account, {
      phones: { ...product.phones, [phone.id]: { sessionId: phone.session.id, number: null, webhook: null, ackDelivery: false, backups: [] } },
      revokedBackups: [...product.revokedBackups, ...phone.settings.backups],
    });
    await this.engine.sessions.reset(phone.session);
  }

  /** The phone's chats: the people it wrote to or heard from and its groups, newest first. */
  async contacts(account: Account, phone: Phone) {
    const { session } = this.loggedIn(phone);
    const chats = await this.engine.chats.list(account, session.id);
    return { success: true, data: chats.map((chat) => ({ id: chatIdOf(chat.peer), name: chat.name, type: chat.type === 'group' ? 'group' : 'chat' })) };
  }

  /** One number on WhatsApp, or one of the phone's groups; the spec answers it as a one-item list. */
  async contact(account: Account, phone: Phone, peer: string) {
    const { session } = this.loggedIn(phone);
    const chat = await this.engine.chats.get(account, session.id, peer);
    if (!chat) {
      throw peer.endsWith('@g.us') ? groupNotFound(peer) : badRequest(`${peer} is not on WhatsApp`, 'the number has no WhatsApp');
    }
    const group = chat.type === 'group' ? await this.engine.groups.get(session.id, peer) : undefined;
    return { success: true, data: [{ id: chatIdOf(chat.peer), name: chat.name, type: chat.type === 'group' ? 'group' : 'chat', image: group?.image ?? '' }] };
  }

  async catalog(phone: Phone) {
    const { session, number } = this.loggedIn(phone);
    const products = await this.engine.catalogs.list(session.id, number);
    return { success: true, data: products.map((product) => toProductData(product, number)) };
  }

  async createGroup(account: Account, phone: Phone, name: string, numbers: string[]) {
    const { session, number } = this.loggedIn(phone);
    const group = groupOrThrow(await this.engine.groups.create(account.id, session.id, number, name, numbers), '');
    return { success: true, data: toGroupData(group, false) };
  }

  /** Pages of 100 groups, 50 when invite links are asked for (the spec's "Max response limit"). */
  async groups(phone: Phone, query: { sort: boolean; invite: boolean; page: number }) {
    const { session } = this.loggedIn(phone);
    let groups = await this.engine.groups.list(session.id);
    if (query.sort) groups = [...groups].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const limit = query.invite ? 50 : 100;
    const page = groups.slice((query.page - 1) * limit, query.page * limit);
    return { success: true, count: page.length, total: groups.length, limit, page: query.page, data: page.map((group) => toGroupData(group, query.invite)) };
  }

  async group(phone: Phone, groupId: string, invite: boolean) {
    const { session } = this.loggedIn(phone);
    const group = await this.engine.groups.get(session.id, groupId);
    if (!group) throw groupNotFound(groupId);
    return { success: true, data: toGroupData(group, invite) };
  }

  async changeMember(phone: Phone, action: 'add' | 'remove' | 'promote' | 'demote', groupId: string, member: string) {
    const { session, number } = this.loggedIn(phone);
    groupOrThrow(await this.engine.groups[action](session.id, groupId, number, member), groupId);
    return { success: true };
  }

  async configureGroup(phone: Phone, groupId: string, change: Partial<Group['settings']>) {
    const { session, number } = this.loggedIn(phone);
    const group = groupOrThrow(await this.engine.groups.configure(session.id, groupId, number, change), groupId);
    return { success: true, data: { ...group.settings } };
  }

  async setProfileImage(account: Account, phone: Phone, groupId: string | null, image: string) {
    const { session, number } = this.loggedIn(phone);
    if (groupId !== null) {
      groupOrThrow(await this.engine.groups.setImage(session.id, groupId, number, image), groupId);
    } else {
      await this.save(account, { phones: { ...productOf(account).phones, [phone.id]: { ...phone.settings, profileImage: image } } });
    }
    return { success: true };
  }

  async leaveGroup(phone: Phone, groupId: string) {
    const { session, number } = this.loggedIn(phone);
    groupOrThrow(await this.engine.groups.leave(session.id, groupId, number), groupId);
    return { success: true, data: true };
  }

  async send(account: Account, phone: Phone, input: SendInput) {
    const status = phoneStatus(phone.session);
    if (status !== 'active') throw notLoggedIn(phone.id, status);
    if (input.to.peer.endsWith('@g.us')) {
      const may = await this.engine.groups.mayWrite(phone.session.id, input.to.peer, phone.session.phone!);
      if (!may.ok)
        throw badRequest(
          may.code === 'admins_only' ? `Only admins can send messages to ${input.to.peer}` : `This phone is not a participant of ${input.to.peer}`,
          may.reason,
        );
    }
    const filterKey = contentKey(input);
    if (!input.skipFilter) await this.dupeFilter(account, phone, input.to.peer, filterKey);
    const request = await this.toSendRequest(account, phone, input);
    request.providerData = MAYTAPI_MESSAGE.write({ ...MAYTAPI_MESSAGE.read(request.providerData), filterKey });
    const result = await this.engine.messages.send(account, { ...request, recipients: [input.to.peer], sessionId: phone.session.id });
    if (!result.ok) {
      switch (result.code) {
        case 'media_rejected':
          if (request.mediaUpload) throw badRequest(`Base64 media must be a jpeg, png, gif or webp image under 1 MB (${result.reason})`, result.reason);
          throw badRequest(`Unsupported media: ${result.reason}`, result.reason);
        case 'session_not_ready':
          throw notLoggedIn(phone.id, status);
        case 'daily_limit':
        case 'rate_limited':
          throw maytapiError(429, `Too many messages: ${result.reason}`, result.reason);
        case 'send_time_past':
          throw badRequest(result.reason);
      }
    }
    return { success: true, data: { chatId: input.to.chatId, msgId: result.messages[0]!.id } };
  }

  /**
   * The spec's spam filter: "In a conversation, the last 3 unique messages can't be sent more than 3 times."
   * The phone's recent sends to this chat, newest first, back to where a fourth different message appears:
   * if the new message is one of those three and already went 3 times in that stretch, it is refused.
   */
  private async dupeFilter(account: Account, phone: Phone, peer: string, key: string): Promise<void> {
    const recent = await this.engine.messages.query({
      accountId: account.id,
      direction: 'outbound',
      peerPrefixes: [peer],
      order: 'newest',
      offset: 0,
      limit: DUPE_WINDOW,
    });
    const unique = new Set<string>();
    let repeats = 0;
    for (const message of recent.items) {
      if (message.peer !== peer || message.lineId !== phone.session.id) continue;
      const sent = MAYTAPI_MESSAGE.read(message.providerData).filterKey;
      if (sent === undefined) continue;
      unique.add(sent);
      if (unique.size > DUPE_UNIQUE) break;
      if (sent === key) repeats++;
    }
    if (repeats >= DUPE_REPEATS) {
      throw badRequest(
        `Duplicate message: the same message was sent ${DUPE_REPEATS} times to ${chatIdOf(peer)} among its last ${DUPE_UNIQUE} unique messages. Add "skip_filter": true to send it anyway.`,
        'the spam/dupe filter refused a repeated message',
      );
    }
  }

  /** A logged-in phone's session and number; Maytapi's refusal otherwise. */
  private loggedIn(phone: Phone): { session: Session; number: string } {
    const status = phoneStatus(phone.session);
    if (status !== 'active' || !phone.session.phone) throw notLoggedIn(phone.id, status);
    return { session: phone.session, number: phone.session.phone };
  }

  private async toSendRequest(account: Account, phone: Phone, input: SendInput): Promise<Omit<SendRequest, 'recipients'>> {
    const data = (extra: Omit<MaytapiMessageState, 'type' | 'filterKey'>) => ({ providerData: MAYTAPI_MESSAGE.write({ type: input.type, ...extra }) });
    switch (input.type) {
      case 'text': {
        if (input.replyTo) await this.referenced(account, input.replyTo, 'reply_to');
        return { kind: 'text', text: input.text, ...data({ replyTo: input.replyTo }) };
      }
      case 'media': {
        if (input.replyTo) await this.referenced(account, input.replyTo, 'reply_to');
        const extra = data({ declaredType: input.declaredType, filename: input.filename });
        if ('url' in input.source) return { kind: 'media', text: input.caption, mediaUrl: input.source.url, mediaPolicy: MAYTAPI_MEDIA_POLICY, ...extra };
        // BASE64_IMAGE_POLICY holds the seed's rule: images only, under 1 MB.
        return {
          kind: 'media',
          text: input.caption,
          mediaUpload: { bytes: input.source.base64, ...(input.filename ? { fileName: input.filename } : {}) },
          mediaPolicy: BASE64_IMAGE_POLICY,
          ...extra,
        };
      }
      case 'location':
        return {
          kind: 'location',
          text: input.name,
          location: { latitude: input.latitude, longitude: input.longitude, ...(input.name ? { name: input.name } : {}) },
          ...data({}),
        };
      case 'contact':
        return { kind: 'contacts', text: '', contacts: [{ name: input.number, phones: [input.number] }], ...data({}) };
      case 'vcard':
        return { kind: 'contacts', text: '', contacts: input.cards, ...data({}) };
      case 'link':
        return { kind: 'link', text: input.text ? `${input.url}\n${input.text}` : input.url, ...data({ url: input.url, caption: input.text }) };
      case 'reaction': {
        const target = await this.referenced(account, input.target, 'reply_to');
        return { kind: 'reaction', text: input.emoji, ...data({ target: target.id }) };
      }
      case 'forward': {
        const target = await this.referenced(account, input.target, 'message');
        // The forwarded copy carries the original's text; its media stays where it is (no second download).
        return { kind: target.kind, text: target.text, ...data({ target: target.id, forwardCaption: input.forwardCaption }) };
      }
      case 'delete': {
        const target = await this.referenced(account, input.target, 'message');
        if (target.direction !== 'outbound' || target.lineId !== phone.session.id) throw badRequest('Only messages sent from this phone can be deleted');
        if (target.status === 'failed') throw badRequest(`Message ${input.target} was never sent, so it cannot be deleted`);
        // Queued after its target on the same phone, the delete goes out after it.
        return { kind: 'other', text: '', revokes: target.id, ...data({ target: target.id }) };
      }
      case 'edit': {
        const target = await this.referenced(account, input.target, 'reply_to');
        if (target.direction !== 'outbound' || target.lineId !== phone.session.id) throw badRequest('Only messages sent from this phone can be edited');
        return { kind: 'text', text: input.text, ...data({ target: target.id }) };
      }
      case 'poll':
        return { kind: 'poll', text: input.question, ...data({ options: input.options }) };
      case 'product': {
        const product = await this.engine.catalogs.find(phone.session.id, phone.session.phone, input.productId);
        if (!product) throw badRequest(`Product ${input.productId} is not in this phone's catalog (see /catalog)`, 'no such product in the catalog');
        return { kind: 'other', text: product.title, ...data({ productId: product.productId }) };
      }
      case 'other':
        return { kind: 'other', text: input.text, ...data({ declaredType: input.declaredType }) };
    }
  }

  /** A message a send refers to (reply, reaction, forward, delete, edit), in any id form Maytapi hands out. */
  private async referenced(account: Account, wireId: string, field: string): Promise<Message> {
    const message = await this.engine.messages.get(engineIdOf(wireId));
    if (!message || message.accountId !== account.id) throw badRequest(`${field}: message ${wireId} not found`);
    return message;
  }

  private async phones(account: Account): Promise<Phone[]> {
    const byLabel = productOf(account).phones;
    const sessions = await this.engine.sessions.list(account);
    return sessions.flatMap((session) => {
      const settings = byLabel[session.label];
      return settings && settings.sessionId === session.id ? [{ id: session.label, session, settings }] : [];
    });
  }

  /** The phone a logged webhook belongs to: named in message and status payloads, found from the message for acks. */
  private async phoneOfPayload(account: Account, body: unknown): Promise<string> {
    const payload = body as { phone_id?: unknown; data?: Array<{ msgId?: unknown }> } | undefined;
    if (typeof payload?.phone_id === 'number') return String(payload.phone_id);
    const msgId = payload?.data?.[0]?.msgId;
    const message = typeof msgId === 'string' ? await this.engine.messages.get(msgId) : undefined;
    return (message && phoneIdOfSession(account, message.lineId)) ?? '';
  }

  private async save(account: Account, patch: Partial<ProductSettings>): Promise<Account> {
    return this.engine.accounts.updateState(account, MAYTAPI_PRODUCT, patch);
  }
}

/** The spam filter: 3 repeats among the last 3 unique messages; at most this many recent sends are looked at. */
const DUPE_REPEATS = 3;
const DUPE_UNIQUE = 3;
const DUPE_WINDOW = 200;

/**
 * What makes two sends "the same message" for the spam filter: everything but the recipient and the filter
 * switch, hashed, so a stored message keeps 43 characters rather than a copy of a base64 image.
 */
function contentKey(input: SendInput): string {
  const { to: _to, skipFilter: _skip, ...content } = input;
  const hash = createHash('sha256');
  if (content.type === 'media' && 'base64' in content.source) {
    hash.update(JSON.stringify({ ...content, source: { mime: content.source.mime } }));
    hash.update(content.source.base64);
  } else {
    hash.update(JSON.stringify(content));
  }
  return hash.digest('base64url');
}

function groupOrThrow(result: GroupResult, groupId: string): Group {
  if (result.ok) return result.group;
  switch (result.code) {
    case 'not_found':
      throw groupNotFound(groupId, result.reason);
    case 'not_admin':
      throw badRequest(`This phone is not an admin of [${groupId}]`, result.reason);
    default:
      throw badRequest(capitalize(result.reason), result.reason);
  }
}

function groupNotFound(groupId: string, reason = 'the phone is in no such group') {
  return badRequest(`[${groupId}] is not a group of this phone`, reason);
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function notLoggedIn(phoneId: string, status: string) {
  const why =
    status === 'qr-code' || status === 'idle' ? 'scan the QR code first' : status === 'loading' ? 'wait until it has loaded' : 'its connection is down';
  return badRequest(`Phone ${phoneId} is not logged in (status: ${status}): ${why}`, `the phone's session is not connected (${status})`);
}
