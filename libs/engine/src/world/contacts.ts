import type { EngineClock } from '../clock/clock.js';
import type { Account, Contact } from '../store/models.js';
import type { EngineStore } from '../store/store.js';

export interface ContactDetails {
  phone: string;
  name: string;
  info?: string;
  email?: string;
  web?: string;
}

/** An account's address book: names it gave its customers (WAMM shows them as chat names). */
export class ContactBook {
  constructor(
    private readonly store: EngineStore,
    private readonly clock: EngineClock,
  ) {}

  /** Adds the contact, or updates the one with that number; says which it did. */
  async upsert(account: Account, details: ContactDetails): Promise<{ created: boolean; contact: Contact }> {
    const now = this.clock.now();
    const existing = await this.store.contacts.get(account.id, details.phone);
    const contact: Contact = {
      accountId: account.id,
      phone: details.phone,
      name: details.name,
      info: details.info ?? existing?.info ?? '',
      email: details.email ?? existing?.email ?? '',
      web: details.web ?? existing?.web ?? '',
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    };
    await this.store.contacts.save(contact);
    return { created: !existing, contact };
  }

  async get(account: Account, phone: string): Promise<Contact | undefined> {
    return this.store.contacts.get(account.id, phone);
  }

  async list(account: Account): Promise<Contact[]> {
    return this.store.contacts.list(account.id);
  }

  /** False when there was no such contact. */
  async remove(account: Account, phone: string): Promise<boolean> {
    return this.store.contacts.delete(account.id, phone);
  }
}
