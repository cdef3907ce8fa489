import { WhatsAppEngine } from '../engine.js';
import type { Account, Message, Session } from '../store/models.js';
import { openStore } from '../store/open-store.js';
import type { EngineStore } from '../store/store.js';
import { SPEC_START, specProfile } from '../testing/spec-engine.js';
import type { LinkedTransport, LinkResult, LinkSink, LinkUpdate, TransportContext, TransportSink } from '../transport/transport.js';
import { LINK_LABEL } from './session.service.js';

/** A transport that records every act the engine asks of it and reports only what the test makes it report. */
class FakeTransport implements LinkedTransport {
  readonly acts: string[] = [];
  readonly sent: string[] = [];
  sink!: TransportSink & LinkSink;
  context!: TransportContext;

  constructor(readonly name: string) {}

  attach(sink: TransportSink & LinkSink, context: TransportContext): void {
    this.sink = sink;
    this.context = context;
  }

  async send(message: Message): Promise<void> {
    this.sent.push(message.id);
    await this.sink.statusChanged(message.id, 'sent');
  }

  async open(session: Session, resumed: boolean): Promise<void> {
    this.acts.push(`open ${session.id}${resumed ? ' resumed' : ''}${session.phone ? ` as ${session.phone}` : ''}`);
  }

  async requestPairingCode(session: Session, phone: string): Promise<LinkResult<{ code: string }>> {
    this.acts.push(`pairing code ${session.id} for ${phone}`);
    return { ok: true, code: 'FAKE2345' };
  }

  async restart(session: Session): Promise<void> {
    this.acts.push(`restart ${session.id}`);
  }

  async logout(session: Session): Promise<void> {
    this.acts.push(`logout ${session.id}`);
  }

  async backup(session: Session): Promise<LinkResult<{ token: string; phone: string }>> {
    this.acts.push(`backup ${session.id}`);
    return session.phone ? { ok: true, token: `token-of-${session.phone}`, phone: session.phone } : { ok: false, reason: 'not linked' };
  }

  async restore(session: Session, token: string): Promise<LinkResult> {
    this.acts.push(`restore ${session.id} from ${token}`);
    return { ok: true };
  }

  async close(session: Session): Promise<void> {
    this.acts.push(`close ${session.id}`);
  }

  report(session: Session, update: LinkUpdate): Promise<void> {
    return this.sink.sessionChanged(session.id, update);
  }
}

const PHONE = '79160000123';

