import { OrderedPool } from './ordered-pool.js';

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

describe('OrderedPool', () => {
  it('runs jobs with different keys at once, up to the limit, and the rest as slots free up', async () => {
    const pool = new OrderedPool(2);
    const log: string[] = [];
    const [a, b, c] = ['a', 'b', 'c'].map((name) => gate(log, name));
    const results = [pool.run('1', a!.job), pool.run('2', b!.job), pool.run('3', c!.job)];
    await turn();
    expect(log).toEqual(['start a', 'start b']);
    b!.open();
    await turn();
    expect(log).toEqual(['start a', 'start b', 'end b', 'start c']);
    a!.open();
    c!.open();
    await expect(Promise.all(results)).resolves.toEqual(['a', 'b', 'c']);
  });

  it('runs jobs with the same key one after another, in the order given, even when one fails', async () => {
    const pool = new OrderedPool(8);
    const log: string[] = [];
    const first = gate(log, 'first');
    const results = [
      pool.run('chat', first.job),
      pool.run('chat', () => Promise.reject(new Error('second failed'))),
      pool.run('chat', async () => void log.push('third')),
      pool.run('other chat', async () => void log.push('other')),
    ];
    await turn();
    expect(log).toEqual(['start first', 'other']);
    first.open();
    await expect(results[1]).rejects.toThrow('second failed');
    await Promise.all([results[0], results[2], results[3]]);
    expect(log).toEqual(['start first', 'other', 'end first', 'third']);
  });

  it('never runs more jobs than the limit, however they are given', async () => {
    const pool = new OrderedPool(3);
    let running = 0;
    let most = 0;
    const job = async () => {
      running++;
      most = Math.max(most, running);
      await turn();
      running--;
    };
    await Promise.all(Array.from({ length: 50 }, (_, index) => pool.run(String(index % 7), job)));
    expect(most).toBe(3);
  });
});
