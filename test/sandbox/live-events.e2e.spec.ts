import { EventStream } from '../support/event-stream.js';
import { phpMultipart } from '../support/php-client.js';
import { TEST_START, useSandbox } from '../support/sandbox.js';

describe('live events (GET /__sandbox/events)', () => {
  const sandbox = useSandbox({ receiver: true });
  let stream: EventStream;
  beforeEach(async () => {
    stream = await EventStream.open(`${sandbox.origin}/__sandbox/events`);
  });
  afterEach(() => stream.close());

  it('opens with the clock, then streams requests, message statuses, webhook attempts and clock moves as they happen', async () => {
    expect(await stream.next(() => true)).toEqual({ event: 'clock', data: { type: 'clock', clock: expect.objectContaining({ nowMs: TEST_START }) } });
    await sandbox.control.setWebhook('wamessenger', 'LIVE', sandbox.receiver.url);
    // WaMessenger answers the bare id, as plain text.
    const sentId = await (
      await fetch(`${sandbox.origin}/wamessenger/sendMessage/LIVE`, { method: 'POST', body: phpMultipart({ phonenumber: '989121234567', text: 'hi' }) })
    ).text();

    const request = await stream.next((event) => event.event === 'request');
    expect(request.data.request).toMatchObject({ method: 'POST', url: '/wamessenger/sendMessage/LIVE', provider: 'wamessenger', status: 200 });

    await sandbox.control.advance(60_000);
    const delivered = await stream.next((event) => event.event === 'message' && event.data.message.status === 'delivered');
    expect(delivered.data).toMatchObject({ cause: 'status', message: { id: sentId, provider: 'wamessenger', accountKey: 'LIVE', text: 'hi' } });
    const attempt = await stream.next((event) => event.event === 'webhook');
    expect(attempt.data.attempt).toMatchObject({ provider: 'wamessenger', accountKey: 'LIVE', url: sandbox.receiver.url, ok: true, status: 200 });
    const clock = await stream.next((event) => event.event === 'clock');
    expect(clock.data.clock.nowMs).toBeGreaterThan(TEST_START);
  });

  it('tells of a reset and of a customer writing in', async () => {
    // Devino takes customers' messages from the start (WaMessenger's accounts wait for receive to be switched on).
    await sandbox.control.inbound('devino', 'LIVE', { from: '989121234567', text: 'hello there' });
    const received = await stream.next((event) => event.event === 'message');
    expect(received.data).toMatchObject({ cause: 'received', message: { direction: 'inbound', text: 'hello there' } });
    await sandbox.control.reset();
    expect((await stream.next((event) => event.event === 'reset')).data).toEqual({ type: 'reset' });
  });
});
