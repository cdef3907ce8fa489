import { describeWithPostgres, dropSchema, freshSchemaName, testPostgresUrl } from '../../../test/support/postgres.js';
import { ClockLockedError } from './clock/clock.js';
import { SharedClockError, WhatsAppEngine } from './engine.js';
import { PostgresStore } from './store/postgres.store.js';
import { SPEC_START } from './testing/spec-engine.js';

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
});
