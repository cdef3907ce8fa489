import { Injectable } from '@nestjs/common';
import { FEATURE_RECEIVE, FEATURE_SEND_SEEN, WhatsAppEngine, type Account, type Message, type MessageDirection } from '#engine';
import { badRequest, settingRejected } from './wamessenger.errors.js';
import type { SendInput } from './wamessenger.dto.js';
import { PAGE_SIZE, toPage, toPendingItem, toReceivedItem, toStatusReport } from './wamessenger.mapper.js';
import { SWITCH_DELAY_MS, WAMESSENGER_MEDIA_POLICY } from './wamessenger.profile.js';

/** WaMessenger's twelve methods as engine calls. Input arrives parsed; output leaves in wire shape. */
@Injectable()
export class WamessengerService {
  constructor(private readonly engine: WhatsAppEngine) {}

  async send(account: Account, input: SendInput) {
    const result = await this.engine.messages.send(account, {
      recipients: input.recipients,
      text: input.text,
      mediaUrl: input.url,
      mediaPolicy: WAMESSENGER_MEDIA_POLICY,
    });
    if (!result.ok) throw badRequest(result.reason);
    return result.messages;
  }

  async status(account: Account, id: string) {
    const message = await this.engine.messages.get(id);
    if (!message || message.accountId !== account.id || message.direction !== 'outbound') throw badRequest(`no sent message with id ${id}`);
    return toStatusReport(message);
  }

  async sentMessages(account: Account, page: number, peerPrefixes: string[] | undefined) {
    return this.page(account, 'outbound', page, peerPrefixes, toStatusReport);
  }

  async receivedMessages(account: Account, page: number, peerPrefixes: string[] | undefined) {
    return this.page(account, 'inbound', page, peerPrefixes, toReceivedItem);
  }

  /** Messages still in the send queue, oldest first. */
  async pending(account: Account) {
    return (await this.engine.messages.queued(account)).map(toPendingItem);
  }

  async setWebhook(account: Account, url: string) {
    await this.engine.accounts.setWebhookUrl(account, url);
    return { set: 'true', url, message: 'Webhook has been set successfully' };
  }

  async removeWebhook(account: Account) {
    await this.engine.accounts.setWebhookUrl(account, null);
    return { set: 'true', url: '', message: 'Webhook successfully removed' };
  }

  async webhookPending(account: Account) {
    const pending = (await this.engine.webhooks.pending(account.id)).length;
    return { pending, hash: account.key, message: `You have ${pending} pending messages`, url: account.webhookUrl ?? '' };
  }

  async webhookResend(account: Account) {
    if (!account.webhookUrl) {
      const pending = (await this.engine.webhooks.pending(account.id)).length;
      throw settingRejected({ pending, hash: account.key, message: 'Webhook url is not set', url: '' }, 'no webhook url is set');
    }
    const { resent } = await this.engine.webhooks.resend(account);
    return { pending: resent, hash: account.key, message: `Resend ${resent} messages to ${account.webhookUrl}`, url: account.webhookUrl };
  }

  async setSendSeen(account: Account, on: boolean) {
    await this.engine.accounts.setFeature(account, FEATURE_SEND_SEEN, on, SWITCH_DELAY_MS);
    return { set: 'True', message: `sendSeen changed to ${on ? 'on' : 'off'}` };
  }

  async setReceive(account: Account, on: boolean) {
    await this.engine.accounts.setFeature(account, FEATURE_RECEIVE, on, SWITCH_DELAY_MS);
    return { set: 'True', message: `Receive changed to ${on ? 'on' : 'off'}` };
  }

  /** One page of a report, newest first, in WaMessenger's paging envelope. */
  private async page<T>(account: Account, direction: MessageDirection, page: number, peerPrefixes: string[] | undefined, toWire: (message: Message) => T) {
    const result = await this.engine.messages.query({
      accountId: account.id,
      direction,
      order: 'newest',
      offset: (page - 1) * PAGE_SIZE,
      limit: PAGE_SIZE,
      ...(peerPrefixes ? { peerPrefixes } : {}),
    });
    return toPage(result.total, page, result.items.map(toWire));
  }
}
