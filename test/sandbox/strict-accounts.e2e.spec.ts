import { useSandbox } from '../support/sandbox.js';

describe('strict accounts mode', () => {
  const sandbox = useSandbox({ config: { strictAccounts: [{ provider: 'wamessenger', key: 'KNOWN', linePhone: '989350000777' }] }, reset: false });

  it('serves only the listed keys, with their line numbers', async () => {
    const known = await fetch(`${sandbox.origin}/wamessenger/pending/KNOWN`);
    expect(known.status).toBe(200);
    const unknown = await fetch(`${sandbox.origin}/wamessenger/pending/OTHER`);
    expect([unknown.status, await unknown.text()]).toEqual([400, 'Bad Request']);
    expect(unknown.headers.get('x-sandbox-error')).toMatch(/strict/);
    const account = await (await fetch(`${sandbox.origin}/__sandbox/accounts/wamessenger/KNOWN`)).json();
    expect(account).toMatchObject({ key: 'KNOWN', linePhone: '989350000777', features: { receive: false, sendSeen: false } });
  });
});
