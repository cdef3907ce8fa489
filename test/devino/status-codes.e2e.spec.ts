import { received } from '../support/received.js';
import { useSandbox } from '../support/sandbox.js';
import { postMessages } from './devino-client.js';

const KEY = 'status-codes-key';
const CUSTOMER = '79034567890';
const MINUTE = 60_000;
const template = (code: string) => ({ templateId: 'verification_code', templateParams: { 1: code } });

interface StatusItem {
  messageId: string;
  status: string;
  errorCode: number;
}

describe('Devino: every code of the seed’s status table has a trigger', () => {
  const sandbox = useSandbox({ provider: 'devino', receiver: true, media: true });

  async function sendAll(messages: Array<Record<string, unknown>>): Promise<string[]> {
    const response = await postMessages(
      sandbox.base,
      { messages: messages.map((message) => ({ from: 'MyCompany', to: CUSTOMER, callbackUrl: sandbox.receiver.url, ...message })) },
      KEY,
    );
    expect(response.json.result.map((entry: { code: string }) => entry.code)).toEqual(messages.map(() => 'OK'));
    return response.json.result.map((entry: { messageId: string }) => entry.messageId);
  }

  const statuses = (id: string) =>
    (received(sandbox.receiver) as StatusItem[][])
      .flat()
      .filter((item) => item.messageId === id)
      .map((item) => `${item.status} ${item.errorCode}`);
  const first = (id: string) => statuses(id)[0];

  const openWindow = async (customer = CUSTOMER) =>
    expect(await sandbox.control.inbound('devino', KEY, { from: customer, text: 'hello' })).toMatchObject({ received: true });

  it.each(['2000', '2001', '2002', '2003', '2004', '2006', '2007', '2008', '2012', '2017', '2302'])(
    'fails a recipient ending 00%s with that code',
    async (code) => {
      const [id] = await sendAll([{ to: `7903${code.padStart(7, '0')}`, ...template('1') }]);
      await sandbox.control.advance(MINUTE);
      expect(statuses(id!)).toEqual([`FAILED ${code}`]);
      expect(await sandbox.control.message(id!)).toMatchObject({ failureCode: 'send_failed', providerFailureCode: code });
    },
  );

  describe('2009: the same text to the same recipient within 10 clock-minutes', () => {
    it('fails the repeat, but not the same text to another customer, another text, or the text again 10 minutes later', async () => {
      const [original, repeat, otherCustomer, otherText] = await sendAll([
        template('1'),
        template('1'),
        { to: '79034567891', ...template('1') },
        template('2'),
      ]);
      await sandbox.control.advance(9 * MINUTE);
      const [stillInWindow] = await sendAll([template('1')]);
      await sandbox.control.advance(MINUTE);
      const [afterWindow] = await sendAll([template('1')]);
      await sandbox.control.advance(MINUTE);
      expect([original, repeat, otherCustomer, otherText, stillInWindow, afterWindow].map((id) => first(id!))).toEqual([
        'SENT 0',
        'FAILED 2009',
        'SENT 0',
        'SENT 0',
        'FAILED 2009',
        'SENT 0',
      ]);
      expect(await sandbox.control.message(repeat!)).toMatchObject({ failureCode: 'duplicate' });
    });

    it('does not count a message that failed: a retry after 2312 goes out', async () => {
      const [outside] = await sendAll([{ text: 'Your order is ready' }]);
      await sandbox.control.advance(MINUTE);
      await openWindow();
      const [retry] = await sendAll([{ text: 'Your order is ready' }]);
      await sandbox.control.advance(MINUTE);
      expect([first(outside!), first(retry!)]).toEqual(['FAILED 2312', 'SENT 0']);
    });
  });

  describe('2010 and 2011: validity on the clock', () => {
    it('expires a message sent but not delivered when its validity runs out (2011), as VP_EXPIRED', async () => {
      const [id] = await sendAll([{ to: '79030000001', ...template('1'), validity: 30 }]);
      await sandbox.control.advance(29_000);
      expect(statuses(id!)).toEqual(['SENT 0']);
      await sandbox.control.advance(1_000);
      expect(statuses(id!)).toEqual(['SENT 0', 'VP_EXPIRED 2011']);
      expect(await sandbox.control.message(id!)).toMatchObject({ status: 'failed', failureCode: 'expired' });
    });

    it('leaves a message without validity, or delivered in time, alone', async () => {
      const [noValidity, delivered] = await sendAll([
        { to: '79030000001', ...template('1') },
        { ...template('2'), validity: 30 },
      ]);
      await sandbox.control.advance(10 * MINUTE);
      expect([statuses(noValidity!), statuses(delivered!)]).toEqual([['SENT 0'], ['SENT 0', 'DELIVERED 0', 'READ 0']]);
    });

    it('expires a message still waiting in the line’s queue when its validity runs out (2010)', async () => {
      // Messages leave one line 20–100 ms apart: 600 queued take longer than 30 s to leave.
      const batches = Array.from({ length: 6 }, (_, batch) =>
        Array.from({ length: 100 }, (_, n) => ({ to: `79035${100_000 + batch * 100 + n}`, text: 'queued', validity: 30 })),
      );
      let ids: string[] = [];
      for (const batch of batches) ids = await sendAll(batch);
      const last = ids[ids.length - 1]!;
      await sandbox.control.advance(30_000);
      // The advance waits for webhook deliveries only up to one webhook timeout (wall time): on a busy
      // machine some of the 600 callbacks are still on their way when it returns.
      await sandbox.receiver.waitFor(() => statuses(last).length > 0, 20_000);
      expect(statuses(last)).toEqual(['VP_EXPIRED 2010']);
    }, 30_000); // 600 messages over HTTP: 1.4 s alone, more on a shared machine
  });

  describe('2005: the account’s balance', () => {
    it('charges templates from the balance set through the control API and fails one with 2005 once it is spent; free text is free', async () => {
      await sandbox.control.setLimits('devino', KEY, { balance: 1 });
      await openWindow();
      const [paid, reply, unpaid] = await sendAll([template('1'), { text: 'A reply in the window' }, template('2')]);
      await sandbox.control.advance(MINUTE);
      expect([first(paid!), first(reply!), first(unpaid!)]).toEqual(['SENT 0', 'SENT 0', 'FAILED 2005']);
      expect(await sandbox.control.request('GET', `/accounts/devino/${KEY}`)).toMatchObject({ limits: { balance: 0 } });
    });

    it('starts new accounts unmetered', async () => {
      expect(await sandbox.control.request('GET', `/accounts/devino/${KEY}`)).toMatchObject({ limits: { balance: null } });
    });
  });

  describe('2301: 15 templates a second', () => {
    it('fails the 16th template in a clock second, and lets free text through uncapped', async () => {
      await openWindow();
      const templates = await sendAll(Array.from({ length: 16 }, (_, n) => template(String(n))));
      const texts = await sendAll(Array.from({ length: 20 }, (_, n) => ({ text: `reply ${n}` })));
      await sandbox.control.advance(MINUTE);
      expect(templates.map(first)).toEqual([...Array.from({ length: 15 }, () => 'SENT 0'), 'FAILED 2301']);
      expect(texts.map(first)).toEqual(Array.from({ length: 20 }, () => 'SENT 0'));
    });
  });

  describe('2300 and 2304: text over WhatsApp’s limit', () => {
    it('fails a caption over 1024 characters with 2304; text over 4096 is refused in the answer', async () => {
      await openWindow();
      const image = { contentUrl: `${sandbox.media.url}/sample.jpg`, contentType: 'image/jpeg' };
      const [long, fits] = await sendAll([
        { ...image, text: 'c'.repeat(1025) },
        { ...image, text: 'c'.repeat(1024) },
      ]);
      await sandbox.control.advance(MINUTE);
      expect([first(long!), first(fits!)]).toEqual(['FAILED 2304', 'SENT 0']);
      const refused = await postMessages(sandbox.base, { messages: [{ from: 'MyCompany', to: CUSTOMER, text: 't'.repeat(4097) }] }, KEY);
      expect(refused.json.result[0].reasons).toEqual([{ key: 'length.too.long', ref: 'messages[0].text' }]);
    });
  });

  describe('forcing a failure code through the control API', () => {
    const force = (id: string, body: unknown) =>
      fetch(`${sandbox.origin}/__sandbox/messages/${id}/status`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });

    it('reports the code chosen, and 2313 when none is', async () => {
      const [chosen, unchosen] = await sendAll([
        { to: '79030000001', ...template('1') },
        { to: '79030000001', ...template('2') },
      ]);
      await sandbox.control.advance(MINUTE);
      expect((await force(chosen!, { status: 'failed', code: '2009' })).status).toBe(200);
      expect((await force(unchosen!, { status: 'failed' })).status).toBe(200);
      expect([statuses(chosen!), statuses(unchosen!)]).toEqual([
        ['SENT 0', 'FAILED 2009'],
        ['SENT 0', 'FAILED 2313'],
      ]);
      expect(await sandbox.control.message(chosen!)).toMatchObject({ failureCode: 'forced', providerFailureCode: '2009' });
    });

    it('refuses a code outside the seed’s table, a code without status failed, and a code for a provider without codes', async () => {
      const [id] = await sendAll([template('1')]);
      const unknown = await force(id!, { status: 'failed', code: '2999' });
      expect([unknown.status, await unknown.text()]).toEqual([400, expect.stringContaining('devino has no failure code 2999')]);
      expect((await force(id!, { status: 'delivered', code: '2009' })).status).toBe(400);
      const wamessenger = await fetch(`${sandbox.origin}/wamessenger/sendMessage/some-key`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ phonenumber: CUSTOMER, text: 'hi' }),
      });
      const other = await force(await wamessenger.text(), { status: 'failed', code: '2009' });
      expect([other.status, await other.text()]).toEqual([400, expect.stringContaining('wamessenger has no failure codes')]);
    });
  });
});
