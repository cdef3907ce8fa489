import {
  EngineClock,
  type Failure,
  type InboundMessage,
  type LinkUpdate,
  type Message,
  type Session,
  type TransportState,
  type TransportStatus,
} from '#engine';
import { RELAY_LEASE_MS, RelayTransport, RESULT_FAILED, RESULT_SENT, SIMULATED_PHONE, type RelayDirectory } from './relay.transport.js';

const START = Date.UTC(2026, 0, 5, 9);
/** A WAMM account's own line, linked through its link session. */
const LINE = { accountId: 'wamm:k1', lineId: 'wamm:k1', sessionId: 'wamm-s1', phone: '79990000001' };

/** The store's state as a map, in key order like the engine's. */
class MapState implements TransportState {
  readonly values = new Map<string, unknown>();
  async get<T>(key: string) {
    return structuredClone(this.values.get(key)) as T | undefined;
  }
  async set(key: string, value: unknown) {
    this.values.set(key, structuredClone(value));
  }
  async delete(key: string) {
    return this.values.delete(key);
  }
  async entries<T>(prefix: string) {
    return [...this.values]
      .filter(([key]) => key.startsWith(prefix))
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([key, value]) => [key, structuredClone(value)] as [string, T]);
  }
  async deletePrefix(prefix: string) {
    const keys = [...this.values.keys()].filter((key) => key.startsWith(prefix));
    for (const key of keys) this.values.delete(key);
    return keys.length;
  }
}

function setUp(directory: Partial<RelayDirectory> = {}) {
  const clock = new EngineClock({ mode: 'manual', speed: 1, startAt: START });
  const state = new MapState();
  const statuses: Array<{ id: string; status: TransportStatus; failure?: Failure; at: number }> = [];
  const inbound: Array<{ accountId: string; message: InboundMessage }> = [];
  const links: Array<[string, LinkUpdate]> = [];
  const relay = new RelayTransport({
    timer: clock,
    seed: 7,
    directory: { numberNamed: async () => null, groupNamed: async () => null, ...directory },
  });
  relay.attach(
    {
      statusChanged: async (id, status, failure) => {
        statuses.push({ id, status, ...(failure ? { failure } : {}), at: clock.now() });
      },
      inbound: async (accountId, message) => {
        inbound.push({ accountId, message });
      },
      receipt: async () => undefined,
      sessionChanged: async (sessionId, update) => {
        links.push([sessionId, update]);
      },
    },
    { state, now: () => clock.now(), mediaBytes: async () => null, keepInboundMedia: async () => Promise.reject(new Error('not used')) },
  );
  return { clock, state, relay, statuses, inbound, links };
}

function message(id: string, peer: string, extra: Partial<Message> = {}): Message {
  return {
    id,
    accountId: LINE.accountId,
    lineId: LINE.lineId,
    kind: 'text',
    direction: 'outbound',
    peer,
    from: LINE.phone,
    to: peer,
    text: `hello ${id}`,
    mediaUrl: null,
    media: null,
    location: null,
    contacts: null,
    failAtDispatch: null,
    status: 'queued',
    failure: null,
    createdAt: START,
    sendAt: null,
    history: [],
    profileName: null,
    providerData: null,
    ...extra,
  };
}

const account = { id: LINE.accountId } as never;

/** What waits for the device, by its id. */
async function queued(relay: RelayTransport, deviceId: string) {
  const device = await relay.device(deviceId);
  return device ? relay.queue(device) : [];
}

