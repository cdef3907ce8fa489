import { MemoryRequestJournal } from './request-journal.memory.js';

const request = (n: number, provider: string | null = 'shop') => ({
  at: 1_000 + n,
  method: n % 2 === 0 ? 'GET' : 'POST',
  url: `/${provider ?? 'nowhere'}/route${n}?id=${n}`,
  provider,
  status: 200 + n,
  durationMs: n / 10,
});

describe('MemoryRequestJournal', () => {
  it('keeps the newest requests, oldest first, each with its path taken from its url', async () => {
    const requests = new MemoryRequestJournal(3);
    for (let n = 1; n <= 5; n++) await requests.record(request(n));
    expect(await requests.list({})).toEqual([
      { id: 3, at: 1_003, method: 'POST', url: '/shop/route3?id=3', path: '/shop/route3', provider: 'shop', status: 203, durationMs: 0.3 },
      { id: 4, at: 1_004, method: 'GET', url: '/shop/route4?id=4', path: '/shop/route4', provider: 'shop', status: 204, durationMs: 0.4 },
      { id: 5, at: 1_005, method: 'POST', url: '/shop/route5?id=5', path: '/shop/route5', provider: 'shop', status: 205, durationMs: 0.5 },
    ]);
  });

  it('keeps the chaos mark of a request a chaos rule answered, and none in the slot a later request takes', async () => {
    const requests = new MemoryRequestJournal(2);
    await requests.record({ ...request(1), status: 0, chaos: { rule: 'c1', fault: 'reset' } });
    await requests.record(request(2));
    expect((await requests.list({})).map((record) => record.chaos ?? null)).toEqual([{ rule: 'c1', fault: 'reset' }, null]);
    await requests.record(request(3));
    expect((await requests.list({})).map((record) => record.chaos ?? null)).toEqual([null, null]);
  });

  it('filters and counts, and numbers on after a clear', async () => {
    const requests = new MemoryRequestJournal(10);
    await requests.record(request(1));
    await requests.record(request(2, null));
    await requests.record(request(3));
    expect(await requests.count({ provider: 'shop', method: 'post' })).toBe(2);
    expect((await requests.list({ path: '/nowhere/route2' })).map((record) => record.id)).toEqual([2]);
    expect(await requests.clear()).toBe(3);
    expect(await requests.list({})).toEqual([]);
    await requests.record({ ...request(4), url: '/shop/no-query' });
    expect(await requests.list({})).toMatchObject([{ id: 4, path: '/shop/no-query' }]);
  });
});
