import type { EngineClock } from '../clock/clock.js';
import { seededRandom } from '../random.js';
import type { EngineStore } from '../store/store.js';
import { behaviourOf } from '../world/customers.js';

/** Who may change a group's info (`edit`) or write in it (`send`). */
export type GroupPermission = 'admins' | 'all';

export interface GroupSettings {
  edit: GroupPermission;
  send: GroupPermission;
  /** Disappearing messages. */
  disappear: boolean;
}

/** A WhatsApp group as one line (a session, or the account itself) sees it. */
export interface Group {
  /** WhatsApp's old-style group id, `<creator>-<unix seconds>@g.us`. */
  id: string;
  accountId: string;
  lineId: string;
  name: string;
  /** Numbers (digits), the line's own included while it is a member. */
  participants: string[];
  admins: string[];
  image: string | null;
  settings: GroupSettings;
  /** What follows `https://chat.whatsapp.com/` in the group's invite link. */
  inviteCode: string;
  createdAt: number;
  /** When the line left the group: it is no longer a member and sees it no more. */
  leftAt: number | null;
}

export interface GroupRepository {
  get(lineId: string, groupId: string): Promise<Group | undefined>;
  save(group: Group): Promise<void>;
  /** The line's groups, oldest first. */
  list(lineId: string): Promise<Group[]>;
  /** Forgets the line's groups (a factory-reset phone). */
  deleteLine(lineId: string): Promise<void>;
}

export type GroupRefusal =
  | 'no_participants'
  | 'bad_name'
  | 'not_found'
  | 'not_admin'
  | 'not_participant'
  | 'already_participant'
  | 'no_whatsapp'
  | 'own_number'
  | 'admins_only';

export type GroupResult = { ok: true; group: Group } | { ok: false; code: GroupRefusal; reason: string };

/** WhatsApp's limit on a group's subject. */
export const GROUP_NAME_MAX = 100;

const DEFAULT_SETTINGS: GroupSettings = { edit: 'all', send: 'all', disappear: false };
const INVITE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * WhatsApp groups a line created: members, admins, settings, leaving. The line's own number acts on
 * them (`actor`); only admins add, remove, promote, demote or change settings, as on WhatsApp.
 */
export class GroupService {
  constructor(
    private readonly store: EngineStore,
    private readonly clock: EngineClock,
    private readonly seed: number,
  ) {}

  /** A new group with the line's number as its only admin; numbers without WhatsApp are left out, as WhatsApp does. */
  async create(accountId: string, lineId: string, owner: string, name: string, numbers: string[]): Promise<GroupResult> {
    const subject = name.trim();
    if (subject === '' || subject.length > GROUP_NAME_MAX) return refuse('bad_name', `a group name is 1 to ${GROUP_NAME_MAX} characters`);
    const members = [...new Set(numbers)].filter((number) => number !== owner && behaviourOf(number) !== 'no-whatsapp');
    if (members.length === 0) return refuse('no_participants', 'a group needs at least one other participant on WhatsApp');
    const now = this.clock.now();
    // Ids are the creator and the second of creation; a second group in the same second takes the next one.
    let seconds = Math.floor(now / 1000);
    while (await this.store.groups.get(lineId, `${owner}-${seconds}@g.us`)) seconds++;
    const id = `${owner}-${seconds}@g.us`;
    const random = seededRandom(this.seed, 'group-invite', id);
    const inviteCode = Array.from({ length: 22 }, () => INVITE_ALPHABET[Math.floor(random() * INVITE_ALPHABET.length)]).join('');
    const group: Group = {
      id,
      accountId,
      lineId,
      name: subject,
      participants: [owner, ...members],
      admins: [owner],
      image: null,
      settings: { ...DEFAULT_SETTINGS },
      inviteCode,
      createdAt: now,
      leftAt: null,
    };
    await this.store.groups.save(group);
    return { ok: true, group };
  }

  /** A group the line is still in. */
  async get(lineId: string, groupId: string): Promise<Group | undefined> {
    const group = await this.store.groups.get(lineId, groupId);
    return group && group.leftAt === null ? group : undefined;
  }

  /** The groups the line is in, oldest first. */
  async list(lineId: string): Promise<Group[]> {
    return (await this.store.groups.list(lineId)).filter((group) => group.leftAt === null);
  }

  /** The members other than `self`, when the line knows the group; null for a group it does not know. */
  async membersBesides(lineId: string, groupId: string, self: string): Promise<string[] | null> {
    const group = await this.get(lineId, groupId);
    return group ? group.participants.filter((number) => number !== self) : null;
  }

