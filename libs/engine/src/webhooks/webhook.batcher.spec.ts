import { EngineClock } from '../clock/clock.js';
import { Scheduler } from '../clock/scheduler.js';
import { MemoryStore } from '../store/memory.store.js';
import type { Account } from '../store/models.js';
import { WebhookBatcher } from './webhook.batcher.js';

const account = { id: 'spec:key' } as Account;
const batch = { key: 'ack', windowMs: 2_000, wrap: (payloads: unknown[]) => ({ type: 'ack', data: payloads }) };

describe('WebhookBatcher', () => {
  it('sends what arrived within one window as one call, and opens a new window after it', async () => {
    const clock = new EngineClock({ mode: 'manual', speed: 1, startAt: 0 });
    const delivered: Array<{ at: number; url: string; payload: unknown }> = [];
    const batcher = new WebhookBatcher(new Scheduler(clock, new MemoryStore()), async (_accountId, url, payload) => {
      delivered.push({ at: clock.now(), url, payload });
    });

    batcher.add(account, 'http://hook', 1, batch);
    await clock.advance(1_500);
    batcher.add(account, 'http://hook', 2, batch);
    batcher.add(account, 'http://other', 3, batch);
    await clock.advance(500);
    expect(delivered).toEqual([{ at: 2_000, url: 'http://hook', payload: { type: 'ack', data: [1, 2] } }]);

    batcher.add(account, 'http://hook', 4, batch);
    await clock.advance(2_000);
    expect(delivered).toEqual([
      { at: 2_000, url: 'http://hook', payload: { type: 'ack', data: [1, 2] } },
      { at: 3_500, url: 'http://other', payload: { type: 'ack', data: [3] } },
      { at: 4_000, url: 'http://hook', payload: { type: 'ack', data: [4] } },
    ]);
  });
});
