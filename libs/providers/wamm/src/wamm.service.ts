import { Injectable } from '@nestjs/common';
import { behaviourOf, WhatsAppEngine, type Account, type Message, type MessageDirection, type SendRejectionCode } from '#engine';
import type { Base64File, ContactInput, Peer } from './wamm.dto.js';
import { ERR, wammError } from './wamm.errors.js';
import { chatNameOf, toMessageRow, toStateData } from './wamm.mapper.js';
import { WAMM_ACCOUNT, WAMM_MEDIA_POLICY } from './wamm.profile.js';

/**
 * Numbers ending in this are slow to check for WhatsApp: the first request naming one starts the check,
 * which takes WHATSAPP_CHECK_MS of clock time; until it ends, sends and contact_to answer "phone not checked
 * for WhatsApp, please retry" and check_phone "fail execution". Afterwards the number behaves normally.
 */
export const SLOW_CHECK_SUFFIX = '000009';
export const WHATSAPP_CHECK_MS = 10_000;

/** The seed has no text for the engine's refusals; each takes the closest seed text. */
const REFUSALS: Record<SendRejectionCode, (typeof ERR)[keyof typeof ERR]> = {
  daily_limit: ERR.accNotAuthorized,
  rate_limited: ERR.accNotAuthorized,
  session_not_ready: ERR.accNotAuthorized,
  media_rejected: ERR.urlFail,
  send_time_past: ERR.failExecution,
};

export type WhatsAppCheck = 'exists' | 'none' | 'pending';

export type Outgoing = { text: string } | { url: string } | { file: Base64File };

/** WAMM's routes as engine calls. Input arrives parsed; output leaves in wire shape. */
@Injectable()
export class WammService {
  constructor(private readonly engine: WhatsAppEngine) {}

  async send(account: Account, peer: Peer, outgoing: Outgoing): Promise<{ err: 0; msg_id: number }> {
    await this.requireWhatsApp(account, peer);
    const result = await this.engine.messages.send(account, {
      recipients: [peer.id],
      text: 'text' in outgoing ? outgoing.text : '',
      ...('url' in outgoing ? { mediaUrl: outgoing.url, mediaPolicy: WAMM_MEDIA_POLICY } : {}),
      ...('file' in outgoing ? { mediaUpload: { bytes: outgoing.file.bytes, fileName: outgoing.file.fileName }, mediaPolicy: WAMM_MEDIA_POLICY } : {}),
    });
    if (!result.ok) throw wammError(REFUSALS[result.code], result.reason);
    return { err: 0, msg_id: Number(result.messages[0]!.id) };
  }

  async state(account: Account, id: string) {
    const message = await this.engine.messages.get(id);
    if (!message || message.accountId !== account.id) throw wammError(ERR.msgNotFound, `no message ${id} on this account`);
    return { err: 0, msg_data: toStateData(message) };
  }

  async checkPhone(account: Account, peer: Peer): Promise<{ err: 0; result: 'exists' | 'none' }> {
    const check = await this.whatsAppCheck(account, peer);
    if (check === 'pending') throw wammError(ERR.failExecution, `the WhatsApp check of ${peer.phone} is still running; retry`);
    return { err: 0, result: check };
  }

  /** The newest `col` messages, sent and received together (or one direction), newest first. */
  async lastMessages(account: Account, col: number, direction: MessageDirection | undefined) {
    return this.rows(account, col, direction, undefined);
  }

  async chatMessages(account: Account, peer: Peer, col: number) {
    return this.rows(account, col, undefined, peer);
  }

  async contactTo(account: Account, input: ContactInput) {
    await this.requireWhatsApp(account, input.peer);
    const { created } = await this.engine.contacts.upsert(account, {
      phone: input.peer.id,
      name: input.name,
      ...(input.info !== undefined ? { info: input.info } : {}),
      ...(input.email !== undefined ? { email: input.email } : {}),
      ...(input.web !== undefined ? { web: input.web } : {}),
    });
    return { err: 0, result: created ? 'insert' : 'update' };
  }

  async contactDelete(account: Account, peer: Peer) {
    if (!(await this.engine.contacts.remove(account, peer.id))) throw wammError(ERR.phoneNotFound, `${peer.phone} is not in the contacts`);
    return { err: 0, result: 'delete' };
  }

  /** WAMM checks a number for WhatsApp before it sends to it or saves it. */
  private async requireWhatsApp(account: Account, peer: Peer): Promise<void> {
    const check = await this.whatsAppCheck(account, peer);
    if (check === 'none') throw wammError(ERR.noWhatsApp, `${peer.phone} has no WhatsApp (magic number …000000)`);
    if (check === 'pending')
      throw wammError(ERR.phoneNotChecked, `the WhatsApp check of ${peer.phone} is still running (magic number …${SLOW_CHECK_SUFFIX}); retry`);
  }

  /** What the engine's world says of the number; a slow-check number is pending until its check ends. */
  private async whatsAppCheck(account: Account, peer: Peer): Promise<WhatsAppCheck> {
    if (peer.group) return 'exists';
    if (behaviourOf(peer.id) === 'no-whatsapp') return 'none';
    if (!peer.id.endsWith(SLOW_CHECK_SUFFIX)) return 'exists';
    const now = this.engine.clock.now();
    // Provider state, so it lives on the account in the engine's store.
    const checks = WAMM_ACCOUNT.read(account.settings).whatsappChecksReadyAt;
    const readyAt = checks[peer.id];
    if (readyAt === undefined) {
      await this.engine.accounts.updateState(account, WAMM_ACCOUNT, { whatsappChecksReadyAt: { ...checks, [peer.id]: now + WHATSAPP_CHECK_MS } });
      return 'pending';
    }
    return now >= readyAt ? 'exists' : 'pending';
  }

  private async rows(account: Account, col: number, direction: MessageDirection | undefined, peer: Peer | undefined) {
    const directions: MessageDirection[] = direction ? [direction] : ['outbound', 'inbound'];
    const messages = (await Promise.all(directions.map((d) => this.newest(account, d, col, peer))))
      .flat()
      .sort((a, b) => b.createdAt - a.createdAt || Number(b.id) - Number(a.id))
      .slice(0, col);
    if (messages.length === 0) throw wammError(ERR.msgsNotFound, peer ? `no messages with ${peer.phone}` : 'no messages');
    const names = new Map((await this.engine.contacts.list(account)).map((contact) => [contact.phone, contact.name]));
    const whatsAppName = (phone: string) => this.engine.customers.profileName(phone);
    return { err: 0, msg_data: messages.map((message) => toMessageRow(message, chatNameOf(message, names.get(message.peer), whatsAppName))) };
  }

  /** The newest `col` messages of one direction; with a peer, only that exact chat (the store filters by prefix). */
  private async newest(account: Account, direction: MessageDirection, col: number, peer: Peer | undefined): Promise<Message[]> {
    const found: Message[] = [];
    const pageSize = Math.max(col, 100);
    for (let offset = 0; found.length < col; offset += pageSize) {
      const page = await this.engine.messages.query({
        accountId: account.id,
        direction,
        order: 'newest',
        offset,
        limit: pageSize,
        ...(peer ? { peerPrefixes: [peer.id] } : {}),
      });
      found.push(...(peer ? page.items.filter((message) => message.peer === peer.id) : page.items));
      if (offset + pageSize >= page.total) break;
    }
    return found.slice(0, col);
  }
}
