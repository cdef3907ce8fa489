import { specEngine, specProfile } from '../testing/spec-engine.js';
import type { WhatsAppEngine } from '../engine.js';
import type { Account } from '../store/models.js';
import type { ProviderProfile } from '../world/provider-profile.js';

async function setUp(overrides: Partial<ProviderProfile> = {}): Promise<{ engine: WhatsAppEngine; account: Account }> {
  const engine = specEngine(specProfile(overrides));
  const lookup = await engine.accounts.resolve('spec', 'key');
  if (!lookup.ok) throw new Error(lookup.reason);
  return { engine, account: lookup.account };
}

async function sendOne(
  engine: WhatsAppEngine,
  account: Account,
  request: { to?: string; text?: string; kind?: 'template'; validityMs?: number },
): Promise<string> {
  const result = await engine.messages.send(account, {
    recipients: [request.to ?? '79161110001'],
    text: request.text ?? 'hello',
    refusals: 'fail-at-dispatch',
    ...(request.kind ? { kind: request.kind } : {}),
    ...(request.validityMs !== undefined ? { validityMs: request.validityMs } : {}),
  });
  if (!result.ok) throw new Error(result.reason);
  return result.messages[0]!.id;
}

/** `out` once the message left (sent, delivered or read), else its status and failure. */
const outcome = async (engine: WhatsAppEngine, id: string) => {
  const message = (await engine.messages.get(id))!;
  if (message.failure) return `${message.status} ${message.failure.code}`;
  return message.status === 'queued' ? 'queued' : 'out';
};

describe('message rules a provider switches on through its profile', () => {
  it('expires a message sent but not delivered within its validity, never one delivered in time', async () => {
    const { engine, account } = await setUp();
    const neverDelivered = await sendOne(engine, account, { to: '79160000001', validityMs: 30_000 });
    const delivered = await sendOne(engine, account, { text: 'other', validityMs: 30_000 });
    await engine.clock.advance(30_000);
    expect([await outcome(engine, neverDelivered), (await engine.messages.get(delivered))!.status]).toEqual(['failed expired', 'delivered']);
    expect((await engine.messages.get(neverDelivered))!.history.map((step) => step.status)).toEqual(['queued', 'sent', 'failed']);
  });

  it('fails the same content to the same recipient within the duplicate window, and only then', async () => {
    const { engine, account } = await setUp({ duplicateWindowMs: 60_000 });
    const first = await sendOne(engine, account, {});
    const repeat = await sendOne(engine, account, {});
    await engine.clock.advance(60_000);
    const later = await sendOne(engine, account, {});
    await engine.clock.advance(10_000);
    expect([await outcome(engine, first), await outcome(engine, repeat), await outcome(engine, later)]).toEqual(['out', 'failed duplicate', 'out']);
  });

  it('checks no duplicates for a provider without a window', async () => {
    const { engine, account } = await setUp();
    const ids = [await sendOne(engine, account, {}), await sendOne(engine, account, {})];
    await engine.clock.advance(10_000);
    expect(await Promise.all(ids.map((id) => outcome(engine, id)))).toEqual(['out', 'out']);
  });

  it('caps and bills only the kinds the profile names', async () => {
    const { engine, account } = await setUp({ rateLimitedKinds: ['template'], billedKinds: ['template'] });
    const limited = await engine.accounts.setLimits(account, { perSecond: 1, balance: 1 });
    const ids = [
      await sendOne(engine, limited, { kind: 'template', text: 't1' }),
      await sendOne(engine, limited, { text: 'free 1' }),
      await sendOne(engine, limited, { text: 'free 2' }),
      await sendOne(engine, limited, { kind: 'template', text: 't2' }),
    ];
    await engine.clock.advance(10_000);
    const third = await sendOne(engine, limited, { kind: 'template', text: 't3' });
    await engine.clock.advance(10_000);
    expect(await Promise.all([...ids, third].map((id) => outcome(engine, id)))).toEqual([
      'out',
      'out',
      'out',
      'failed rate_limited',
      'failed insufficient_funds',
    ]);
  });

  it('bills every kind when the profile names none, and never an unmetered account', async () => {
    const { engine, account } = await setUp();
    const free = await sendOne(engine, account, { text: 'a' });
    await engine.clock.advance(10_000);
    const prepaid = await engine.accounts.setLimits(account, { balance: 0 });
    const unpaid = await sendOne(engine, prepaid, { text: 'b' });
    await engine.clock.advance(10_000);
    expect([await outcome(engine, free), await outcome(engine, unpaid)]).toEqual(['out', 'failed insufficient_funds']);
  });

  it('carries a provider failure code forced through the control API', async () => {
    const { engine, account } = await setUp();
    const id = await sendOne(engine, account, {});
    const forced = await engine.messages.forceStatus(id, 'failed', undefined, '2009');
    expect(forced!.failure).toEqual({ code: 'forced', reason: 'forced by the control API', providerCode: '2009' });
  });
});
