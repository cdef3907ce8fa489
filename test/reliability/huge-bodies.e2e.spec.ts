import { WamessageClient } from '../wamessage/wamessage-client.js';
import { useSandbox } from '../support/sandbox.js';

/**
 * 70,000-entry bodies (about 2 MB) in each encoding a client may use: each is answered in the
 * provider's format, and a request sent meanwhile is answered too. Under qs such a form blocked every
 * client for about a minute, past this file's timeouts; `npm run bench -- --only huge-bodies` measures
 * the times (targets: answered within 1 s, health within 50 ms).
 */
describe('huge bodies', () => {
  const sandbox = useSandbox({ reset: false });

  const ENTRIES = 70_000;
  const numbers = (count: number) => Array.from({ length: count }, (_, i) => `98912${String(i).padStart(7, '0')}`);

  /** Sends the big request and, while it is out, a health check; both must be answered. */
  async function withHealthMeanwhile(path: string, init: RequestInit): Promise<{ status: number; body: string; reason: string | null }> {
    const big = fetch(`${sandbox.origin}${path}`, { method: 'POST', ...init });
    const health = await fetch(`${sandbox.origin}/__sandbox/health`);
    expect(health.status).toBe(200);
    const response = await big;
    return { status: response.status, body: await response.text(), reason: response.headers.get('x-sandbox-error') };
  }

  test.each([
    ['phonenumber[]', (n: string) => `phonenumber[]=${n}`],
    ['phonenumber%5Bi%5D', (n: string, i: number) => `phonenumber%5B${i}%5D=${n}`],
  ])('WaMessenger form, 70,000 × %s: Bad Request, at most 1,000 numbers a request', async (_style, entry) => {
    const form = `${numbers(ENTRIES).map(entry).join('&')}&text=hi`;
    const answer = await withHealthMeanwhile('/wamessenger/sendMessage/HUGE', { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
    // The indexed form is over the 2 MB body limit: refused before it is parsed, in the same format.
    expect({ status: answer.status, body: answer.body }).toEqual({ status: 400, body: 'Bad Request' });
    expect(answer.reason).toMatch(/at most 1000|body too large/);
  });

  test('WaMessenger JSON, 70,000 numbers', async () => {
    const answer = await withHealthMeanwhile('/wamessenger/sendMessage/HUGE', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ phonenumber: numbers(ENTRIES), text: 'hi' }),
    });
    expect({ status: answer.status, body: answer.body }).toEqual({ status: 400, body: 'Bad Request' });
    expect(answer.reason).toBe('phonenumber has 70000 numbers, at most 1000 are taken in one request');
  });

  test('WaMessenger, 1,000 numbers: every one sent', async () => {
    const form = `${numbers(1_000)
      .map((n) => `phonenumber[]=${n}`)
      .join('&')}&text=hi`;
    const response = await fetch(`${sandbox.origin}/wamessenger/sendMessage/THOUSAND`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    });
    expect(response.status).toBe(200);
    expect((await response.json()) as unknown[]).toHaveLength(1_000);
  });

  test('Wamessage, 70,000 contacts: its own 400', async () => {
    const client = new WamessageClient(`${sandbox.origin}/wamessage`);
    await client.signUp('905550000111');
    const answer = await withHealthMeanwhile('/wamessage/whatsapp/sendmessage/multi', {
      headers: { 'content-type': 'application/json', authorization: `Bearer ${client.token}` },
      body: JSON.stringify({ reg_id: 1, contacts: numbers(ENTRIES).join(','), message: 'hi' }),
    });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toEqual({ status: false, code: 400, description: 'En fazla 1000 numaraya gönderilebilir', data: null });
  });

  test('Devino, 70,000 messages: the batch refused whole', async () => {
    const messages = numbers(ENTRIES).map((to) => ({ from: 'HUGE', to, text: { body: 'hi' } }));
    const answer = await withHealthMeanwhile('/devino/whatsapp/messages', {
      headers: { 'content-type': 'application/json', authorization: 'Key HUGE' },
      body: JSON.stringify({ messages }),
    });
    expect(answer.status).toBe(400);
  });
});