describe('The session lifecycle through a transport', () => {
  let store: EngineStore;
  let fake: FakeTransport;
  let other: FakeTransport;
  let profile: ReturnType<typeof specProfile>;
  let engine: WhatsAppEngine;
  let account: Account;

  const engineOn = (defaultTransport: string, transports: LinkedTransport[]) => {
    const built = new WhatsAppEngine({
      clock: { mode: 'manual', speed: 1, startAt: SPEC_START },
      seed: 3,
      store,
      mediaBaseUrl: 'http://sandbox.test/__sandbox/media',
      transports,
      defaultTransport,
    });
    built.registerProvider(profile);
    return built;
  };

  beforeEach(async () => {
    store = openStore('memory');
    fake = new FakeTransport('fake');
    other = new FakeTransport('other');
    profile = specProfile({ sendPacing: { minMs: 1_000, maxMs: 1_000 } });
    engine = engineOn('fake', [fake, other]);
    const lookup = await engine.accounts.resolve('spec', 'key');
    if (!lookup.ok) throw new Error(lookup.reason);
    account = lookup.account;
  });

  const announced = () => profile.events.flatMap((event) => (event.type === 'session.status' ? [`${event.session.state} ${event.session.phone ?? '-'}`] : []));
  const linked = async (transport = 'fake', label?: string): Promise<Session> => {
    const session = await engine.sessions.create(account, label, transport);
    await (transport === 'fake' ? fake : other).report(session, { state: 'loading', phone: PHONE });
    await (transport === 'fake' ? fake : other).report(session, { state: 'connected', phone: PHONE, profileName: null });
    return (await engine.sessions.get(session.id))!;
  };

  it("turns the transport's updates into the session's states, each change announced and a code rotation not", async () => {
    const session = await engine.sessions.create(account, '1');
    expect(session).toMatchObject({ transport: 'fake', state: 'qr', phone: null });
    expect(engine.sessions.qrCode(session)).toBeNull();

    await fake.report(session, { state: 'qr', qr: '2@first', rotatesAt: null });
    const onQr = (await engine.sessions.get(session.id))!;
    expect(engine.sessions.qrCode(onQr)).toEqual({ payload: '2@first', rotatesAt: null });
    await engine.clock.advance(20_000);
    await fake.report(session, { state: 'qr', qr: '2@second', rotatesAt: SPEC_START + 40_000, rotated: true });
    expect(engine.sessions.qrCode((await engine.sessions.get(session.id))!)).toEqual({ payload: '2@second', rotatesAt: SPEC_START + 40_000 });
    expect((await engine.sessions.get(session.id))!.stateSince).toBe(onQr.stateSince);

    await fake.report(session, { state: 'loading', phone: PHONE });
    expect(await engine.sessions.get(session.id)).toMatchObject({ state: 'loading', phone: PHONE, linkedAt: SPEC_START + 20_000 });
    await engine.clock.advance(1_000);
    await fake.report(session, { state: 'connected', phone: PHONE, profileName: 'Shop' });
    await fake.report(session, { state: 'disconnected', reason: 'connection lost', retryInMs: 2_000 });
    await engine.clock.advance(2_000);
    await fake.report(session, { state: 'loading', phone: null });
    expect(await engine.sessions.get(session.id)).toMatchObject({ state: 'loading', phone: PHONE, linkedAt: SPEC_START + 20_000 });
    await fake.report(session, { state: 'logged-out', reason: 'unlinked on the phone' });
    const loggedOut = (await engine.sessions.get(session.id))!;
    expect(loggedOut).toMatchObject({ state: 'qr', phone: null, linkedAt: null });
    expect(engine.sessions.qrCode(loggedOut)).toBeNull();

    expect(announced()).toEqual(['qr -', `loading ${PHONE}`, `connected ${PHONE}`, `disconnected ${PHONE}`, `loading ${PHONE}`, 'qr -']);
  });

  it("hands every lifecycle act to the session's transport, and refuses to play the phone of a session it does not simulate", async () => {
    const session = await linked();
    const issued = await engine.sessions.create(account, '2');
    expect(await engine.sessions.requestPairingCode(issued, '905321112233')).toMatchObject({
      ok: true,
      code: 'FAKE2345',
      session: { pairing: { code: 'FAKE2345', phone: '905321112233', expiresAt: SPEC_START + 3 * 60_000 } },
    });
    await engine.sessions.restart(session);
    expect(await engine.sessions.backup(session)).toEqual({ ok: true, token: `token-of-${PHONE}`, phone: PHONE });
    await engine.sessions.restore(session, 'a-token');
    await engine.sessions.logout(session);
    await engine.sessions.reset(session);
    await engine.sessions.remove(session);
    expect(fake.acts).toEqual([
      `open ${session.id}`,
      `open ${issued.id}`,
      `pairing code ${issued.id} for 905321112233`,
      `restart ${session.id}`,
      `backup ${session.id}`,
      `restore ${session.id} from a-token`,
      `logout ${session.id}`,
      `close ${session.id}`,
      // A reset opens the session again unlinked.
      `open ${session.id}`,
      `close ${session.id}`,
    ]);
    expect(other.acts).toEqual([]);
    expect(await engine.sessions.get(session.id)).toBeUndefined();

    expect(await engine.sessions.scan(issued.id)).toMatchObject({ ok: false, heldBy: 'fake' });
    expect(await engine.sessions.enterPairingCode('FAKE-2345')).toMatchObject({ ok: false, heldBy: 'fake' });
    await expect(engine.sessions.disconnect(issued)).rejects.toThrow('held by the fake transport');
  });

  it('hands a session to another transport: the first lets go, the other opens it unlinked, and its messages go there', async () => {
    const session = await linked('fake', '1');
    const moved = await engine.sessions.transfer(session, 'other');
    expect(moved).toMatchObject({ id: session.id, transport: 'other', phone: null, linkedAt: null });
    expect(fake.acts).toEqual([`open ${session.id}`, `close ${session.id}`]);
    expect(other.acts).toEqual([`open ${session.id}`]);
    // The same transport again changes nothing.
    expect(await engine.sessions.transfer(moved, 'other')).toBe(moved);
    expect(other.acts).toHaveLength(1);

    await other.report(moved, { state: 'connected', phone: PHONE, profileName: null });
    const result = await engine.messages.send(account, { recipients: ['79161110001'], text: 'hi', sessionId: session.id });
    if (!result.ok) throw new Error(result.reason);
    await engine.clock.advance(10_000);
    expect(other.sent).toEqual([result.messages[0]!.id]);
    expect(fake.sent).toEqual([]);
  });

  it("sends each message through its line's transport: the session's, the account's link session's, else the default", async () => {
    const onFake = await linked('fake', '1');
    const onOther = await linked('other', '2');
    const send = async (sessionId?: string) => {
      const result = await engine.messages.send(account, { recipients: ['79161110001'], text: 'hi', ...(sessionId ? { sessionId } : {}) });
      if (!result.ok) throw new Error(result.reason);
      return result.messages[0]!.id;
    };
    const viaFake = await send(onFake.id);
    const viaOther = await send(onOther.id);
    const viaDefault = await send();
    await engine.clock.advance(10_000);
    expect(fake.sent).toEqual([viaFake, viaDefault]);
    expect(other.sent).toEqual([viaOther]);

    const link = await linked('other', LINK_LABEL);
    const viaLink = await send();
    expect((await engine.messages.get(viaLink))!.from).toBe(PHONE);
    await engine.clock.advance(10_000);
    expect(other.sent).toEqual([viaOther, viaLink]);

    await other.report(link, { state: 'disconnected', reason: 'connection lost', retryInMs: null });
    const whileDown = await send();
    await engine.clock.advance(10_000);
    expect(await engine.messages.get(whileDown)).toMatchObject({ status: 'failed', failure: { code: 'session_closed' } });
    expect(other.sent).toEqual([viaOther, viaLink]);
  });

  it("takes an inbound message on the account's link session as the account line's", async () => {
    await linked('fake', LINK_LABEL);
    const link = (await engine.sessions.linkOf(account))!;
    await fake.sink.inbound(account.id, { from: '79161110001', text: 'hello', mediaUrl: null, media: null, profileName: 'Ann', lineId: link.id });
    const received = profile.events.find((event) => event.type === 'message.received');
    expect(received?.type === 'message.received' && received.message).toMatchObject({ lineId: account.id, to: PHONE, profileName: 'Ann' });
  });

  it('opens every stored session again when a restarted engine resumes, and closes them when it closes', async () => {
    const session = await linked('fake', '1');
    const unlinked = await engine.sessions.create(account, '2', 'other');
    await engine.persisted();

    const restartedFake = new FakeTransport('fake');
    const restartedOther = new FakeTransport('other');
    const restarted = engineOn('fake', [restartedFake, restartedOther]);
    await restarted.resume();
    expect(restartedFake.acts).toEqual([`open ${session.id} resumed as ${PHONE}`]);
    expect(restartedOther.acts).toEqual([`open ${unlinked.id} resumed`]);

    restarted.close();
    expect(restartedFake.acts.at(-1)).toBe(`close ${session.id}`);
    expect(restartedOther.acts.at(-1)).toBe(`close ${unlinked.id}`);
  });

  it('lets go of the sessions it opened when the world is reset', async () => {
    const first = await linked('fake', '1');
    const second = await engine.sessions.create(account, '2', 'other');
    await engine.reset();
    expect(fake.acts.at(-1)).toBe(`close ${first.id}`);
    expect(other.acts).toEqual([`open ${second.id}`, `close ${second.id}`]);
    expect(await engine.sessions.get(first.id)).toBeUndefined();
  });

  it("scopes each transport's state by its name, with the store's semantics", async () => {
    await fake.context.state.set('creds', { me: 'fake' });
    await other.context.state.set('creds', { me: 'other' });
    await fake.context.state.set('keys.a', 1);
    await fake.context.state.set('keys.b', 2);
    expect(await fake.context.state.get('creds')).toEqual({ me: 'fake' });
    expect(await other.context.state.get('creds')).toEqual({ me: 'other' });
    expect(await store.state.get('transport.fake.creds')).toEqual({ me: 'fake' });
    expect(await fake.context.state.entries('keys.')).toEqual([
      ['keys.a', 1],
      ['keys.b', 2],
    ]);
    expect(await other.context.state.entries('')).toEqual([['creds', { me: 'other' }]]);
    expect(await fake.context.state.deletePrefix('')).toBe(3);
    expect(await fake.context.state.delete('creds')).toBe(false);
    expect(await other.context.state.get('creds')).toEqual({ me: 'other' });
    expect(fake.context.now()).toBe(SPEC_START);
  });

  it('keeps the simulated transport for sessions asked of it, whatever the default', async () => {
    const simulated = await engine.sessions.create(account, '1', 'simulated');
    expect(simulated).toMatchObject({ transport: 'simulated', state: 'qr' });
    expect(engine.sessions.qrCode(simulated)?.payload).toMatch(/^2@/);
    expect(await engine.sessions.scan(simulated.id, PHONE)).toMatchObject({ ok: true, session: { state: 'loading', phone: PHONE } });
    await expect(engine.sessions.create(account, '2', 'nowhere')).rejects.toThrow('no transport is named nowhere');
  });
});
