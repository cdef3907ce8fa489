import type { WhatsAppEngine } from '#engine';
import type { RelayDirectory } from '#relay';

/** How many of the line's latest messages are searched for a chat whose customer goes by a name. */
const RECENT_CHATS = 500;

/**
 * Who a relay phone's notification names, found as the phone finds them: the account's saved contacts
 * (the phone's address book), then the customers the line chats with, by their WhatsApp profile name
 * (what WhatsApp shows, after a "~", for a number the phone has not saved), and groups by subject.
 */
export class EngineRelayDirectory implements RelayDirectory {
  /** The engine is built after its transports: it is asked for when a notification comes. */
  constructor(private readonly engine: () => WhatsAppEngine) {}

  async numberNamed(accountId: string, lineId: string, name: string): Promise<string | null> {
    const engine = this.engine();
    const account = await engine.accounts.get(accountId);
    if (!account) return null;
    const wanted = name.replace(/^~\s*/, '').toLocaleLowerCase();
    const contact = (await engine.contacts.list(account)).find((saved) => saved.name.toLocaleLowerCase() === wanted);
    if (contact) return contact.phone;
    for (const direction of ['inbound', 'outbound'] as const) {
      const recent = await engine.messages.query({ accountId, direction, order: 'newest', offset: 0, limit: RECENT_CHATS });
      for (const message of recent.items) {
        if (message.lineId !== lineId || message.peer.endsWith('@g.us')) continue;
        const profileName = message.profileName ?? engine.customers.profileName(message.peer);
        if (profileName.toLocaleLowerCase() === wanted) return message.peer;
      }
    }
    return null;
  }

  async groupNamed(lineId: string, subject: string): Promise<string | null> {
    const group = (await this.engine().groups.list(lineId)).find((known) => known.name === subject && known.leftAt === null);
    return group?.id ?? null;
  }
}