describe('RelayTransport', () => {
  it('leases a line’s messages to its phone one by one, oldest first, and applies its results', async () => {
    const { relay, statuses } = setUp();
    const { device, token } = await relay.createDevice({ name: 'Mi 9 SE' });
    expect(await relay.link(device.id, LINE)).toMatchObject({ ok: true });
    await relay.send(message('m1', '79001234567'), account);
    await relay.send(message('m2', '79007654321'), account);

    const first = await relay.next(token);
    expect(first).toEqual({
      send: true,
      id: 'm1',
      phone: '79001234567',
      text: 'hello m1',
      link: 'https://api.whatsapp.com/send?phone=79001234567&text=hello%20m1',
    });
    // m1 is leased: the next poll gets m2.
    expect(await relay.next(token)).toMatchObject({ send: true, id: 'm2' });
    expect(await relay.next(token)).toEqual({ send: false });

    expect(await relay.result(token, 'm1', RESULT_SENT)).toEqual({ ok: true });
    expect(await relay.result(token, 'm2', RESULT_FAILED)).toEqual({ ok: true });
    expect(statuses.map(({ id, status, failure }) => [id, status, failure?.code])).toEqual([
      ['m1', 'sent', undefined],
      ['m2', 'failed', 'no_whatsapp'],
    ]);
    // The first result counts: a second one for the same message is refused, and nothing is reported twice.
    expect(await relay.result(token, 'm1', RESULT_SENT)).toMatchObject({ ok: false, code: 'not_found' });
    expect(statuses).toHaveLength(2);
    expect(await queued(relay, device.id)).toEqual([]);
  });

  it('offers a message again once its lease expires, and counts one result', async () => {
    const { clock, relay, statuses } = setUp();
    const { device, token } = await relay.createDevice({});
    await relay.link(device.id, LINE);
    await relay.send(message('m1', '79001234567'), account);
    expect(await relay.next(token)).toMatchObject({ send: true, id: 'm1' });
    await clock.advance(RELAY_LEASE_MS - 1);
    expect(await relay.next(token)).toEqual({ send: false });
    await clock.advance(1);
    expect(await relay.next(token)).toMatchObject({ send: true, id: 'm1' });
    expect(await queued(relay, device.id)).toEqual([{ id: 'm1', phone: '79001234567', offers: 2, leasedUntil: START + 2 * RELAY_LEASE_MS }]);
    expect(await relay.result(token, 'm1', RESULT_SENT)).toEqual({ ok: true });
    expect(await relay.result(token, 'm1', RESULT_SENT)).toMatchObject({ ok: false });
    expect(statuses.map(({ id, status }) => [id, status])).toEqual([['m1', 'sent']]);
  });

  it('refuses an unknown token, a result for a message never handed out, and another device’s message', async () => {
    const { relay } = setUp();
    const one = await relay.createDevice({});
    const other = await relay.createDevice({});
    await relay.link(one.device.id, LINE);
    await relay.send(message('m1', '79001234567'), account);
    expect(await relay.next('nope')).toMatchObject({ ok: false, code: 'unauthorized' });
    expect(await relay.result(one.token, 'm1', RESULT_SENT)).toMatchObject({ ok: false, code: 'conflict' });
    expect(await relay.next(other.token)).toEqual({ send: false });
    await relay.next(one.token);
    expect(await relay.result(other.token, 'm1', RESULT_SENT)).toMatchObject({ ok: false, code: 'not_found' });
  });

  it('fails what a phone cannot send through WhatsApp’s UI, in the engine’s words each provider maps', async () => {
    const { relay, statuses } = setUp();
    const { device } = await relay.createDevice({});
    await relay.link(device.id, LINE);
    await relay.send(message('m1', '79001234567', { kind: 'media', mediaUrl: 'http://x/a.png' }), account);
    await relay.send(message('m2', '79001234567-1600000000@g.us'), account);
    await relay.send(message('m3', '79001234567', { lineId: 'wamm:unlinked' }), account);
    expect(statuses.map(({ id, failure }) => [id, failure?.code])).toEqual([
      ['m1', 'media_rejected'],
      ['m2', 'send_failed'],
      ['m3', 'session_closed'],
    ]);
    expect(await queued(relay, device.id)).toEqual([]);
  });

  it('turns a forwarded notification into an inbound message, and ignores summaries', async () => {
    const directory: RelayDirectory = {
      numberNamed: async (_account, _line, name) => (name === 'Anna' ? '79001112233' : null),
      groupNamed: async (_line, subject) => (subject === 'Team' ? '79990000001-1700000000@g.us' : null),
    };
    const { relay, inbound } = setUp(directory);
    const { device, token } = await relay.createDevice({});
    expect(await relay.notification(token, { title: 'Anna', text: 'hi' })).toMatchObject({ accepted: false, reason: 'the device relays no line yet' });
    await relay.link(device.id, LINE);
    expect(await relay.notification(token, { title: '+7 900 123-45-67', text: 'from a number' })).toEqual({ ok: true, accepted: true });
    expect(await relay.notification(token, { title: 'Anna (2 messages)', text: 'by name' })).toEqual({ ok: true, accepted: true });
    expect(await relay.notification(token, { title: 'Anna @ Team', text: 'in the group' })).toEqual({ ok: true, accepted: true });
    expect(await relay.notification(token, { title: 'WhatsApp', text: '3 new messages' })).toMatchObject({ accepted: false });
    expect(await relay.notification(token, { title: 'Boris', text: 'who?' })).toMatchObject({ accepted: false });
    expect(await relay.notification(token, { title: 'Anna @ Elsewhere', text: 'where?' })).toMatchObject({ accepted: false });
    expect(await relay.notification('nope', { title: 'Anna', text: 'hi' })).toMatchObject({ ok: false, code: 'unauthorized' });
    expect(await relay.notification(token, { title: 'Anna', text: 'hi', app: 'org.telegram.messenger' })).toMatchObject({ accepted: false });
    expect(inbound.map(({ accountId, message: m }) => [accountId, m.from, m.text, m.profileName, m.chat])).toEqual([
      [LINE.accountId, '79001234567', 'from a number', null, undefined],
      [LINE.accountId, '79001112233', 'by name', 'Anna', undefined],
      [LINE.accountId, '79001112233', 'in the group', 'Anna', '79990000001-1700000000@g.us'],
    ]);
  });

  it('unlinked (logged out), leaves the line’s messages queued for the phone linked next', async () => {
    const { relay, links } = setUp();
    const old = await relay.createDevice({});
    await relay.link(old.device.id, LINE);
    await relay.send(message('m1', '79001234567'), account);
    await relay.logout({ id: LINE.sessionId } as Session);
    expect(links.at(-1)).toEqual([LINE.sessionId, { state: 'logged-out', reason: 'the relay phone was unlinked' }]);
    expect(await relay.next(old.token)).toEqual({ send: false });
    expect(await relay.deviceOf(LINE.sessionId)).toBeUndefined();

    const replacement = await relay.createDevice({});
    expect(await relay.link(replacement.device.id, LINE)).toMatchObject({ ok: true });
    expect(await relay.next(replacement.token)).toMatchObject({ send: true, id: 'm1' });
    // A phone relays one line, and a line has one phone.
    expect(await relay.link(old.device.id, LINE)).toMatchObject({ ok: false });
    expect(await relay.link(replacement.device.id, { ...LINE, lineId: 'wamm:k2', sessionId: 'wamm-s2' })).toMatchObject({ ok: false });
  });

  describe('a simulated phone', () => {
    it('polls every 5 s, sends in about 5 s, and gives up on a number without WhatsApp after the UI timeout', async () => {
      const { clock, relay, statuses } = setUp();
      const { device } = await relay.createDevice({ simulated: true });
      await relay.link(device.id, LINE);
      await clock.advance(0);
      await relay.send(message('m1', '79001234567'), account);
      await relay.send(message('m2', '79001000000'), account);
      // Its first poll was at creation, with nothing queued: the next one is 5 s later.
      await clock.advance(SIMULATED_PHONE.pollEveryMs);
      expect((await relay.device(device.id))?.simulated?.inHand?.id).toBe('m1');
      await clock.advance(60_000);
      const [sent, failed] = statuses;
      expect(sent).toMatchObject({ id: 'm1', status: 'sent' });
      expect(sent!.at - START - SIMULATED_PHONE.pollEveryMs).toBeGreaterThanOrEqual(SIMULATED_PHONE.sending.minMs);
      expect(sent!.at - START - SIMULATED_PHONE.pollEveryMs).toBeLessThanOrEqual(SIMULATED_PHONE.sending.maxMs);
      // m2 is fetched at the poll 5 s after m1's result, and fails after the 9.6 s the phone waits for the chat.
      expect(failed).toMatchObject({ id: 'm2', status: 'failed', at: sent!.at + SIMULATED_PHONE.pollEveryMs + SIMULATED_PHONE.uiTimeoutMs });
      expect(failed!.failure?.code).toBe('no_whatsapp');
    });

    it('leaves messages queued while it is off, and sends each once when it is back', async () => {
      const { clock, relay, statuses } = setUp();
      const { device } = await relay.createDevice({ simulated: true });
      await relay.link(device.id, LINE);
      await relay.send(message('m1', '79001234567'), account);
      await relay.send(message('m2', '79007654321'), account);
      await clock.advance(1);
      // Switched off with m1 in hand: no result comes for it.
      expect((await relay.device(device.id))?.simulated?.inHand?.id).toBe('m1');
      await relay.setPolling(device.id, false);
      await clock.advance(10 * 60_000);
      expect(statuses).toEqual([]);
      expect((await queued(relay, device.id)).map((queued) => queued.id)).toEqual(['m1', 'm2']);

      await relay.setPolling(device.id, true);
      await clock.advance(60_000);
      expect(statuses.map(({ id, status }) => [id, status])).toEqual([
        ['m1', 'sent'],
        ['m2', 'sent'],
      ]);
      expect(await queued(relay, device.id)).toEqual([]);
    });

    it('carries on from the store after a restart', async () => {
      const first = setUp();
      const { device } = await first.relay.createDevice({ simulated: true });
      await first.relay.link(device.id, LINE);
      await first.relay.send(message('m1', '79001234567'), account);
      await first.clock.advance(1);

      // A second transport on the same state and a clock at the same time: the phone's timeline goes on.
      const second = setUp();
      for (const [key, value] of first.state.values) second.state.values.set(key, value);
      await second.clock.advance(1);
      // The engine opens each stored session when it resumes; opened twice, the phone still takes each step once.
      const session = { id: LINE.sessionId, state: 'connected' } as Session;
      await second.relay.open(session, true);
      await second.relay.open(session, true);
      await second.clock.advance(60_000);
      expect(second.statuses.map(({ id, status }) => [id, status])).toEqual([['m1', 'sent']]);
      // Still connected as stored: nothing to announce. A session stored in another state is told where it stands.
      expect(second.links).toEqual([]);
      await second.relay.open({ ...session, state: 'disconnected' }, true);
      expect(second.links).toEqual([[LINE.sessionId, { state: 'connected', phone: LINE.phone, profileName: null }]]);
    });
  });
});
