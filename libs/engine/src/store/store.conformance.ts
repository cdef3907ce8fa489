import type { CatalogProduct } from '../catalog/catalog.service.js';
import type { Group } from '../groups/group.service.js';
import { testMessage as message } from '../testing/messages.js';
import type { Account, Contact, Message, MessageTemplate, Session, StoredMedia, WebhookAttempt, WebhookEvent } from './models.js';
import type { EngineStore, ScheduledJob } from './store.js';

/** A store opened for one test. */
export interface StoreUnderTest {
  store: EngineStore;
  /** Durable stores only: closes the store and opens a new one on the same data. */
  reopen?: () => Promise<EngineStore>;
  close(): Promise<void>;
}

export type StoreFactory = (limits: { webhookAttempts?: number }) => Promise<StoreUnderTest>;

/**
 * The contract of every EngineStore, as store.ts documents it: one suite, run against each implementation
 * (store.conformance.spec.ts), so a new store is proven by adding one line there. A durable store is also
 * checked to keep every repository's records across a reopen.
 */
export function describeStoreConformance(name: string, kind: 'durable' | 'volatile', factory: StoreFactory): void {
  describe(`${name} store conformance`, () => {
    let subject: StoreUnderTest;
    let store: EngineStore;
    const open = async (limits: { webhookAttempts?: number } = {}) => {
      await subject?.close();
      subject = await factory(limits);
      store = subject.store;
    };
    beforeEach(() => open());
    afterEach(() => subject.close());

    describe('accounts', () => {
      it('gets what it saved, lists in the order first saved, and a save replaces', async () => {
        expect(await store.accounts.get('wamm:a')).toBeUndefined();
        await store.accounts.save(account('wamm:a'));
        await store.accounts.save(account('devino:b'));
        await store.accounts.save({ ...account('wamm:a'), settings: { replaced: true } });
        expect(await store.accounts.get('wamm:a')).toEqual({ ...account('wamm:a'), settings: { replaced: true } });
        expect((await store.accounts.list()).map((a) => [a.id, a.settings])).toEqual([
          ['wamm:a', { replaced: true }],
          ['devino:b', { plan: { tier: 'pro', phones: [1, 2] } }],
        ]);
      });
    });

    describe('messages', () => {
      it('gets what it inserted, refuses an id twice and a save of an unknown id', async () => {
        await store.messages.insert(message(1));
        expect(await store.messages.get('m1')).toEqual(message(1));
        expect(await store.messages.get('m2')).toBeUndefined();
        await expect(store.messages.insert(message(1))).rejects.toThrow('m1');
        await expect(store.messages.save(message(2))).rejects.toThrow('m2');
      });

      it('pages one account and direction newest or oldest first, with the total before paging', async () => {
        for (let n = 1; n <= 7; n++) await store.messages.insert(message(n));
        await store.messages.insert(message(8, { accountId: 'wamm:other' }));
        await store.messages.insert(message(9, { direction: 'inbound' }));
        const base = { accountId: 'wamm:a', direction: 'outbound' as const };
        expect(ids(await store.messages.query({ ...base, order: 'newest', offset: 0, limit: 3 }))).toEqual([7, ['m7', 'm6', 'm5']]);
        expect(ids(await store.messages.query({ ...base, order: 'newest', offset: 3, limit: 3 }))).toEqual([7, ['m4', 'm3', 'm2']]);
        expect(ids(await store.messages.query({ ...base, order: 'oldest', offset: 5, limit: 10 }))).toEqual([7, ['m6', 'm7']]);
        expect(ids(await store.messages.query({ ...base, order: 'oldest', offset: 9, limit: 10 }))).toEqual([7, []]);
        expect(ids(await store.messages.query({ ...base, order: 'oldest', offset: 0, limit: 0 }))).toEqual([7, []]);
        expect(ids(await store.messages.query({ ...base, direction: 'inbound', order: 'oldest', offset: 0, limit: 10 }))).toEqual([1, ['m9']]);
      });

      it('filters by peer prefixes and statuses, and a save changes what the status filter sees', async () => {
        const peers = ['79001', '79002', '1555', '790', '120363@g.us'];
        for (let n = 1; n <= 5; n++) await store.messages.insert(message(n, { peer: peers[n - 1]!, status: n % 2 === 0 ? 'delivered' : 'sent' }));
        const base = { accountId: 'wamm:a', direction: 'outbound' as const, order: 'oldest' as const, offset: 0, limit: 10 };
        expect(ids(await store.messages.query({ ...base, peerPrefixes: ['7900'] }))).toEqual([2, ['m1', 'm2']]);
        expect(ids(await store.messages.query({ ...base, peerPrefixes: ['7900', '15', '120363@'] }))).toEqual([4, ['m1', 'm2', 'm3', 'm5']]);
        // A prefix is plain text: no wildcards, no case folding.
        expect(ids(await store.messages.query({ ...base, peerPrefixes: ['7_0', '%'] }))).toEqual([0, []]);
        expect(ids(await store.messages.query({ ...base, statuses: ['delivered'] }))).toEqual([2, ['m2', 'm4']]);
        expect(ids(await store.messages.query({ ...base, statuses: ['sent'], peerPrefixes: ['790'] }))).toEqual([1, ['m1']]);
        expect(ids(await store.messages.query({ ...base, statuses: [] }))).toEqual([0, []]);
        expect(ids(await store.messages.query({ ...base, peerPrefixes: [] }))).toEqual([0, []]);
        await store.messages.save({ ...message(1, { peer: '79001' }), status: 'read' });
        expect(ids(await store.messages.query({ ...base, statuses: ['read'] }))).toEqual([1, ['m1']]);
        expect((await store.messages.get('m1'))?.status).toBe('read');
      });

      it('counts and lists, newest first, what was created at or after a time', async () => {
        for (let n = 1; n <= 5; n++) await store.messages.insert(message(n, { createdAt: 1_000 * n }));
        await store.messages.insert(message(6, { createdAt: 9_000, direction: 'inbound' }));
        expect(await store.messages.countSince('wamm:a', 'outbound', 3_000)).toBe(3);
        expect(await store.messages.countSince('wamm:a', 'outbound', 5_001)).toBe(0);
        expect(await store.messages.countSince('wamm:other', 'outbound', 0)).toBe(0);
        expect((await store.messages.listSince('wamm:a', 'outbound', 3_000)).map((m) => m.id)).toEqual(['m5', 'm4', 'm3']);
        expect((await store.messages.listSince('wamm:a', 'inbound', 0)).map((m) => m.id)).toEqual(['m6']);
      });
    });

    describe('sessions', () => {
      it("lists an account's sessions oldest first, finds one by pairing code, and deletes", async () => {
        await store.sessions.save(session('s1'));
        await store.sessions.save(session('s2', { accountId: 'maytapi:b' }));
        await store.sessions.save(session('s3', { pairing: { code: 'ABCD-EFGH', phone: '79001', expiresAt: 5_000 } }));
        await store.sessions.save({ ...session('s1'), state: 'connected' });
        expect((await store.sessions.list('maytapi:a')).map((s) => [s.id, s.state])).toEqual([
          ['s1', 'connected'],
          ['s3', 'qr'],
        ]);
        expect((await store.sessions.findByPairingCode('ABCD-EFGH'))?.id).toBe('s3');
        await store.sessions.save(session('s3'));
        expect(await store.sessions.findByPairingCode('ABCD-EFGH')).toBeUndefined();
        await store.sessions.delete('s1');
        await store.sessions.delete('s9');
        expect(await store.sessions.get('s1')).toBeUndefined();
        expect(await store.sessions.get('s3')).toEqual(session('s3'));
        expect((await store.sessions.list('maytapi:a')).map((s) => s.id)).toEqual(['s3']);
      });

      it('replaces a session only if it is still the one read, so a change made from a stale read is refused', async () => {
        await store.sessions.save(session('s1'));
        const read = (await store.sessions.get('s1'))!;
        const paired = { ...read, pairing: { code: 'PAIRCODE', phone: '79001', expiresAt: 5_000 } };
        expect(await store.sessions.replace(read, paired)).toBe(true);
        expect(await store.sessions.findByPairingCode('PAIRCODE')).toEqual(paired);
        // `read` is stale now: a writer still holding it changes nothing.
        expect(await store.sessions.replace(read, { ...read, state: 'loading' })).toBe(false);
        expect(await store.sessions.get('s1')).toEqual(paired);
        // From a fresh read it goes through.
        const fresh = (await store.sessions.get('s1'))!;
        expect(await store.sessions.replace(fresh, { ...fresh, state: 'connected', pairing: null })).toBe(true);
        expect(await store.sessions.get('s1')).toEqual({ ...paired, state: 'connected', pairing: null });
        expect(await store.sessions.findByPairingCode('PAIRCODE')).toBeUndefined();
        // A session deleted meanwhile is not brought back.
        await store.sessions.delete('s1');
        expect(await store.sessions.replace(fresh, { ...fresh, state: 'qr' })).toBe(false);
        expect(await store.sessions.get('s1')).toBeUndefined();
      });
    });

    describe('contacts', () => {
      it('keys contacts by account and phone, and says whether a delete found one', async () => {
        await store.contacts.save(contact('wamm:a', '79001'));
        await store.contacts.save(contact('wamm:a', '79002'));
        await store.contacts.save(contact('wamm:b', '79001'));
        await store.contacts.save({ ...contact('wamm:a', '79001'), name: 'Renamed' });
        expect(await store.contacts.get('wamm:a', '79001')).toEqual({ ...contact('wamm:a', '79001'), name: 'Renamed' });
        expect((await store.contacts.list('wamm:a')).map((c) => c.phone)).toEqual(['79001', '79002']);
        expect(await store.contacts.delete('wamm:a', '79001')).toBe(true);
        expect(await store.contacts.delete('wamm:a', '79001')).toBe(false);
        expect(await store.contacts.get('wamm:a', '79001')).toBeUndefined();
        expect(await store.contacts.get('wamm:b', '79001')).toEqual(contact('wamm:b', '79001'));
      });
    });

    describe('media', () => {
      it('gets what it saved', async () => {
        const media: StoredMedia = { id: 'f1', accountId: 'wamm:a', fileName: 'cat.png', mime: 'image/png', size: 120, createdAt: 5 };
        await store.media.save(media);
        await store.media.save({ ...media, id: 'f2', fileName: null });
        expect(await store.media.get('f1')).toEqual(media);
        expect(await store.media.get('f2')).toEqual({ ...media, id: 'f2', fileName: null });
        expect(await store.media.get('f3')).toBeUndefined();
      });
    });

    describe('templates', () => {
      it('keys templates by name and language and lists them by name, then language', async () => {
        for (const [name, language] of [
          ['welcome', 'ru'],
          ['alert', 'pt_BR'],
          ['welcome', 'en'],
          ['alert', 'en'],
        ] as const) {
          await store.templates.save(template(name, language));
        }
        await store.templates.save({ ...template('welcome', 'en'), text: 'Hi {{1}}!' });
        expect((await store.templates.list()).map((t) => `${t.name}/${t.language}`)).toEqual(['alert/en', 'alert/pt_BR', 'welcome/en', 'welcome/ru']);
        expect((await store.templates.get('welcome', 'en'))?.text).toBe('Hi {{1}}!');
        expect(await store.templates.delete('alert', 'en')).toBe(true);
        expect(await store.templates.delete('alert', 'en')).toBe(false);
        expect(await store.templates.get('alert', 'en')).toBeUndefined();
      });
    });

    describe('conversations', () => {
      it('remembers the last inbound time per line and peer', async () => {
        expect(await store.conversations.lastInbound('wamm:a', '79001')).toBeUndefined();
        await store.conversations.recordInbound('wamm:a', '79001', 1_000);
        await store.conversations.recordInbound('wamm:a', '79001', 2_500);
        await store.conversations.recordInbound('wamm:a', '79002', 3_000);
        expect(await store.conversations.lastInbound('wamm:a', '79001')).toBe(2_500);
        expect(await store.conversations.lastInbound('wamm:b', '79001')).toBeUndefined();
      });
    });

    describe('groups', () => {
      it("lists a line's groups oldest first and forgets a whole line", async () => {
        await store.groups.save(group('line1', 'g1'));
        await store.groups.save(group('line1', 'g2'));
        await store.groups.save(group('line2', 'g1'));
        await store.groups.save({ ...group('line1', 'g1'), name: 'Renamed' });
        expect((await store.groups.list('line1')).map((g) => [g.id, g.name])).toEqual([
          ['g1', 'Renamed'],
          ['g2', 'Group g2'],
        ]);
        expect(await store.groups.get('line2', 'g1')).toEqual(group('line2', 'g1'));
        await store.groups.deleteLine('line1');
        expect(await store.groups.list('line1')).toEqual([]);
        expect(await store.groups.get('line1', 'g2')).toBeUndefined();
        expect(await store.groups.list('line2')).toHaveLength(1);
      });
    });

    describe('catalogs', () => {
      it('keeps one product list per line', async () => {
        await store.catalogs.save('line1', [product('p1'), product('p2')]);
        await store.catalogs.save('line2', []);
        await store.catalogs.save('line1', [product('p3')]);
        expect(await store.catalogs.get('line1')).toEqual([product('p3')]);
        expect(await store.catalogs.get('line2')).toEqual([]);
        await store.catalogs.delete('line1');
        expect(await store.catalogs.get('line1')).toBeUndefined();
      });
    });

    describe('sequences', () => {
      it('starts each named sequence at its start and counts on from there', async () => {
        expect(await store.sequences.next('a', 100)).toBe(100);
        expect(await store.sequences.next('a', 100)).toBe(101);
        expect(await store.sequences.next('b', 1)).toBe(1);
        expect(await store.sequences.next('a', 100)).toBe(102);
      });
    });

    describe('webhooks', () => {
      it("lists an account's pending events not yet expired, oldest first", async () => {
        await store.webhooks.save(event('e1', { expiresAt: 10_000 }));
        await store.webhooks.save(event('e2', { expiresAt: 5_000 }));
        await store.webhooks.save(event('e3', { accountId: 'wamm:b' }));
        await store.webhooks.save(event('e4'));
        await store.webhooks.save({ ...event('e1', { expiresAt: 10_000 }), attempts: 2 });
        expect((await store.webhooks.pending('wamm:a', 5_000)).map((e) => [e.id, e.attempts])).toEqual([
          ['e1', 2],
          ['e4', 0],
        ]);
        await store.webhooks.save({ ...event('e4'), state: 'delivered' });
        await store.webhooks.delete('e1');
        expect(await store.webhooks.pending('wamm:a', 0)).toEqual([event('e2', { expiresAt: 5_000 })]);
        expect(await store.webhooks.get('e1')).toBeUndefined();
        expect((await store.webhooks.get('e4'))?.state).toBe('delivered');
      });

      it('lists attempts oldest first, the most recent ones under a limit, per account or all', async () => {
        for (let n = 1; n <= 5; n++) await store.webhooks.recordAttempt(attempt(n, n === 3 ? 'wamm:b' : 'wamm:a'));
        expect((await store.webhooks.attempts({})).map((a) => a.at)).toEqual([1, 2, 3, 4, 5]);
        expect((await store.webhooks.attempts({ limit: 2 })).map((a) => a.at)).toEqual([4, 5]);
        expect((await store.webhooks.attempts({ accountId: 'wamm:a', limit: 3 })).map((a) => a.at)).toEqual([2, 4, 5]);
        expect(await store.webhooks.attempts({ accountId: 'wamm:b' })).toEqual([attempt(3, 'wamm:b')]);
      });

      it('keeps only the newest attempts up to its limit', async () => {
        await open({ webhookAttempts: 3 });
        for (let n = 1; n <= 7; n++) await store.webhooks.recordAttempt(attempt(n, 'wamm:a'));
        expect((await store.webhooks.attempts({})).map((a) => a.at)).toEqual([5, 6, 7]);
      });
    });

    describe('schedule', () => {
      it('lists jobs earliest due first, ties in insertion order; a put replaces by id and goes after the jobs due at the same time', async () => {
        await store.schedule.put(job('a', 300));
        await store.schedule.put(job('b', 100));
        await store.schedule.put(job('c', 300));
        await store.schedule.put(job('d', 200));
        await store.schedule.put({ ...job('a', 300), payload: { messageId: 'm9' } });
        await store.schedule.put(job('d', 400));
        expect((await store.schedule.list()).map((j) => `${j.id}@${j.dueAt}`)).toEqual(['b@100', 'c@300', 'a@300', 'd@400']);
        expect(await store.schedule.get('a')).toEqual({ ...job('a', 300), payload: { messageId: 'm9' } });
        await store.schedule.delete('a');
        await store.schedule.delete('zz');
        expect(await store.schedule.get('a')).toBeUndefined();
        expect((await store.schedule.list()).map((j) => j.id)).toEqual(['b', 'c', 'd']);
      });
    });

    describe('state', () => {
      it('keeps JSON values by key', async () => {
        expect(await store.state.get('clock')).toBeUndefined();
        await store.state.set('clock', { now: 1_767_258_000_000, speed: 1 });
        await store.state.set('flag', false);
        await store.state.set('clock', { now: 1_767_258_060_000, speed: 60, paused: null });
        expect(await store.state.get('clock')).toEqual({ now: 1_767_258_060_000, speed: 60, paused: null });
        expect(await store.state.get<boolean>('flag')).toBe(false);
      });

      it('deletes a key, and lists and deletes the keys under a prefix in key order', async () => {
        await store.state.set('transport.live.creds', { me: '79001' });
        await store.state.set('transport.live.key.b', 2);
        await store.state.set('transport.live.key.a', 1);
        await store.state.set('transport.live.keyring', 'not under key.');
        await store.state.set('transport.relay.key.a', 'another transport');
        await store.state.set('transport.live.*?[x', 'wildcards are plain characters');
        await store.state.set('transport.live.%_x', 'LIKE wildcards too');
        expect(await store.state.entries('transport.live.key.')).toEqual([
          ['transport.live.key.a', 1],
          ['transport.live.key.b', 2],
        ]);
        expect(await store.state.entries('transport.live.*?[')).toEqual([['transport.live.*?[x', 'wildcards are plain characters']]);
        expect(await store.state.entries('transport.live._')).toEqual([]);
        expect(await store.state.entries('transport.live.%')).toEqual([['transport.live.%_x', 'LIKE wildcards too']]);
        expect(await store.state.entries('transport.none.')).toEqual([]);

        expect(await store.state.delete('transport.live.creds')).toBe(true);
        expect(await store.state.delete('transport.live.creds')).toBe(false);
        expect(await store.state.get('transport.live.creds')).toBeUndefined();

        expect(await store.state.deletePrefix('transport.live.key.')).toBe(2);
        expect(await store.state.deletePrefix('transport.live.key.')).toBe(0);
        expect(await store.state.entries('transport.')).toEqual([
          ['transport.live.%_x', 'LIKE wildcards too'],
          ['transport.live.*?[x', 'wildcards are plain characters'],
          ['transport.live.keyring', 'not under key.'],
          ['transport.relay.key.a', 'another transport'],
        ]);
      });
    });

    it('forgets everything on clear, sequences included', async () => {
      await fillEveryRepository(store);
      await store.clear();
      await expectEveryRepositoryEmpty(store);
      expect(await store.sequences.next('ids', 1)).toBe(1);
    });

    if (kind === 'durable') {
      it('keeps everything across a reopen, and sequences count on', async () => {
        const filled = await fillEveryRepository(store);
        if (!subject.reopen) throw new Error(`the ${name} factory cannot reopen its store`);
        store = await subject.reopen();
        expect(await readEveryRepository(store)).toEqual(filled);
        expect(await store.sequences.next('ids', 1)).toBe(3);
      });
    }
  });
}

