import { describeWithPostgres, dropSchema, freshSchemaName, testPostgresUrl } from '../../../../test/support/postgres.js';
import { PostgresStore } from './postgres.store.js';
import type { ScheduledJob, SharedWork } from './store.js';

const LEASE_MS = 60_000;
const job = (id: string, dueAt: number, payload: Record<string, unknown> = {}): ScheduledJob => ({ id, kind: 'spec', dueAt, payload });

/** What lets several instances share one database's work (SharedWork), on PostgreSQL: leases, versions, serial keys, queues. */
describeWithPostgres('PostgreSQL shared work (WA_SANDBOX_TEST_POSTGRES)', () => {
  let store: PostgresStore;
  let shared: SharedWork;
  let schema: string;

  beforeEach(async () => {
    schema = freshSchemaName('shared');
    store = new PostgresStore(testPostgresUrl(), { schema });
    shared = store.shared;
    await store.ready;
  });
  afterEach(async () => {
    store.close();
    await dropSchema(schema);
  });

  const ids = (jobs: ScheduledJob[]) => jobs.map((claimed) => claimed.id);

  it('claims due jobs earliest first, each for one owner until its lease runs out', async () => {
    await store.schedule.put(job('late', 300));
    await store.schedule.put(job('b', 100));
    await store.schedule.put(job('a', 100));
    await store.schedule.put(job('future', 900));
    expect(ids(await shared.claim('one', 300, LEASE_MS, 2))).toEqual(['b', 'a']);
    expect(ids(await shared.claim('two', 300, LEASE_MS, 10))).toEqual(['late']);
    expect(await shared.claim('two', 300, LEASE_MS, 10)).toEqual([]);
    // A lease of 0 ms has run out by the next statement: as if its owner had died.
    const [expiring] = await shared.claim('three', 900, 0, 1);
    expect(expiring?.id).toBe('future');
    expect(ids(await shared.claim('two', 900, LEASE_MS, 10))).toEqual(['future']);
  });

  it('finishes a job by deleting it, unless it was put again while it ran: then it is released to run again', async () => {
    await store.schedule.put(job('once', 100));
    await store.schedule.put(job('again', 100));
    const claimed = await shared.claim('one', 100, LEASE_MS, 10);
    await store.schedule.put(job('again', 200, { turn: 2 }));
    for (const running of claimed) await shared.finish('one', running);
    expect(await store.schedule.list()).toEqual([job('again', 200, { turn: 2 })]);
    expect(await shared.claim('two', 150, LEASE_MS, 10)).toEqual([]);
    expect(ids(await shared.claim('two', 200, LEASE_MS, 10))).toEqual(['again']);
  });

  it('ensures a job: inserted when missing, its due time kept when there, and run again when running', async () => {
    await shared.ensure(job('line', 500));
    await shared.ensure(job('line', 100));
    expect(await store.schedule.get('line')).toEqual(job('line', 500));
    const [running] = await shared.claim('one', 500, LEASE_MS, 1);
    // A wake-up while it runs (another instance queued a message) must not be lost when it finishes.
    await shared.ensure(job('line', 700));
    await shared.finish('one', running!);
    expect(ids(await shared.claim('two', 500, LEASE_MS, 10))).toEqual(['line']);
  });

  it("runs one message's jobs one at a time, in due order", async () => {
    await store.schedule.put(job('read', 200, { messageId: 'm1' }));
    await store.schedule.put(job('delivered', 100, { messageId: 'm1' }));
    await store.schedule.put(job('other', 150, { messageId: 'm2' }));
    const first = await shared.claim('one', 300, LEASE_MS, 10);
    expect(ids(first)).toEqual(['delivered', 'other']);
    expect(await shared.claim('two', 300, LEASE_MS, 10)).toEqual([]);
    await shared.finish('one', first[0]!);
    expect(ids(await shared.claim('two', 300, LEASE_MS, 10))).toEqual(['read']);
  });

  it('keeps named queues in order, each item with its job ensured in the same statement', async () => {
    await shared.enqueue('send:a', 'm1', job('send.next:a', 100));
    await shared.enqueue('send:b', 'x', job('send.next:b', 100));
    await shared.enqueue('send:a', 'm2', job('send.next:a', 500));
    await shared.enqueue('send:a', 'm3', job('send.next:a', 500));
    expect(await store.schedule.list()).toEqual([job('send.next:a', 100), job('send.next:b', 100)]);
    const [first, second] = await shared.peek('send:a', 2);
    expect([first?.item, second?.item]).toEqual(['m1', 'm2']);
    expect(await shared.remove('send:a', first!.seq)).toBe(2);
    expect(await shared.remove('send:a', second!.seq + 1_000)).toBe(0);
    expect((await shared.peek('send:b', 5)).map((entry) => entry.item)).toEqual(['x']);
  });

  it('keeps the first value claimed under a key', async () => {
    expect(await shared.claimState('secret.jwt', 'first')).toBe('first');
    expect(await shared.claimState('secret.jwt', 'second')).toBe('first');
    expect(await store.state.get('secret.jwt')).toBe('first');
  });
});
