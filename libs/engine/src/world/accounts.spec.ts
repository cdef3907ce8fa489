import { MemoryStore } from '../store/memory.store.js';
import { specEngine, specProfile } from '../testing/spec-engine.js';

describe('AccountService', () => {
  it('refuses a key holding NUL without looking it up (PostgreSQL cannot hold the character and failed with a 500)', async () => {
    const store = new MemoryStore();
    const get = store.accounts.get.bind(store.accounts);
    // As PostgreSQL does: "invalid byte sequence for encoding UTF8: 0x00".
    store.accounts.get = async (id) => {
      if (id.includes('\u0000')) throw new Error('invalid byte sequence for encoding "UTF8": 0x00');
      return get(id);
    };
    const engine = specEngine(specProfile(), store);

    expect(await engine.accounts.resolve('spec', 'key\u0000')).toEqual({ ok: false, reason: 'an api key cannot hold a NUL character' });
    expect(await engine.accounts.register('spec', '\u0000')).toEqual({ ok: false, reason: 'an api key cannot hold a NUL character' });
    expect(await engine.accounts.find('spec', 'key\u0000')).toBeUndefined();
    expect(await engine.accounts.list()).toEqual([]);
    // Other keys are as before.
    expect(await engine.accounts.resolve('spec', 'key')).toMatchObject({ ok: true, account: { key: 'key' } });
  });
});
