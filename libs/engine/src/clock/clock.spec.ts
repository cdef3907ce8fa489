import { EngineClock, type WallTime } from './clock.js';

/** A wall clock the test moves by hand: real mode without real waiting. */
class FakeWall implements WallTime {
  time = 1_000_000;
  private timers = new Map<number, { at: number; callback: () => void }>();
  private nextId = 1;
  now = () => this.time;
  setTimeout = (callback: () => void, ms: number) => {
    const id = this.nextId++;
    this.timers.set(id, { at: this.time + ms, callback });
    return id;
  };
  clearTimeout = (handle: unknown) => {
    this.timers.delete(handle as number);
  };
  /** Moves wall time and fires the timers that fall due, like the event loop would. */
  tick(ms: number) {
    this.time += ms;
    for (const [id, timer] of [...this.timers]) {
      if (timer.at <= this.time) {
        this.timers.delete(id);
        timer.callback();
      }
    }
  }
}

const START = Date.UTC(2026, 0, 1);
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('EngineClock, manual mode', () => {
  it('stands still until advanced, then runs due tasks in due-time order', async () => {
    const clock = new EngineClock({ mode: 'manual', speed: 1, startAt: START });
    const ran: string[] = [];
    clock.schedule(3000, () => void ran.push(`c@${clock.now() - START}`));
    clock.schedule(1000, () => void ran.push(`a@${clock.now() - START}`));
    clock.schedule(1000, () => void ran.push(`b@${clock.now() - START}`));
    clock.schedule(5000, () => void ran.push('late'));
    await nextTurn();
    expect(ran).toEqual([]);
    const state = await clock.advance(3000);
    expect(ran).toEqual(['a@1000', 'b@1000', 'c@3000']);
    expect(state.nowMs).toBe(START + 3000);
    expect(state.scheduled).toBe(1);
  });

  it('awaits each task, so work a task schedules inside the window runs at its own virtual time', async () => {
    const clock = new EngineClock({ mode: 'manual', speed: 1, startAt: START });
    const attempts: number[] = [];
    const attempt = async () => {
      await Promise.resolve(); // an async step such as an HTTP request
      attempts.push(clock.now() - START);
      if (attempts.length < 3) clock.schedule(10_000, attempt);
    };
    clock.schedule(0, attempt);
    await clock.advance(48 * 3600_000);
    expect(attempts).toEqual([0, 10_000, 20_000]);
  });

  it('runs tasks due now without an advance, and settle() waits for them', async () => {
    const clock = new EngineClock({ mode: 'manual', speed: 1, startAt: START });
    let done = false;
    clock.schedule(0, async () => {
      await nextTurn();
      done = true;
    });
    await nextTurn();
    await clock.settle();
    expect(done).toBe(true);
  });

  it('settle() also runs tasks that are due but not started yet', async () => {
    const clock = new EngineClock({ mode: 'manual', speed: 1, startAt: START });
    let done = false;
    clock.schedule(0, () => {
      done = true;
    });
    await clock.settle(); // no turn of the event loop in between
    expect(done).toBe(true);
  });

  it('cancels tasks and resets to the start time', async () => {
    const clock = new EngineClock({ mode: 'manual', speed: 1, startAt: START });
    const ran: string[] = [];
    const task = clock.schedule(10, () => void ran.push('cancelled'));
    clock.schedule(20, () => void ran.push('kept'));
    task.cancel();
    expect(clock.state().scheduled).toBe(1);
    await clock.advance(100);
    expect(ran).toEqual(['kept']);
    clock.schedule(10, () => void ran.push('dropped by reset'));
    clock.reset();
    await clock.advance(100);
    expect(ran).toEqual(['kept']);
    expect(clock.now()).toBe(START + 100);
  });

  it('keeps a failing task from stopping the others', async () => {
    const errors: string[] = [];
    const clock = new EngineClock({ mode: 'manual', speed: 1, startAt: START, onTaskError: (_e, label) => errors.push(label) });
    const ran: string[] = [];
    clock.schedule(
      1,
      () => {
        throw new Error('boom');
      },
      'bad',
    );
    clock.schedule(2, () => void ran.push('good'));
    await clock.advance(5);
    expect(errors).toEqual(['bad']);
    expect(ran).toEqual(['good']);
  });

  it('moves on while held work runs, but not to the time that work may schedule for', async () => {
    const clock = new EngineClock({ mode: 'manual', speed: 1, startAt: START });
    const ran: string[] = [];
    const at = (label: string) => () => void ran.push(`${label}@${clock.now() - START}`);
    let release!: () => void;
    const request = new Promise<void>((resolve) => (release = resolve));
    clock.schedule(0, () => {
      const startedAt = clock.now();
      // Like a webhook attempt: an HTTP request that, when it fails, schedules a retry 10 s after it began.
      const attempt = request.then(() => {
        at('ended')();
        clock.scheduleAt(startedAt + 10_000, at('retry'));
      });
      clock.hold(attempt, startedAt + 10_000);
    });
    clock.schedule(1_000, at('a'));
    clock.schedule(9_999, () => {
      at('b')();
      release(); // the request ends only now, after time has moved on without it
    });
    clock.schedule(10_000, at('c'));
    await clock.advance(60_000);
    expect(ran).toEqual(['a@1000', 'b@9999', 'ended@9999', 'c@10000', 'retry@10000']);
  });

  it('waits for held work that never ends only its patience in wall time, in all, then moves on without it', async () => {
    const wall = new FakeWall();
    const clock = new EngineClock({ mode: 'manual', speed: 1, startAt: START, wall, heldWorkPatienceMs: 5_000 });
    const ran: string[] = [];
    const never = new Promise<void>(() => undefined);
    // Two attempts that never end: one holds time short of 10 s, the other (made later) short of 40 s.
    clock.schedule(0, () => clock.hold(never, START + 10_000));
    clock.schedule(30_000, () => {
      ran.push(`second attempt@${clock.now() - START}`);
      clock.hold(never, START + 40_000);
    });
    clock.schedule(50_000, () => void ran.push(`later task@${clock.now() - START}`));
    let answered = false;
    const advanced = clock.advance(60_000).then((state) => {
      answered = true;
      return state;
    });
    await nextTurn();
    wall.tick(4_999);
    await nextTurn();
    expect(answered).toBe(false);
    expect(ran).toEqual([]);
    // Patience runs out once for the whole advance, not once per held work.
    wall.tick(1);
    expect((await advanced).nowMs).toBe(START + 60_000);
    expect(ran).toEqual(['second attempt@30000', 'later task@50000']);
  });

  it('settle() waits for held work, and a failure in it is reported like a failing task', async () => {
    const errors: string[] = [];
    const clock = new EngineClock({ mode: 'manual', speed: 1, startAt: START, onTaskError: (_e, label) => errors.push(label) });
    let ended = false;
    clock.hold(
      nextTurn().then(() => void (ended = true)),
      START + 5_000,
    );
    clock.hold(
      nextTurn().then(() => Promise.reject(new Error('boom'))),
      START + 5_000,
      'failing work',
    );
    await clock.settle();
    expect(ended).toBe(true);
    expect(errors).toEqual(['failing work']);
    expect(clock.now()).toBe(START);
  });

  it('rejects nonsense', async () => {
    const clock = new EngineClock({ mode: 'manual', speed: 1, startAt: START });
    await expect(clock.advance(-1)).rejects.toThrow(RangeError);
    expect(() => clock.setSpeed(0)).toThrow(RangeError);
    expect(() => new EngineClock({ mode: 'real', speed: Number.NaN })).toThrow(RangeError);
  });
});