  async add(lineId: string, groupId: string, actor: string, number: string): Promise<GroupResult> {
    return this.asAdmin(lineId, groupId, actor, (group) => {
      if (group.participants.includes(number)) return refuse('already_participant', `${number} is already in the group`);
      if (behaviourOf(number) === 'no-whatsapp') return refuse('no_whatsapp', `${number} is not on WhatsApp`);
      return { ...group, participants: [...group.participants, number] };
    });
  }

  async remove(lineId: string, groupId: string, actor: string, number: string): Promise<GroupResult> {
    return this.asAdmin(lineId, groupId, actor, (group) => {
      if (number === actor) return refuse('own_number', 'leave the group instead of removing yourself');
      if (!group.participants.includes(number)) return refuse('not_participant', `${number} is not in the group`);
      return { ...group, participants: group.participants.filter((n) => n !== number), admins: group.admins.filter((n) => n !== number) };
    });
  }

  /** Promoting an admin again changes nothing, as on WhatsApp. */
  async promote(lineId: string, groupId: string, actor: string, number: string): Promise<GroupResult> {
    return this.asAdmin(lineId, groupId, actor, (group) => {
      if (!group.participants.includes(number)) return refuse('not_participant', `${number} is not in the group`);
      return group.admins.includes(number) ? group : { ...group, admins: [...group.admins, number] };
    });
  }

  async demote(lineId: string, groupId: string, actor: string, number: string): Promise<GroupResult> {
    return this.asAdmin(lineId, groupId, actor, (group) => {
      if (!group.participants.includes(number)) return refuse('not_participant', `${number} is not in the group`);
      return { ...group, admins: group.admins.filter((n) => n !== number) };
    });
  }

  /** Changes only the settings given. */
  async configure(lineId: string, groupId: string, actor: string, change: Partial<GroupSettings>): Promise<GroupResult> {
    return this.asAdmin(lineId, groupId, actor, (group) => ({ ...group, settings: { ...group.settings, ...change } }));
  }

  /** The group's picture: any member may change it unless only admins may edit the group's info. */
  async setImage(lineId: string, groupId: string, actor: string, image: string): Promise<GroupResult> {
    const group = await this.get(lineId, groupId);
    if (!group) return refuse('not_found', `the line is in no group ${groupId}`);
    if (group.settings.edit === 'admins' && !group.admins.includes(actor)) return refuse('not_admin', "only admins may edit this group's info");
    return this.saved({ ...group, image });
  }

  /** The line leaves; if it was the last admin, the longest-standing member becomes admin, as on WhatsApp. */
  async leave(lineId: string, groupId: string, actor: string): Promise<GroupResult> {
    const group = await this.get(lineId, groupId);
    if (!group) return refuse('not_found', `the line is in no group ${groupId}`);
    const participants = group.participants.filter((n) => n !== actor);
    let admins = group.admins.filter((n) => n !== actor);
    if (admins.length === 0 && participants.length > 0) admins = [participants[0]!];
    return this.saved({ ...group, participants, admins, leftAt: this.clock.now() });
  }

  /** Whether the line's number may write in the group; groups the line does not know are not judged. */
  async mayWrite(lineId: string, groupId: string, actor: string): Promise<{ ok: true } | { ok: false; code: GroupRefusal; reason: string }> {
    const group = await this.store.groups.get(lineId, groupId);
    if (!group) return { ok: true };
    if (group.leftAt !== null || !group.participants.includes(actor)) return refuse('not_participant', 'the line is no longer in this group');
    if (group.settings.send === 'admins' && !group.admins.includes(actor)) return refuse('admins_only', 'only admins may send messages to this group');
    return { ok: true };
  }

  async forgetLine(lineId: string): Promise<void> {
    await this.store.groups.deleteLine(lineId);
  }

  private async asAdmin(
    lineId: string,
    groupId: string,
    actor: string,
    change: (group: Group) => Group | { ok: false; code: GroupRefusal; reason: string },
  ): Promise<GroupResult> {
    const group = await this.get(lineId, groupId);
    if (!group) return refuse('not_found', `the line is in no group ${groupId}`);
    if (!group.admins.includes(actor)) return refuse('not_admin', 'only group admins may do this');
    const changed = change(group);
    if ('ok' in changed) return changed;
    return changed === group ? { ok: true, group } : this.saved(changed);
  }

  private async saved(group: Group): Promise<GroupResult> {
    await this.store.groups.save(group);
    return { ok: true, group };
  }
}

function refuse(code: GroupRefusal, reason: string): { ok: false; code: GroupRefusal; reason: string } {
  return { ok: false, code, reason };
}

/** Numbers a text mentions: WhatsApp writes a mention as `@` and the member's number. */
export function mentionsIn(text: string): string[] {
  return [...new Set([...text.matchAll(/(?<![\w@])@(\d{8,15})\b/g)].map((match) => match[1]!))];
}