/** Writes one or two records in every repository; returns what readEveryRepository should then read. */
async function fillEveryRepository(store: EngineStore) {
  await store.accounts.save(account('wamm:a'));
  await store.messages.insert(message(1));
  await store.messages.insert(message(2, { direction: 'inbound', status: 'received' }));
  await store.sessions.save(session('s1', { pairing: { code: 'PAIR-CODE', phone: '79001', expiresAt: 9 } }));
  await store.contacts.save(contact('wamm:a', '79001'));
  await store.media.save({ id: 'f1', accountId: 'wamm:a', fileName: null, mime: 'image/png', size: 3, createdAt: 1 });
  await store.templates.save(template('welcome', 'en'));
  await store.conversations.recordInbound('wamm:a', '79001', 42);
  await store.groups.save(group('line1', 'g1'));
  await store.catalogs.save('line1', [product('p1')]);
  await store.sequences.next('ids', 1);
  await store.sequences.next('ids', 1);
  await store.webhooks.save(event('e1'));
  await store.webhooks.recordAttempt(attempt(1, 'wamm:a'));
  await store.schedule.put(job('j1', 500));
  await store.state.set('clock', { now: 123 });
  return readEveryRepository(store);
}

async function readEveryRepository(store: EngineStore) {
  const page = (direction: 'outbound' | 'inbound') => store.messages.query({ accountId: 'wamm:a', direction, order: 'oldest', offset: 0, limit: 10 });
  return {
    accounts: await store.accounts.list(),
    outbound: await page('outbound'),
    inbound: await page('inbound'),
    sessions: await store.sessions.list('maytapi:a'),
    paired: await store.sessions.findByPairingCode('PAIR-CODE'),
    contacts: await store.contacts.list('wamm:a'),
    media: await store.media.get('f1'),
    templates: await store.templates.list(),
    conversation: await store.conversations.lastInbound('wamm:a', '79001'),
    groups: await store.groups.list('line1'),
    catalog: await store.catalogs.get('line1'),
    pending: await store.webhooks.pending('wamm:a', 0),
    attempts: await store.webhooks.attempts({}),
    schedule: await store.schedule.list(),
    state: await store.state.get('clock'),
  };
}

