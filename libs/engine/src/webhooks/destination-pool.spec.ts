import { DestinationPool } from './destination-pool.js';

/** A job the test ends by hand, recording when it starts. */
function gate(log: string[], name: string) {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return {
    open,
    job: async () => {
      log.push(`start ${name}`);
      await opened;
      log.push(`end ${name}`);
      return name;
    },
  };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('DestinationPool', () => {
  it("runs one destination's jobs up to its own limit, in the order given, and the rest as its slots free up", async () => {
    const pool = new DestinationPool(2, 10);
    const log: string[] = [];
    const [a, b, c] = ['a', 'b', 'c'].map((name) => gate(log, name));
    const results = [pool.run('x', a!.job), pool.run('x', b!.job), pool.run('x', c!.job)];
    await turn();
    expect(log).toEqual(['start a', 'start b']);
    b!.open();
    await turn();
    expect(log).toEqual(['start a', 'start b', 'end b', 'start c']);
    a!.open();
    c!.open();
    await expect(Promise.all(results)).resolves.toEqual(['a', 'b', 'c']);
  });

  it("lets a destination whose jobs never end take only its own slots: the others' jobs still start at once", async () => {
    const pool = new DestinationPool(2, 10);
    const log: string[] = [];
    const hung = Array.from({ length: 4 }, (_, index) => gate(log, `hung ${index}`));
    for (const job of hung) void pool.run('hung', job.job);
    const healthy = [gate(log, 'healthy 1'), gate(log, 'healthy 2')];
    const results = healthy.map((job) => pool.run('healthy', job.job));
    await turn();
    expect(log).toEqual(['start hung 0', 'start hung 1', 'start healthy 1', 'start healthy 2']);
    for (const job of healthy) job.open();
    await expect(Promise.all(results)).resolves.toEqual(['healthy 1', 'healthy 2']);
    for (const job of hung) job.open();
  });

  it('shares freed slots among waiting destinations in turn once the total is reached', async () => {
    const pool = new DestinationPool(3, 3);
    const log: string[] = [];
    const first = Array.from({ length: 5 }, (_, index) => gate(log, `x${index}`));
    const second = gate(log, 'y0');
    const all = [...first.map((job) => pool.run('x', job.job)), pool.run('y', second.job)];
    await turn();
    expect(log).toEqual(['start x0', 'start x1', 'start x2']);
    first[0]!.open();
    await turn();
    // x3 was given first, but y has had no turn yet.
    expect(log.slice(3)).toEqual(['end x0', 'start y0']);
    first[1]!.open();
    await turn();
    expect(log.slice(5)).toEqual(['end x1', 'start x3']);
    for (const job of [...first, second]) job.open();
    await Promise.all(all);
  });

  it('frees the slot of a job that fails', async () => {
    const pool = new DestinationPool(1, 1);
    await expect(pool.run('x', () => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
    await expect(pool.run('x', async () => 'next')).resolves.toBe('next');
  });

  it('never runs more jobs than the limits, however they are given', async () => {
    const pool = new DestinationPool(2, 5);
    let running = 0;
    let most = 0;
    const perDestination = new Map<string, number>();
    let mostForOne = 0;
    const job = (destination: string) => async () => {
      running++;
      perDestination.set(destination, (perDestination.get(destination) ?? 0) + 1);
      most = Math.max(most, running);
      mostForOne = Math.max(mostForOne, perDestination.get(destination)!);
      await turn();
      running--;
      perDestination.set(destination, perDestination.get(destination)! - 1);
    };
    await Promise.all(Array.from({ length: 60 }, (_, index) => pool.run(String(index % 3), job(String(index % 3)))));
    expect(most).toBe(5);
    expect(mostForOne).toBe(2);
  });
});
