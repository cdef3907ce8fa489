import { readFile } from 'node:fs/promises';
import { specEngine, specProfile, SPEC_START } from '../testing/spec-engine.js';
import type { WhatsAppEngine } from '../engine.js';
import type { EngineEvent } from '../events.js';
import type { Account, Session } from '../store/models.js';
import { mentionsIn } from './group.service.js';

const OWNER = '79160000123';
const ANNA = '79161112233';
const NEVER_DELIVERED = '79160000001';
const NO_WHATSAPP = '79160000000';
const REPLIES = '79160000004';

describe('GroupService', () => {
  let engine: WhatsAppEngine;
  let events: EngineEvent[];
  let account: Account;
  let session: Session;

  beforeEach(async () => {
    const profile = specProfile({ receipts: true, sessionLoading: { minMs: 1_000, maxMs: 1_000 } });
    events = profile.events;
    engine = specEngine(profile);
    const lookup = await engine.accounts.resolve('spec', 'key');
    if (!lookup.ok) throw new Error(lookup.reason);
    account = lookup.account;
    session = await engine.sessions.create(account);
    await engine.sessions.scan(session.id, OWNER);
    await engine.clock.advance(1_000);
    session = (await engine.sessions.get(session.id))!;
  });

  const create = async (numbers: string[]) => {
    const result = await engine.groups.create(account.id, session.id, OWNER, 'Team', numbers);
    if (!result.ok) throw new Error(result.reason);
    return result.group;
  };

  it('creates a group with its creator as the only admin, leaving out numbers without WhatsApp', async () => {
    const group = await create([ANNA, NO_WHATSAPP, ANNA]);
    // Linking took one second of the clock.
    const second = Math.floor(SPEC_START / 1000) + 1;
    expect(group).toMatchObject({
      id: `${OWNER}-${second}@g.us`,
      participants: [OWNER, ANNA],
      admins: [OWNER],
      settings: { edit: 'all', send: 'all', disappear: false },
    });
    expect((await create([ANNA])).id).toBe(`${OWNER}-${second + 1}@g.us`);
    expect(await engine.groups.create(account.id, session.id, OWNER, 'Alone', [NO_WHATSAPP])).toMatchObject({ ok: false, code: 'no_participants' });
    expect(await engine.groups.create(account.id, session.id, OWNER, ' ', [ANNA])).toMatchObject({ ok: false, code: 'bad_name' });
  });

  it('lets only admins change members and settings; leaving hands admin rights on', async () => {
    const group = await create([ANNA]);
    expect(await engine.groups.add(session.id, group.id, OWNER, ANNA)).toMatchObject({ ok: false, code: 'already_participant' });
    expect(await engine.groups.add(session.id, group.id, OWNER, REPLIES)).toMatchObject({ ok: true, group: { participants: [OWNER, ANNA, REPLIES] } });
    expect(await engine.groups.add(session.id, group.id, ANNA, NEVER_DELIVERED)).toMatchObject({ ok: false, code: 'not_admin' });
    expect(await engine.groups.promote(session.id, group.id, OWNER, ANNA)).toMatchObject({ ok: true, group: { admins: [OWNER, ANNA] } });
    expect(await engine.groups.configure(session.id, group.id, OWNER, { send: 'admins' })).toMatchObject({
      ok: true,
      group: { settings: { edit: 'all', send: 'admins' } },
    });
    expect(await engine.groups.demote(session.id, group.id, OWNER, OWNER)).toMatchObject({ ok: true, group: { admins: [ANNA] } });
    expect(await engine.groups.mayWrite(session.id, group.id, OWNER)).toMatchObject({ ok: false, code: 'admins_only' });
    expect(await engine.groups.remove(session.id, group.id, ANNA, REPLIES)).toMatchObject({ ok: true, group: { participants: [OWNER, ANNA] } });
    await engine.groups.demote(session.id, group.id, ANNA, ANNA);
    expect(await engine.groups.leave(session.id, group.id, OWNER)).toMatchObject({ ok: true, group: { participants: [ANNA], admins: [ANNA] } });
    expect(await engine.groups.list(session.id)).toEqual([]);
    expect(await engine.groups.mayWrite(session.id, group.id, OWNER)).toMatchObject({ ok: false, code: 'not_participant' });
  });

  it('delivers a group message once every member has it and reads it once every member read it', async () => {
    const waiting = await create([ANNA, NEVER_DELIVERED]);
    const everyone = await create([ANNA, REPLIES]);
    const send = async (peer: string) => {
      const result = await engine.messages.send(account, { recipients: [peer], text: 'hi', sessionId: session.id });
      if (!result.ok) throw new Error(result.reason);
      return result.messages[0]!.id;
    };
    const stuck = await send(waiting.id);
    const read = await send(everyone.id);
    await engine.clock.advance(120_000);
    expect((await engine.messages.get(stuck))!.status).toBe('sent');
    expect((await engine.messages.get(read))!.status).toBe('read');
    // The member who replies answers in the group, quoting the message.
    const reply = events.find((event) => event.type === 'message.received');
    expect(reply?.type === 'message.received' && reply.message).toMatchObject({ peer: everyone.id, from: REPLIES, quotedId: read });
  });

  it('plays voice messages after reading them and reports deleted messages once', async () => {
    const voice = await engine.messages.send(account, {
      recipients: [ANNA],
      text: '',
      mediaUpload: { bytes: await readFile(new URL('../../../../fixtures/media/sample-opus.ogg', import.meta.url)) },
      mediaPolicy: { rules: [{ format: 'ogg', maxBytes: 1_000_000 }] },
      sessionId: session.id,
    });
    if (!voice.ok) throw new Error(voice.reason);
    const id = voice.messages[0]!.id;
    const deleting = await engine.messages.send(account, { recipients: [ANNA], text: '', kind: 'other', revokes: id, sessionId: session.id });
    expect(deleting.ok).toBe(true);
    await engine.clock.advance(120_000);
    const receipts = events.flatMap((event) => (event.type === 'message.receipt' ? [[event.message.id, event.receipt]] : []));
    expect(receipts).toEqual([
      [id, 'deleted'],
      [id, 'played'],
    ]);
    expect((await engine.messages.receipt(id, 'deleted'))!.receipts).toEqual({ deleted: expect.any(Number), played: expect.any(Number) });
    expect(events.filter((event) => event.type === 'message.receipt')).toHaveLength(2);
  });

  it('finds mentions in a text', () => {
    expect(mentionsIn('hi @79161112233 and @79161112233, mail a@79160000000 or @12')).toEqual(['79161112233']);
  });
});
