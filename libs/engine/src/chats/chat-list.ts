import type { GroupService } from '../groups/group.service.js';
import type { Account } from '../store/models.js';
import type { EngineStore } from '../store/store.js';
import type { ContactBook } from '../world/contacts.js';
import { behaviourOf, type CustomerDirectory } from '../world/customers.js';

/** A chat on a line's chat list: a person or a group. */
export interface Chat {
  /** The person's number or the group id. */
  peer: string;
  type: 'person' | 'group';
  /** The saved contact's name, else the person's WhatsApp profile name; the subject for a group. */
  name: string;
}

/**
 * What a line's WhatsApp shows as its chats: everyone it wrote to or heard from, and the groups it is in,
 * most recent first, as WhatsApp lists them.
 */
export class ChatList {
  constructor(
    private readonly store: EngineStore,
    private readonly groups: GroupService,
    private readonly contacts: ContactBook,
    private readonly customers: CustomerDirectory,
  ) {}

  async list(account: Account, lineId: string): Promise<Chat[]> {
    const lastAt = new Map<string, number>();
    for (const direction of ['outbound', 'inbound'] as const) {
      const page = await this.store.messages.query({ accountId: account.id, direction, order: 'oldest', offset: 0, limit: Number.MAX_SAFE_INTEGER });
      for (const message of page.items) {
        if (message.lineId === lineId) lastAt.set(message.peer, Math.max(lastAt.get(message.peer) ?? 0, message.createdAt));
      }
    }
    for (const group of await this.groups.list(lineId)) lastAt.set(group.id, Math.max(lastAt.get(group.id) ?? 0, group.createdAt));
    const chats: Chat[] = [];
    for (const peer of [...lastAt.keys()].sort((a, b) => lastAt.get(b)! - lastAt.get(a)!)) {
      const chat = await this.get(account, lineId, peer);
      if (chat) chats.push(chat);
    }
    return chats;
  }

  /** Any number on WhatsApp, or a group the line is in; undefined otherwise. */
  async get(account: Account, lineId: string, peer: string): Promise<Chat | undefined> {
    if (peer.endsWith('@g.us')) {
      const group = await this.groups.get(lineId, peer);
      return group && { peer, type: 'group', name: group.name };
    }
    if (behaviourOf(peer) === 'no-whatsapp') return undefined;
    const saved = await this.contacts.get(account, peer);
    return { peer, type: 'person', name: saved?.name ?? this.customers.profileName(peer) };
  }
}
