import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { send } from '../support/php-client.js';
import { startSandbox, type RunningSandbox } from '../support/sandbox.js';

/** A relay's queue and its phones live in the engine's store: a restart loses nothing accepted. */
describe('the Android relay across a restart', () => {
  let dir: string;
  let running: RunningSandbox | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wa-relay-'));
  });
  afterEach(async () => {
    await running?.close();
    running = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  const start = async () => {
    running = await startSandbox({ store: { kind: 'sqlite', file: join(dir, 'sandbox.db') }, mediaDir: join(dir, 'media') });
    return running;
  };
  const call = async (sandbox: RunningSandbox, method: string, path: string, body?: unknown) =>
    (await (
      await fetch(`${sandbox.origin}${path}`, {
        method,
        ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
      })
    ).json()) as Record<string, any>;

  it('keeps the queued messages and the simulated phone, which carries on polling and sends each once', async () => {
    const first = await start();
    const phone = await call(first, 'POST', '/__sandbox/relay/devices', { simulated: true });
    await call(first, 'POST', '/__sandbox/accounts/wamm/kept/link', { via: 'relay', device: phone.id });
    await call(first, 'PUT', `/__sandbox/relay/devices/${phone.id}/polling`, { polling: false });
    const ids: string[] = [];
    for (const text of ['one', 'two']) {
      const answer = (await send(`${first.origin}/wamm/api2/msg_to/kept/?${new URLSearchParams({ phone: '79001234567', text })}`)).json as { msg_id: number };
      ids.push(String(answer.msg_id));
    }
    await first.control.advance(60_000);
    await call(first, 'PUT', `/__sandbox/relay/devices/${phone.id}/polling`, { polling: true });
    await first.close();
    running = undefined;

    const second = await start();
    expect((await call(second, 'GET', `/__sandbox/relay/devices/${phone.id}`)).queue.map((queued: { id: string }) => queued.id)).toEqual(ids);
    await second.control.advance(60_000);
    for (const id of ids) expect((await second.control.message(id)).history.map((change) => change.status)).toEqual(['queued', 'sent']);
    expect((await call(second, 'GET', `/__sandbox/relay/devices/${phone.id}`)).queue).toEqual([]);
  });
});
