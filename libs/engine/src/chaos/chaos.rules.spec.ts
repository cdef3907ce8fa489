import { WhatsAppEngine } from '../engine.js';
import { MemoryStore } from '../store/memory.store.js';
import { specProfile, SPEC_START } from '../testing/spec-engine.js';
import { checkChaosRule, ruleCovers, type ChaosRule } from './chaos.rules.js';

const PROVIDERS = ['spec', 'devino'];
const check = (input: unknown) => checkChaosRule(input, PROVIDERS, (provider) => (provider === 'devino' ? ['2005'] : []));

describe('checkChaosRule', () => {
  it('takes each kind’s faults, with share 1 when absent', () => {
    const rules = [
      { kind: 'api', route: 'POST /*/sendMessage', fault: { type: 'error', status: 503 } },
      { kind: 'api', fault: { type: 'rate-limit', retryAfterSeconds: 0 } },
      { kind: 'api', fault: { type: 'latency', ms: 5 } },
      { kind: 'api', fault: { type: 'timeout' } },
      { kind: 'api', fault: { type: 'reset' } },
      { kind: 'webhook', fault: { type: 'delay', ms: 1000 } },
      { kind: 'webhook', fault: { type: 'reorder' } },
      { kind: 'session', provider: 'spec', account: 'a', fault: { type: 'flap', periodMs: 10, times: 3 } },
      { kind: 'delivery', fault: { type: 'stuck', at: 'delivered' } },
      { kind: 'delivery', provider: 'devino', share: 0.25, next: 2, fault: { type: 'fail', code: '2005', reason: 'why' } },
    ];
    for (const rule of rules) expect(check(rule)).toEqual({ ok: true, rule: { share: 1, ...rule } });
  });

  it.each([
    [[], 'the rule must be a JSON object'],
    [{ kind: 'disk', fault: { type: 'reset' } }, 'kind must be one of api, webhook, session, delivery'],
    [{ kind: 'api', fault: { type: 'drop' } }, 'the fault type of an api rule must be one of error, rate-limit, latency, timeout, reset'],
    [{ kind: 'api', fault: { type: 'error', status: 504 } }, 'status must be 500, 502 or 503'],
    [{ kind: 'api', fault: { type: 'error', status: 500, ms: 1 } }, 'the error fault has no field ms'],
    [{ kind: 'api', route: 'sendMessage', fault: { type: 'reset' } }, 'route must be "METHOD /path", e.g. "POST /*/sendMessage" (* matches anything)'],
    [{ kind: 'webhook', route: 'GET /x', fault: { type: 'drop' } }, 'route is for api rules only'],
    [{ kind: 'webhook', share: 1.5, fault: { type: 'drop' } }, 'share must be a number from 0 to 1'],
    [{ kind: 'webhook', next: 0, fault: { type: 'drop' } }, 'next must be a positive integer'],
    [{ kind: 'webhook', provider: 'nope', fault: { type: 'drop' } }, 'provider must be one of spec, devino'],
    [{ kind: 'webhook', account: 'a', fault: { type: 'drop' } }, 'account needs provider: an account key is its provider’s'],
    [{ kind: 'webhook', fault: { type: 'delay', ms: 0 } }, 'ms must be a whole number from 1 to 86400000'],
    [{ kind: 'session', fault: { type: 'flap', periodMs: 100, times: 0 } }, 'times must be a whole number from 1 to 1000'],
    [{ kind: 'delivery', fault: { type: 'stuck', at: 'read' } }, 'at must be sent or delivered'],
    [{ kind: 'delivery', fault: { type: 'fail' } }, 'code must be a string'],
    [{ kind: 'api', fault: { type: 'reset' }, extra: 1 }, 'unknown field extra'],
  ])('refuses %j: %s', (input, problem) => {
    expect(check(input)).toEqual({ ok: false, problem });
  });

  it('takes a provider’s own failure code only for that provider', () => {
    expect(check({ kind: 'delivery', provider: 'devino', fault: { type: 'fail', code: '2005' } }).ok).toBe(true);
    const refused = check({ kind: 'delivery', provider: 'spec', fault: { type: 'fail', code: '2005' } });
    expect(refused).toEqual({ ok: false, problem: expect.stringMatching(/^code must be one of the engine's failure codes \(no_whatsapp, /) });
    expect(check({ kind: 'delivery', fault: { type: 'fail', code: 'no_whatsapp' } }).ok).toBe(true);
  });
});

describe('ruleCovers', () => {
  const rule = (parts: Partial<ChaosRule>) =>
    ({ kind: 'api', share: 1, fault: { type: 'reset' }, id: 'c1', hits: 0, remaining: null, createdAt: '', seen: 0, ...parts }) as ChaosRule;
  it('matches every provider and account when it names none, else only those it names', () => {
    expect(ruleCovers(rule({}), { provider: 'spec', account: undefined })).toBe(true);
    expect(ruleCovers(rule({ provider: 'spec' }), { provider: 'devino', account: 'a' })).toBe(false);
    expect(ruleCovers(rule({ provider: 'spec', account: 'a' }), { provider: 'spec', account: 'a' })).toBe(true);
    expect(ruleCovers(rule({ provider: 'spec', account: 'a' }), { provider: 'spec', account: 'b' })).toBe(false);
    expect(ruleCovers(rule({ provider: 'spec', account: 'a' }), { provider: 'spec', account: undefined })).toBe(false);
  });
});

describe('ChaosService', () => {
  function engineOn(store: MemoryStore, seed = 3): WhatsAppEngine {
    const engine = new WhatsAppEngine({ clock: { mode: 'manual', speed: 1, startAt: SPEC_START }, seed, store, mediaBaseUrl: 'http://sandbox.test/media' });
    engine.registerProvider(specProfile());
    return engine;
  }
  const scope = { provider: 'spec', account: 'a' };
  const draws = (engine: WhatsAppEngine, n: number) => Array.from({ length: n }, () => (engine.chaos.decide('webhook', scope) ? 1 : 0)).join('');

  it('draws a seeded share: the same seed and events give the same hits, another seed others', async () => {
    const runs = [];
    for (const seed of [3, 3, 4]) {
      const engine = engineOn(new MemoryStore(), seed);
      await engine.resume();
      await engine.chaos.add({ kind: 'webhook', share: 0.5, fault: { type: 'drop' } });
      runs.push(draws(engine, 40));
      engine.close();
    }
    expect(runs[1]).toBe(runs[0]);
    expect(runs[2]).not.toBe(runs[0]);
    expect(runs[0]!.replace(/0/g, '').length).toBeGreaterThan(10);
    expect(runs[0]!.replace(/1/g, '').length).toBeGreaterThan(10);
  });

  it('spends a rule after its next N hits; the first rule that hits wins', async () => {
    const engine = engineOn(new MemoryStore());
    await engine.resume();
    await engine.chaos.add({ kind: 'webhook', next: 2, fault: { type: 'drop' } });
    await engine.chaos.add({ kind: 'webhook', fault: { type: 'duplicate' } });
    const faults = Array.from({ length: 4 }, () => engine.chaos.decide('webhook', scope)?.fault.type);
    expect(faults).toEqual(['drop', 'drop', 'duplicate', 'duplicate']);
    expect(engine.chaos.list().map(({ id, hits, remaining }) => ({ id, hits, remaining }))).toEqual([
      { id: 'c1', hits: 2, remaining: 0 },
      { id: 'c2', hits: 2, remaining: null },
    ]);
    engine.close();
  });

  it('keeps its rules, counts included, across a restart; a reset forgets them', async () => {
    const store = new MemoryStore();
    const first = engineOn(store);
    await first.resume();
    await first.chaos.add({ kind: 'webhook', share: 0.5, fault: { type: 'drop' } });
    const before = draws(first, 10);
    await first.persisted();
    const second = engineOn(store);
    await second.resume();
    expect(second.chaos.list()).toEqual(first.chaos.list());
    // The draws carry on from the count the first engine reached: as if it had not stopped.
    const uninterrupted = engineOn(new MemoryStore());
    await uninterrupted.resume();
    await uninterrupted.chaos.add({ kind: 'webhook', share: 0.5, fault: { type: 'drop' } });
    expect(draws(uninterrupted, 20)).toBe(before + draws(second, 10));
    await second.reset();
    expect(second.chaos.list()).toEqual([]);
    expect((await second.chaos.add({ kind: 'webhook', fault: { type: 'drop' } })).ok && second.chaos.list()[0]!.id).toBe('c1');
    uninterrupted.close();
  });
});
