import { specEngine, SPEC_START } from '../testing/spec-engine.js';
import type { WhatsAppEngine } from '../engine.js';
import type { Account } from '../store/models.js';
import { CONVERSATION_WINDOW_MS } from './conversation-window.js';

const CUSTOMER = '79161234567';

async function setUp(): Promise<{ engine: WhatsAppEngine; account: Account }> {
  const engine = specEngine();
  const lookup = await engine.accounts.resolve('spec', 'key');
  if (!lookup.ok) throw new Error(lookup.reason);
  return { engine, account: lookup.account };
}

const customerWrites = (engine: WhatsAppEngine, account: Account, from = CUSTOMER) =>
  engine.messages.receive(account, { from, text: 'hello', mediaUrl: null, media: null, profileName: null });

describe('ConversationWindows', () => {
  it('is closed until the customer writes, open for 24 clock-hours after, then closed again', async () => {
    const { engine, account } = await setUp();
    expect(await engine.conversations.window(account.id, CUSTOMER)).toEqual({ open: false, lastInboundAt: null, closesAt: null });
    await engine.clock.advance(1_000);
    await customerWrites(engine, account);
    const opened = SPEC_START + 1_000;
    expect(await engine.conversations.window(account.id, CUSTOMER)).toEqual({ open: true, lastInboundAt: opened, closesAt: opened + CONVERSATION_WINDOW_MS });
    await engine.clock.advance(CONVERSATION_WINDOW_MS - 1);
    expect((await engine.conversations.window(account.id, CUSTOMER)).open).toBe(true);
    await engine.clock.advance(1);
    expect((await engine.conversations.window(account.id, CUSTOMER)).open).toBe(false);
  });

  it('is per customer and per line, and each new customer message restarts it', async () => {
    const { engine, account } = await setUp();
    await customerWrites(engine, account);
    expect((await engine.conversations.window(account.id, '79160000009')).open).toBe(false);
    expect((await engine.conversations.window('other-line', CUSTOMER)).open).toBe(false);
    await engine.clock.advance(20 * 3_600_000);
    await customerWrites(engine, account);
    await engine.clock.advance(20 * 3_600_000);
    expect((await engine.conversations.window(account.id, CUSTOMER)).open).toBe(true);
  });

  it('judges free text by the window and a template by the registry, at any time', async () => {
    const { engine, account } = await setUp();
    await engine.templates.put({ name: 'code', language: 'en', text: 'Your code is {{1}}' });
    expect(await engine.conversations.judge(account, CUSTOMER)).toEqual({
      ok: false,
      failure: { code: 'outside_window', reason: expect.stringMatching(/has not written/) },
    });
    expect(await engine.conversations.judge(account, CUSTOMER, { name: 'code', language: 'en', params: { 1: '1234' } })).toEqual({
      ok: true,
      text: 'Your code is 1234',
    });
    expect(await engine.conversations.judge(account, CUSTOMER, { name: 'code', language: 'ru', params: { 1: '1234' } })).toMatchObject({
      ok: false,
      failure: { code: 'template_language' },
    });
    await customerWrites(engine, account);
    expect(await engine.conversations.judge(account, CUSTOMER)).toEqual({ ok: true, text: null });
    await engine.clock.advance(CONVERSATION_WINDOW_MS);
    expect(await engine.conversations.judge(account, CUSTOMER)).toMatchObject({
      ok: false,
      failure: { code: 'outside_window', reason: expect.stringMatching(/window closed at/) },
    });
  });

  it('forgets every window on reset', async () => {
    const { engine, account } = await setUp();
    await customerWrites(engine, account);
    await engine.reset();
    expect((await engine.conversations.window(account.id, CUSTOMER)).open).toBe(false);
  });

  it('refuses a line writing to its own number, template or not', async () => {
    const { engine, account } = await setUp();
    await engine.templates.put({ name: 'code', language: 'en', text: 'Your code is {{1}}' });
    for (const template of [undefined, { name: 'code', language: 'en', params: { 1: '1' } }]) {
      expect(await engine.conversations.judge(account, account.linePhone, template)).toMatchObject({ ok: false, failure: { code: 'own_number' } });
    }
  });
});
