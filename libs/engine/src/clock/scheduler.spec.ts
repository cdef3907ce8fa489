import { MemoryStore } from '../store/memory.store.js';
import { EngineClock, type WallTime } from './clock.js';
import { CLOCK_STATE_KEY, Scheduler } from './scheduler.js';

/** A wall clock that only moves when told to; its timers never fire (the specs advance the clocks themselves). */
function frozenWall(at: number): WallTime & { move(ms: number): void } {
  let now = at;
  return { now: () => now, move: (ms) => (now += ms), setTimeout: () => undefined, clearTimeout: () => undefined };
}

/** A scheduler on a manual clock that records `<kind> <payload.name> @<virtual ms>` for every job it runs. */
function recording(store: MemoryStore, startAt = 0) {
  const clock = new EngineClock({ mode: 'manual', speed: 1, startAt });
  const scheduler = new Scheduler(clock, store);
  const ran: string[] = [];
  for (const kind of ['ping', 'pong']) scheduler.handle(kind, (payload) => void ran.push(`${kind} ${payload.name} @${clock.now()}`));
  return { clock, scheduler, ran };
}

describe('Scheduler', () => {
  it('runs each job at its due time, in due order then scheduling order, and deletes its row once run', async () => {
    const store = new MemoryStore();
    const { clock, scheduler, ran } = recording(store);
    scheduler.at(300, 'ping', { name: 'c' });
    scheduler.after(100, 'pong', { name: 'a' }, 'fixed');
    scheduler.at(300, 'ping', { name: 'd' });
    scheduler.at(200, 'ping', { name: 'b' });
    await scheduler.written();
    expect((await store.schedule.list()).map((job) => job.payload.name)).toEqual(['a', 'b', 'c', 'd']);
    expect(await store.schedule.get('fixed')).toEqual({ id: 'fixed', kind: 'pong', dueAt: 100, payload: { name: 'a' } });

    await clock.advance(250);
    expect(ran).toEqual(['pong a @100', 'ping b @200']);
    await scheduler.written();
    expect((await store.schedule.list()).map((job) => job.payload.name)).toEqual(['c', 'd']);
    await clock.advance(50);
    expect(ran.slice(2)).toEqual(['ping c @300', 'ping d @300']);
    await scheduler.written();
    expect(await store.schedule.list()).toEqual([]);
  });

  it('replaces a job by id: a new payload keeps its place, a new due time moves it; a cancelled job never runs', async () => {
    const store = new MemoryStore();
    const { clock, scheduler, ran } = recording(store);
    scheduler.at(100, 'ping', { name: 'first' }, 'batch');
    scheduler.at(100, 'ping', { name: 'second' });
    scheduler.at(100, 'ping', { name: 'first, grown' }, 'batch');
    scheduler.at(50, 'pong', { name: 'moved' }, 'moving');
    scheduler.at(150, 'pong', { name: 'moved' }, 'moving');
    scheduler.at(120, 'ping', { name: 'dropped' }, 'dropped');
    scheduler.cancel('dropped');
    await clock.advance(200);
    expect(ran).toEqual(['ping first, grown @100', 'ping second @100', 'pong moved @150']);
    await scheduler.written();
    expect(await store.schedule.list()).toEqual([]);
    expect(clock.state().scheduled).toBe(0);
  });

  it('keeps the job a handler puts under its own id (a line arming its next turn)', async () => {
    const store = new MemoryStore();
    const clock = new EngineClock({ mode: 'manual', speed: 1, startAt: 0 });
    const scheduler = new Scheduler(clock, store);
    const turns: number[] = [];
    scheduler.handle('turn', (payload) => {
      turns.push(clock.now());
      if ((payload.left as number) > 0) scheduler.after(10, 'turn', { left: (payload.left as number) - 1 }, 'line');
    });
    scheduler.after(10, 'turn', { left: 2 }, 'line');
    await clock.advance(25);
    await scheduler.written();
    expect(turns).toEqual([10, 20]);
    expect(await store.schedule.list()).toEqual([{ id: 'line', kind: 'turn', dueAt: 30, payload: { left: 0 } }]);
  });

  it('carries on in a new scheduler on the same store: the clock where it stood, overdue jobs at once in due order', async () => {
    const store = new MemoryStore();
    const before = recording(store, 1_000);
    before.scheduler.at(1_500, 'ping', { name: 'late' });
    before.scheduler.at(1_200, 'pong', { name: 'early' });
    before.scheduler.at(9_000, 'ping', { name: 'later' });
    await before.clock.advance(100);
    await before.scheduler.written();

    const after = recording(store, 0);
    after.clock.restore((await after.scheduler.storedClock())!);
    expect(after.clock.now()).toBe(1_100);
    await after.scheduler.resume();
    await after.clock.advance(400);
    expect(after.ran).toEqual(['pong early @1200', 'ping late @1500']);
    await after.clock.advance(7_500);
    expect(after.ran.at(-1)).toBe('ping later @9000');
    // Arming what is stored twice would run it twice.
    await after.scheduler.resume();
    await after.clock.advance(10_000);
    expect(after.ran).toHaveLength(3);
  });

  it('stores the clock as it moves; a real clock resumes with its downtime passed at its speed, never backwards', async () => {
    const store = new MemoryStore();
    const wall = frozenWall(50_000);
    const clock = new EngineClock({ mode: 'real', speed: 60, startAt: 1_000_000, wall });
    const scheduler = new Scheduler(clock, store);
    wall.move(1_000);
    await clock.advance(5_000);
    await scheduler.written();
    expect(await store.state.get(CLOCK_STATE_KEY)).toEqual({ mode: 'real', speed: 60, nowMs: 1_065_000, wallMs: 51_000 });

    // Ten wall seconds down at speed 60: ten virtual minutes have passed.
    wall.move(10_000);
    const restarted = new EngineClock({ mode: 'real', speed: 60, startAt: 0, wall });
    expect(restarted.restore((await store.state.get(CLOCK_STATE_KEY))!).nowMs).toBe(1_665_000);
    // A wall clock set back does not take virtual time back with it.
    const setBack = new EngineClock({ mode: 'real', speed: 60, startAt: 0, wall: frozenWall(0) });
    expect(setBack.restore((await store.state.get(CLOCK_STATE_KEY))!).nowMs).toBe(1_065_000);
  });
});
