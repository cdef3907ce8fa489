import { LoopbackReceiver } from '../support/loopback-receiver.js';
import { phpMultipart } from '../support/php-client.js';
import { useSandbox } from '../support/sandbox.js';

/** The control endpoints the dashboard added: an account's messages, a webhook resend, the sample media. */
describe('control API for the dashboard', () => {
  const sandbox = useSandbox();
  // Refuses until the test lets it through: a receiver that was down and came back.
  let up = false;
  const receiver = LoopbackReceiver.use(() => (up ? 200 : 500));
  beforeEach(() => {
    up = false;
  });

  const sendText = async (key: string, text: string) =>
    (await fetch(`${sandbox.origin}/wamessenger/sendMessage/${key}`, { method: 'POST', body: phpMultipart({ phonenumber: '989121234567', text }) })).text();

  it("lists an account's messages both ways, oldest first, the most recent with a limit", async () => {
    // WaMessenger's accounts take customers' messages once receive is on, some 30 clock seconds after asking.
    await fetch(`${sandbox.origin}/wamessenger/receive/CHAT?receive=on`);
    await sandbox.control.advance(60_000);
    const first = await sendText('CHAT', 'one');
    await sandbox.control.advance(1_000);
    await sandbox.control.request('POST', '/accounts/wamessenger/CHAT/inbound', { from: '989121234567', text: 'two' });
    await sandbox.control.advance(1_000);
    await sendText('CHAT', 'three');
    const all = await sandbox.control.request<Array<{ text: string; direction: string }>>('GET', '/accounts/wamessenger/CHAT/messages');
    const stored = all.map((message) => [message.direction, message.text]);
    expect(stored).toEqual([
      ['outbound', 'one'],
      ['inbound', 'two'],
      ['outbound', 'three'],
    ]);
    const recent = await sandbox.control.request<Array<{ id: string }>>('GET', '/accounts/wamessenger/CHAT/messages?limit=1');
    expect(recent).toHaveLength(1);
    expect(recent[0]!.id).not.toBe(first);
    await expect(sandbox.control.request('GET', '/accounts/wamessenger/CHAT/messages?limit=0')).rejects.toThrow('answered 400');
  });

  it("re-sends an account's undelivered webhook events at once, to its current url", async () => {
    await sandbox.control.setWebhook('wamessenger', 'HOOK', receiver.url);
    await sendText('HOOK', 'hi');
    await sandbox.control.advance(60_000);
    const failed = await sandbox.control.journal('wamessenger', 'HOOK');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((attempt) => attempt.status === 500)).toBe(true);

    up = true;
    const { resent } = await sandbox.control.request<{ resent: number }>('POST', '/accounts/wamessenger/HOOK/webhook/resend');
    expect(resent).toBeGreaterThan(0);
    await receiver.until(() => receiver.accepted.length >= resent);
    const after = await sandbox.control.journal('wamessenger', 'HOOK');
    expect(after.slice(failed.length).map((attempt) => attempt.status)).toEqual(Array(resent).fill(200));
    expect(await sandbox.control.request('POST', '/accounts/wamessenger/HOOK/webhook/resend')).toEqual({ resent: 0 });
  });

  it('lists the sample media a customer can send, each at a url it serves', async () => {
    const { files } = await sandbox.control.request<{ files: Array<{ name: string; url: string }> }>('GET', '/media');
    expect(files.map((file) => file.name)).toEqual(expect.arrayContaining(['sample.jpg', 'sample.pdf', 'sample-opus.ogg']));
    const jpg = files.find((file) => file.name === 'sample.jpg')!;
    expect(new URL(jpg.url).pathname).toBe('/__sandbox/media/sample.jpg');
    expect((await fetch(`${sandbox.origin}/__sandbox/media/sample.jpg`)).status).toBe(200);
  });
});