describe('EngineClock, real mode', () => {
  it('follows the wall clock times the speed and fires timers when due', async () => {
    const wall = new FakeWall();
    const clock = new EngineClock({ mode: 'real', speed: 60, startAt: START, wall });
    const ran: number[] = [];
    clock.schedule(60_000, () => void ran.push(clock.now() - START)); // one virtual minute = one wall second
    wall.tick(999);
    expect(ran).toEqual([]);
    expect(clock.now()).toBe(START + 59_940);
    wall.tick(1);
    await clock.settle();
    expect(ran).toEqual([60_000]);
  });

  it('keeps virtual time continuous across speed and mode changes', () => {
    const wall = new FakeWall();
    const clock = new EngineClock({ mode: 'real', speed: 1, startAt: START, wall });
    wall.tick(1000);
    clock.setSpeed(10);
    expect(clock.now()).toBe(START + 1000);
    wall.tick(1000);
    expect(clock.now()).toBe(START + 11_000);
    clock.setMode('manual');
    wall.tick(5000);
    expect(clock.now()).toBe(START + 11_000);
    clock.setMode('real');
    wall.tick(100);
    expect(clock.now()).toBe(START + 12_000);
  });

  it('re-arms the wall timer when an earlier task arrives', async () => {
    const wall = new FakeWall();
    const clock = new EngineClock({ mode: 'real', speed: 1, startAt: START, wall });
    const ran: string[] = [];
    clock.schedule(5000, () => void ran.push('later'));
    clock.schedule(1000, () => void ran.push('sooner'));
    wall.tick(1000);
    await clock.settle();
    expect(ran).toEqual(['sooner']);
    wall.tick(4000);
    await clock.settle();
    expect(ran).toEqual(['sooner', 'later']);
  });
});