async function expectEveryRepositoryEmpty(store: EngineStore) {
  expect(await readEveryRepository(store)).toEqual({
    accounts: [],
    outbound: { total: 0, items: [] },
    inbound: { total: 0, items: [] },
    sessions: [],
    paired: undefined,
    contacts: [],
    media: undefined,
    templates: [],
    conversation: undefined,
    groups: [],
    catalog: undefined,
    pending: [],
    attempts: [],
    schedule: [],
    state: undefined,
  });
  expect(await store.messages.get('m1')).toBeUndefined();
  expect(await store.webhooks.get('e1')).toBeUndefined();
}

const ids = (page: { total: number; items: Message[] }) => [page.total, page.items.map((m) => m.id)];

function account(id: string): Account {
  const [provider, key] = id.split(':') as [string, string];
  return {
    id,
    provider,
    key,
    createdAt: 1_000,
    linePhone: '79990000001',
    features: { typing: { enabled: true, pending: { enabled: false, effectiveAt: 5_000 } } },
    webhookUrl: 'http://127.0.0.1:9/hook',
    limits: { dailyMessages: 1000, perSecond: null, balance: 12.5 },
    settings: { plan: { tier: 'pro', phones: [1, 2] } },
  };
}

function session(id: string, overrides: Partial<Session> = {}): Session {
  return {
    id,
    accountId: 'maytapi:a',
    label: id.slice(1),
    transport: 'simulated',
    state: 'qr',
    stateSince: 1,
    phone: null,
    linkedAt: null,
    createdAt: 1,
    qrSince: 1,
    idle: false,
    pairing: null,
    ...overrides,
  };
}

