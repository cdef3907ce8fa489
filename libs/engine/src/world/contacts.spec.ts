import { specEngine } from '../testing/spec-engine.js';

describe('ContactBook', () => {
  it('adds a contact, updates it in place (keeping what the update leaves out), and removes it', async () => {
    const engine = specEngine();
    const lookup = await engine.accounts.resolve('spec', 'key');
    if (!lookup.ok) throw new Error(lookup.reason);
    const { account } = lookup;

    const added = await engine.contacts.upsert(account, { phone: '79161110001', name: 'Ivan', email: 'ivan@example.com' });
    expect(added).toMatchObject({ created: true, contact: { name: 'Ivan', email: 'ivan@example.com', info: '' } });
    await engine.clock.advance(1_000);
    const updated = await engine.contacts.upsert(account, { phone: '79161110001', name: 'Ivan P.' });
    expect(updated).toMatchObject({ created: false, contact: { name: 'Ivan P.', email: 'ivan@example.com' } });
    expect(updated.contact.updatedAt - updated.contact.createdAt).toBe(1_000);

    expect(await engine.contacts.list(account)).toHaveLength(1);
    expect(await engine.contacts.remove(account, '79161110001')).toBe(true);
    expect(await engine.contacts.remove(account, '79161110001')).toBe(false);
    expect(await engine.contacts.get(account, '79161110001')).toBeUndefined();
  });
});
