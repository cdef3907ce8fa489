import { received } from '../support/received.js';
import { useSandbox } from '../support/sandbox.js';
import { postMessages } from './devino-client.js';

const HOUR = 3_600_000;
const KEY = 'window-key';
const CUSTOMER = '79034567890';

interface StatusItem {
  messageId: string;
  status: string;
  errorCode: number;
  options: string | null;
}

describe('Devino: the 24-hour window and templates, on the clock', () => {
  const sandbox = useSandbox({ provider: 'devino', receiver: true });

  async function send(message: Record<string, unknown>): Promise<string> {
    const response = await postMessages(sandbox.base, { messages: [{ from: 'MyCompany', to: CUSTOMER, callbackUrl: sandbox.receiver.url, ...message }] }, KEY);
    expect(response.json.result[0]).toMatchObject({ code: 'OK' });
    return response.json.result[0].messageId;
  }

  /** The statuses the callback reported for a message, with their error codes, once the clock moved a minute. */
  async function outcome(id: string): Promise<string[]> {
    await sandbox.control.advance(60_000);
    return (received(sandbox.receiver) as StatusItem[][])
      .flat()
      .filter((item) => item.messageId === id)
      .map((item) => `${item.status} ${item.errorCode}`);
  }

  it('fails free text with 2312 outside the window, delivers it after the customer writes, and fails it again 24 clock-hours later', async () => {
    const before = await send({ text: 'Are you there?' });
    expect(await outcome(before)).toEqual(['FAILED 2312']);
    expect(await sandbox.control.message(before)).toMatchObject({ status: 'failed', failureCode: 'outside_window' });

    expect(await sandbox.control.inbound('devino', KEY, { from: CUSTOMER, text: 'Hi, I have a question' })).toMatchObject({ received: true });
    const inside = await send({ text: 'Sure, how can we help?' });
    expect(await outcome(inside)).toEqual(['SENT 0', 'DELIVERED 0', 'READ 0']);

    // The customer wrote one minute ago; 23 hours 58 minutes later the window is still open…
    await sandbox.control.advance(23 * HOUR + 58 * 60_000);
    const lastMinute = await send({ text: 'Still here' });
    expect(await outcome(lastMinute)).toEqual(['SENT 0', 'DELIVERED 0', 'READ 0']);
    // …and 24 hours after the customer's message it has closed.
    const after = await send({ text: 'Anything else?' });
    expect(await outcome(after)).toEqual(['FAILED 2312']);
  });

  it('sends a template at any time, with the default language EN', async () => {
    const id = await send({ templateId: 'verification_code', templateParams: { 1: '4321' } });
    expect(await outcome(id)).toEqual(['SENT 0', 'DELIVERED 0', 'READ 0']);
    expect(await sandbox.control.message(id)).toMatchObject({ kind: 'template', text: 'Your verification code is 4321' });
  });

  it('fails template errors with 2308, 2309, 2310, 2311, and a filled-in body over 1024 characters with 2300', async () => {
    await sandbox.control.request('PUT', '/templates/order_shipped/ru', { text: 'Заказ {{1}} отправлен, трек {{2}}' });
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ templateId: 'order_shipped', languageCode: 'ru', templateParams: { 1: 'A-1' } }, 'FAILED 2308', 'template_param_count'],
      [{ templateId: 'no_such_template', languageCode: 'ru', templateParams: { 1: 'A-1' } }, 'FAILED 2309', 'template_not_found'],
      [{ templateId: 'order_shipped', languageCode: 'en', templateParams: { 1: 'A-1', 2: 'RU123' } }, 'FAILED 2310', 'template_language'],
      [{ templateId: 'order_shipped', languageCode: 'ru', templateParams: { 1: 'A'.repeat(32_769), 2: 'RU123' } }, 'FAILED 2311', 'template_param_too_long'],
      [{ templateId: 'order_shipped', languageCode: 'ru', templateParams: { 1: 'A'.repeat(1020), 2: 'RU123' } }, 'FAILED 2300', 'text_too_long'],
      [{ templateId: 'order_shipped', languageCode: 'RU', templateParams: { 1: 'A-1', 2: 'RU123' } }, 'SENT 0', ''],
    ];
    for (const [message, expected, failureCode] of cases) {
      const id = await send(message);
      expect([(await outcome(id))[0], (await sandbox.control.message(id)).failureCode ?? '']).toEqual([expected, failureCode]);
    }
  });

  it('refuses a template parameter with a newline, a tab or four spaces in a row (2313)', async () => {
    const id = await send({ templateId: 'verification_code', templateParams: { 1: '12\n34' } });
    expect(await outcome(id)).toEqual(['FAILED 2313']);
    expect(await sandbox.control.message(id)).toMatchObject({ failureCode: 'template_param_format' });
  });

  it('manages templates through the control API, and reset brings back exactly the fixtures', async () => {
    const listed = await sandbox.control.request<Array<{ name: string; language: string; parameterCount: number }>>('GET', '/templates');
    expect(listed.map((t) => `${t.name}/${t.language}/${t.parameterCount}`)).toEqual([
      'account_activated/en/2',
      'account_activated/ru/2',
      'verification_code/en/1',
      'verification_code/ru/1',
    ]);
    const put = await sandbox.control.request('PUT', '/templates/promo_code/pt-br', { text: 'Use {{1}} até {{2}}' });
    expect(put).toMatchObject({ name: 'promo_code', language: 'pt_BR', parameterCount: 2 });
    expect(await sandbox.control.request('GET', '/templates/promo_code/PT_br')).toEqual(put);
    await expect(sandbox.control.request('PUT', '/templates/Bad-Name/en', { text: 'x' })).rejects.toThrow(/400.*lowercase letters/);
    await expect(sandbox.control.request('PUT', '/templates/gappy/en', { text: '{{2}}' })).rejects.toThrow(/400.*without gaps/);
    await expect(sandbox.control.request('PUT', '/templates/extra/en', { text: 'x', parameterCount: 3 })).rejects.toThrow(/400/);
    expect(await sandbox.control.request('DELETE', '/templates/verification_code/ru')).toEqual({ removed: 1 });
    expect(await sandbox.control.request('DELETE', '/templates/account_activated')).toEqual({ removed: 2 });
    await expect(sandbox.control.request('GET', '/templates/account_activated')).rejects.toThrow(/404/);
    await expect(sandbox.control.request('DELETE', '/templates/account_activated')).rejects.toThrow(/404/);
    await sandbox.control.reset();
    expect((await sandbox.control.request<unknown[]>('GET', '/templates')).length).toBe(4);
    await expect(sandbox.control.request('GET', '/templates/promo_code')).rejects.toThrow(/404/);
  });
});
