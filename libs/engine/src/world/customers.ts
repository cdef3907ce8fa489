// The English-only entry point: the main one loads every locale, a quarter second of start-up.
import { faker } from '@faker-js/faker/locale/en';
import { hashString } from '../random.js';

/** How a virtual customer behaves; picked by the last six digits of the number (see MAGIC_NUMBERS). */
export type CustomerBehaviour = 'normal' | 'no-whatsapp' | 'never-delivered' | 'never-read' | 'send-fails' | 'replies-text' | 'replies-file';

export interface MagicNumber {
  suffix: string;
  behaviour: CustomerBehaviour;
  description: string;
}

/** Reachable from any unmodified client: only the recipient number changes. */
export const MAGIC_NUMBERS: readonly MagicNumber[] = [
  { suffix: '000000', behaviour: 'no-whatsapp', description: 'The number has no WhatsApp: the send is accepted, then fails.' },
  { suffix: '000001', behaviour: 'never-delivered', description: 'Reaches the server (one grey tick) and is never delivered.' },
  { suffix: '000002', behaviour: 'never-read', description: 'Delivered to the phone (two grey ticks) and never read.' },
  { suffix: '000003', behaviour: 'send-fails', description: 'The send fails after it is accepted.' },
  { suffix: '000004', behaviour: 'replies-text', description: 'Read, then the customer replies with a text.' },
  { suffix: '000005', behaviour: 'replies-file', description: 'Read, then the customer replies with a file.' },
];

const BEHAVIOUR_BY_SUFFIX = new Map(MAGIC_NUMBERS.map((magic) => [magic.suffix, magic.behaviour]));

export function behaviourOf(peer: string): CustomerBehaviour {
  if (peer.endsWith('@g.us')) return 'normal';
  return BEHAVIOUR_BY_SUFFIX.get(peer.slice(-6)) ?? 'normal';
}

/** Virtual customers are derived from their number, so the same number is always the same person. */
export class CustomerDirectory {
  private readonly names = new Map<string, string>();

  constructor(private readonly seed: number) {}

  profileName(phone: string): string {
    let name = this.names.get(phone);
    if (name === undefined) {
      // Seeded right before each use, so sharing faker's one instance is safe.
      faker.seed(hashString(phone, this.seed));
      name = faker.person.fullName();
      if (this.names.size > 50_000) this.names.clear();
      this.names.set(phone, name);
    }
    return name;
  }

  /** A short message text, stable for the same (number, occasion). */
  sentence(phone: string, occasion: string): string {
    faker.seed(hashString(`${phone}\u0000${occasion}`, this.seed));
    return faker.lorem.sentence({ min: 3, max: 9 });
  }
}
