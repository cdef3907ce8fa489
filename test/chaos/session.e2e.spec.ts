import { useMaytapi } from '../maytapi/use-maytapi.js';
import { chaosControl } from './chaos-control.js';

/**
 * Chaos on sessions, seen in Maytapi's status route and its status webhooks: a session rule acts on the
 * connected phones it covers when it is added.
 */
describe('chaos: session faults', () => {
  const sandbox = useMaytapi({ product: 'P', key: 'key-1', phone: true });
  const chaos = chaosControl(sandbox);

  const state = async () => {
    const status = (await sandbox.client.get(`/${sandbox.phoneId}/status`)).json.status;
    return (['loggedIn', 'isQr', 'loading', 'connRetry'] as const).filter((flag) => status[flag]).join('+');
  };
  /** The phone's status webhooks from now on. */
  let hooksBefore = 0;
  beforeEach(() => {
    hooksBefore = sandbox.receiver.accepted.length;
  });
  const statusHooks = () =>
    sandbox.receiver.accepted
      .slice(hooksBefore)
      .map((request) => request.json as { type: string; status?: string })
      .filter((body) => body.type === 'status')
      .map((body) => body.status);

  it('disconnect: the phone loses its connection until it is reconnected', async () => {
    expect(await state()).toBe('loggedIn');
    const rule = await chaos.add({ kind: 'session', provider: 'maytapi', fault: { type: 'disconnect' } });
    expect(rule.hits).toBe(1);
    expect(await state()).toBe('connRetry');
    expect(statusHooks()).toEqual(['phone-error']);
    await sandbox.control.advance(60_000);
    expect(await state()).toBe('connRetry');
  });

  it('logout: the phone is unlinked and shows a QR code again', async () => {
    await chaos.add({ kind: 'session', provider: 'maytapi', account: 'P', fault: { type: 'logout' } });
    expect(await state()).toBe('isQr');
    expect(statusHooks()).toEqual(['qr-code']);
  });

  it('flap: the connection drops every period and comes back half a period later, so many times', async () => {
    await chaos.add({ kind: 'session', provider: 'maytapi', fault: { type: 'flap', periodMs: 20_000, times: 2 } });
    const steps = [await state()];
    for (let second = 5; second <= 45; second += 5) {
      await sandbox.control.advance(5_000);
      steps.push(await state());
    }
    // Dropped at 0 s and 20 s, back (loading, then logged in) from 10 s and 30 s.
    expect(steps).toEqual(['connRetry', 'connRetry', 'loading', 'loggedIn', 'connRetry', 'connRetry', 'loading', 'loggedIn', 'loggedIn', 'loggedIn']);
    expect(statusHooks()).toEqual(['phone-error', 'loading', 'active', 'phone-error', 'loading', 'active']);
  });

  it('acts on no session of an account it does not name', async () => {
    const rule = await chaos.add({ kind: 'session', provider: 'maytapi', account: 'another-product', fault: { type: 'logout' } });
    expect(rule.hits).toBe(0);
    expect(await state()).toBe('loggedIn');
    expect(statusHooks()).toEqual([]);
  });
});
