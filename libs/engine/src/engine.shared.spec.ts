import pg from 'pg';
import { describeWithPostgres, dropSchema, freshSchemaName, testPostgresUrl } from '../../../test/support/postgres.js';
import { ClockLockedError } from './clock/clock.js';
import { SharedClockError, WhatsAppEngine } from './engine.js';
import type { Message } from './store/models.js';
import { PostgresStore } from './store/postgres.store.js';
import type { EngineStore } from './store/store.js';
import { SPEC_START, specProfile } from './testing/spec-engine.js';

/** Engines on one PostgreSQL store share one clock: the real one, anchored in the store; never a manual one. */
describeWithPostgres('engines sharing a PostgreSQL store (WA_SANDBOX_TEST_POSTGRES)', () => {
  let schema: string;
  const engines: WhatsAppEngine[] = [];

  const engine = (mode: 'real' | 'manual', speed: number, startAt = SPEC_START) => {
    const made = new WhatsAppEngine({
      clock: { mode, speed, startAt },
      seed: 1,
      store: new PostgresStore(testPostgresUrl(), { schema }),
      mediaBaseUrl: 'http://127.0.0.1:9/media',
    });
    engines.push(made);
    return made;
  };

  beforeEach(() => {
    schema = freshSchemaName('engine');
  });
  afterEach(async () => {
    for (const made of engines.splice(0)) made.close();
    await dropSchema(schema);
  });

  it('refuses the manual clock, which one instance could not move for the others', async () => {
    await expect(engine('manual', 1).resume()).rejects.toThrow(
      new SharedClockError(
        'the manual clock cannot be shared by several instances: run a PostgreSQL store with --clock real (or use a SQLite store for the manual clock)',
      ),
    );
  });

  it('runs every instance on the first one’s clock, at its speed, and refuses clock changes', async () => {
    const first = engine('real', 60);
    await first.resume();
    // Started a virtual day later: it takes the anchor's time instead.
    const second = engine('real', 60, SPEC_START + 86_400_000);
    await second.resume();
    expect(Math.abs(second.clock.now() - first.clock.now())).toBeLessThan(60 * 1_000);
    await expect(engine('real', 600).resume()).rejects.toThrow('start this one with --speed 60');
    await expect(second.clock.advance(1_000)).rejects.toThrow(ClockLockedError);
    expect(() => first.clock.setSpeed(120)).toThrow(ClockLockedError);
    expect(() => first.clock.setMode('manual')).toThrow(ClockLockedError);
  });

  /**
   * An instance dies in a send, right after `sent` is stored and `writesLeft` job writes later: its store
   * answers nothing more (kill -9 as the database sees it), its leases are ended (as they run out after
   * LEASE_MS), and a second instance takes over. What was accepted must still reach its read receipt.
   * Before the fix, a death right after `sent` left the message `sent` (its line's queue had let it go, and
   * a send run again skipped a message no longer queued), and a death between the delivery's job and the
   * read receipt's left it `delivered`, with nothing in the schedule either way.
   */
  it.each([
    ['right after `sent` is stored', 0],
    ['after the first job write that follows `sent`', 1],
  ])('carries on a send an instance died in %s', async (_when, writesLeft) => {
    const halted = haltingStore(new PostgresStore(testPostgresUrl(), { schema }), writesLeft);
    const dying = sharedEngine(halted.store);
    await dying.resume();
    const lookup = await dying.accounts.resolve('spec', 'key');
    if (!lookup.ok) throw new Error(lookup.reason);
    const result = await dying.messages.send(lookup.account, { recipients: ['79165550101'], text: 'hello' });
    if (!result.ok) throw new Error(result.reason);
    const [{ id }] = result.messages as [Message];
    await halted.dead;
    dying.close();

    await endLeases(schema);
    const takingStore = new PostgresStore(testPostgresUrl(), { schema });
    const taking = sharedEngine(takingStore);
    engines.push(taking);
    const read = statusReached(taking, id, 'read');
    await taking.resume();
    const deadline = stuckAfter(5_000, takingStore, id);
    const message = await Promise.race([read, deadline.failure]).finally(deadline.cancel);
    expect(message.history.map((step) => step.status).slice(-3)).toEqual(['sent', 'delivered', 'read']);
  });

  const sharedEngine = (store: EngineStore) => {
    const made = new WhatsAppEngine({ clock: { mode: 'real', speed: 600, startAt: SPEC_START }, seed: 1, store, mediaBaseUrl: 'http://127.0.0.1:9/media' });
    made.registerProvider(specProfile());
    return made;
  };
});

/**
 * A store that stops answering (every call hangs, as on a dead instance) once a message's `sent` is stored
 * and `writesLeft` job writes (a put, or several jobs put at once) have gone in after it.
 */
function haltingStore(store: PostgresStore, writesLeft: number): { store: EngineStore; dead: Promise<void> } {
  let sentStored = false;
  let halted = false;
  let die!: () => void;
  const dead = new Promise<void>((resolve) => {
    die = resolve;
  });
  const halt = () => {
    halted = true;
    die();
  };
  const afterWrite = (repository: string, method: string, args: unknown[]) => {
    if (repository === 'messages' && method === 'save' && (args[0] as Message).status === 'sent') {
      sentStored = true;
      if (writesLeft === 0) halt();
    } else if (sentStored && ((repository === 'schedule' && method === 'put') || (repository === 'shared' && method === 'putAll'))) {
      if (--writesLeft === 0) halt();
    }
  };
  const repositoryProxy = (name: string, repository: object) =>
    new Proxy(repository, {
      get(target, method, receiver) {
        const value = Reflect.get(target, method, receiver);
        if (typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          if (halted) return new Promise(() => {});
          const answer = await value.apply(target, args);
          afterWrite(name, String(method), args);
          return answer;
        };
      },
    });
  const proxy = new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value === 'function') return value.bind(target);
      return value !== null && typeof value === 'object' ? repositoryProxy(String(property), value) : value;
    },
  });
  return { store: proxy as EngineStore, dead };
}

/** What the database does once a dead instance's leases run out (LEASE_MS), at once. */
async function endLeases(schema: string): Promise<void> {
  const client = new pg.Client(testPostgresUrl());
  await client.connect();
  try {
    await client.query(`UPDATE ${schema}.schedule SET owner = NULL, lease_until = NULL`);
  } finally {
    await client.end();
  }
}

/** The message once it reaches `status`, as the engine publishes it. */
function statusReached(engine: WhatsAppEngine, id: string, status: Message['status']): Promise<Message> {
  return new Promise((resolve) => {
    engine.events.on(async (event) => {
      if (event.type === 'message.status' && event.message.id === id && event.message.status === status) resolve(event.message);
    });
  });
}

/** Fails, naming where the message stopped, unless cancelled within `ms` of wall time (at speed 600, 5 s is 50 minutes of its clock). */
function stuckAfter(ms: number, store: EngineStore, id: string): { failure: Promise<never>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const failure = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(async () => {
      const message = await store.messages.get(id);
      const jobs = await store.schedule.list();
      reject(new Error(`the message stayed ${message?.status}, with ${jobs.length} jobs in the schedule`));
    }, ms);
  });
  return { failure, cancel: () => clearTimeout(timer) };
}