function contact(accountId: string, phone: string): Contact {
  return { accountId, phone, name: `Contact ${phone}`, info: '', email: 'c@example.com', web: '', createdAt: 1, updatedAt: 2 };
}

function template(name: string, language: string): MessageTemplate {
  return { name, language, text: 'Hello {{1}}', parameterCount: 1, updatedAt: 7 };
}

function group(lineId: string, id: string): Group {
  return {
    id,
    accountId: 'wamm:a',
    lineId,
    name: `Group ${id}`,
    participants: ['79990000001', '79001'],
    admins: ['79990000001'],
    image: null,
    settings: { edit: 'all', send: 'admins', disappear: false },
    inviteCode: `invite-${id}`,
    createdAt: 3,
    leftAt: null,
  };
}

function product(productId: string): CatalogProduct {
  return {
    productId,
    title: 'Tea',
    description: 'Green',
    price: 30,
    currency: 'EUR',
    image: 'http://x/tea.png',
    url: 'http://x/tea',
    retailerId: `sku-${productId}`,
  };
}

function event(id: string, overrides: Partial<WebhookEvent> = {}): WebhookEvent {
  return {
    id,
    accountId: 'wamm:a',
    url: 'http://127.0.0.1:9/hook',
    payload: { messages: [{ id: 'm1', status: 'sent' }] },
    orderKey: 'chat:79001',
    createdAt: 1,
    expiresAt: 100_000,
    state: 'pending',
    attempts: 0,
    ...overrides,
  };
}

function attempt(at: number, accountId: string): WebhookAttempt {
  return {
    eventId: `e${at}`,
    accountId,
    url: 'http://127.0.0.1:9/hook',
    at,
    ok: at % 2 === 0,
    status: at % 2 === 0 ? 200 : null,
    latencyMs: 3,
    error: at % 2 === 0 ? null : 'ECONNREFUSED',
    body: { n: at },
    // One attempt a chaos rule played with: the store keeps its mark.
    ...(at === 3 ? { chaos: { rule: 'c1', fault: 'drop' } } : {}),
  };
}

function job(id: string, dueAt: number): ScheduledJob {
  return { id, kind: 'message.deliver', dueAt, payload: { messageId: `m-${id}` } };
}
