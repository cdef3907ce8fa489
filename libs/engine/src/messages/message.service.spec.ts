import { readFile } from 'node:fs/promises';
import { specEngine, specProfile, SPEC_START } from '../testing/spec-engine.js';
import type { WhatsAppEngine } from '../engine.js';
import type { MediaPolicy } from '../media/index.js';
import type { Account } from '../store/models.js';
import type { ProviderProfile } from '../world/provider-profile.js';

const HOUR = 3_600_000;
const PDF_ONLY: MediaPolicy = { rules: [{ format: 'pdf', maxBytes: 1_000_000 }] };

async function setUp(overrides: Partial<ProviderProfile> = {}): Promise<{ engine: WhatsAppEngine; account: Account }> {
  const engine = specEngine(specProfile(overrides));
  const lookup = await engine.accounts.resolve('spec', 'key');
  if (!lookup.ok) throw new Error(lookup.reason);
  return { engine, account: lookup.account };
}

const sentAt = (engine: WhatsAppEngine, id: string) =>
  engine.messages.get(id).then((message) => message!.history.find((change) => change.status !== 'queued')?.at);

describe('MessageService', () => {
  it("numbers messages in the provider's format, per provider", async () => {
    const { engine, account } = await setUp({ messageIds: { outbound: { start: 5, format: (n) => `out-${n}` }, inbound: { start: 1 } } });
    const result = await engine.messages.send(account, { recipients: ['79161110001', '79161110002'], text: 'hi' });
    expect(result.ok && result.messages.map((message) => message.id)).toEqual(['out-5', 'out-6']);
    const inbound = await engine.messages.receive(account, { from: '79161110001', text: 'yo', mediaUrl: null, media: null, profileName: null });
    expect(inbound.received && inbound.message.id).toBe('1');
  });

  it('skips ids another provider already holds, so every id finds one message', async () => {
    const engine = specEngine(specProfile({ messageIds: { outbound: { start: 1 }, inbound: { start: 1 } } }));
    engine.registerProvider(specProfile({ name: 'other', messageIds: { outbound: { start: 1 }, inbound: { start: 100 } } }));
    const spec = await engine.accounts.resolve('spec', 'a');
    const other = await engine.accounts.resolve('other', 'b');
    if (!spec.ok || !other.ok) throw new Error('accounts');
    await engine.messages.send(spec.account, { recipients: ['79161110001'], text: 'first' });
    const second = await engine.messages.send(other.account, { recipients: ['79161110002'], text: 'second' });
    expect(second.ok && second.messages[0]!.id).toBe('2');
  });

  it("paces the line by the provider's interval", async () => {
    const { engine, account } = await setUp({ sendPacing: { minMs: 5_000, maxMs: 12_000 } });
    const ids: string[] = [];
    for (let n = 0; n < 5; n++) {
      const result = await engine.messages.send(account, { recipients: [`7916111000${n}`], text: `m${n}` });
      if (result.ok) ids.push(result.messages[0]!.id);
    }
    await engine.clock.advance(70_000);
    const times = await Promise.all(ids.map((id) => sentAt(engine, id)));
    const gaps = times.map((at, n) => at! - (n === 0 ? SPEC_START : times[n - 1]!));
    for (const gap of gaps) {
      expect(gap).toBeGreaterThanOrEqual(5_000);
      expect(gap).toBeLessThanOrEqual(12_000);
    }
    expect(new Set(gaps).size).toBeGreaterThan(1);
  });

  it("caps messages per day in the provider's time zone", async () => {
    // 09:00 UTC is 12:00 in Moscow: the Moscow day ends 12 hours later.
    const { engine, account } = await setUp({ limits: { dailyMessages: 3 }, utcOffsetMinutes: 180 });
    expect((await engine.messages.send(account, { recipients: ['79161110001', '79161110002'], text: 'a' })).ok).toBe(true);
    const over = await engine.messages.send(account, { recipients: ['79161110003', '79161110004'], text: 'b' });
    expect(over).toEqual({ ok: false, code: 'daily_limit', reason: 'the account may send 3 messages a day and has sent 2 today' });
    expect((await engine.messages.send(account, { recipients: ['79161110003'], text: 'c' })).ok).toBe(true);
    await engine.clock.advance(12 * HOUR - 1);
    expect(await engine.messages.send(account, { recipients: ['79161110005'], text: 'd' })).toMatchObject({ ok: false, code: 'daily_limit' });
    await engine.clock.advance(1);
    expect((await engine.messages.send(account, { recipients: ['79161110005'], text: 'e' })).ok).toBe(true);
  });

  it('over the per-second cap either refuses the request or fails the excess at dispatch', async () => {
    const { engine, account } = await setUp({ limits: { perSecond: 2 } });
    const three = ['79161110001', '79161110002', '79161110003'];
    expect(await engine.messages.send(account, { recipients: three, text: 'x' })).toMatchObject({ ok: false, code: 'rate_limited' });
    const accepted = await engine.messages.send(account, { recipients: three, text: 'x', refusals: 'fail-at-dispatch' });
    if (!accepted.ok) throw new Error(accepted.reason);
    await engine.clock.advance(10_000);
    const statuses = await Promise.all(accepted.messages.map((message) => engine.messages.get(message.id)));
    expect(statuses.map((message) => message!.failure?.code ?? null)).toEqual([null, null, 'rate_limited']);
    await engine.clock.advance(1_000);
    expect((await engine.messages.send(account, { recipients: ['79161110004', '79161110005'], text: 'later' })).ok).toBe(true);
  });

  it('holds a scheduled send until its time and refuses one in the past', async () => {
    const { engine, account } = await setUp();
    expect(await engine.messages.send(account, { recipients: ['79161110001'], text: 'x', sendAt: SPEC_START - 1 })).toMatchObject({
      ok: false,
      code: 'send_time_past',
    });
    const result = await engine.messages.send(account, { recipients: ['79161110001'], text: 'tomorrow', sendAt: SPEC_START + 24 * HOUR });
    if (!result.ok) throw new Error(result.reason);
    const id = result.messages[0]!.id;
    await engine.clock.advance(24 * HOUR - 1);
    expect((await engine.messages.get(id))!.status).toBe('queued');
    await engine.clock.advance(2_000);
    expect((await engine.messages.get(id))!.status).not.toBe('queued');
  });

  it('sends from a session only while it is connected, and fails what is due after it logs out', async () => {
    const { engine, account } = await setUp({ sessionLoading: { minMs: 1_000, maxMs: 1_000 } });
    const session = await engine.sessions.create(account, '1');
    expect(await engine.messages.send(account, { recipients: ['79161110001'], text: 'x', sessionId: session.id })).toEqual({
      ok: false,
      code: 'session_not_ready',
      reason: 'the session is not connected (it is qr)',
    });
    await engine.sessions.scan(session.id, '79990000001');
    await engine.clock.advance(1_000);
    const sent = await engine.messages.send(account, { recipients: ['79161110001'], text: 'x', sessionId: session.id });
    if (!sent.ok) throw new Error(sent.reason);
    expect(sent.messages[0]).toMatchObject({ lineId: session.id, from: '79990000001' });
    await engine.sessions.logout((await engine.sessions.get(session.id))!);
    await engine.clock.advance(5_000);
    expect((await engine.messages.get(sent.messages[0]!.id))!.failure).toMatchObject({ code: 'session_closed' });
  });

  it('keeps an uploaded file, judged by its bytes, and serves it under the media url', async () => {
    const { engine, account } = await setUp();
    const pdf = await readFile(new URL('../../../../fixtures/media/sample.pdf', import.meta.url));
    const result = await engine.messages.send(account, {
      recipients: ['79161110001'],
      text: '',
      mediaUpload: { bytes: pdf, fileName: 'offer.pdf' },
      mediaPolicy: PDF_ONLY,
    });
    if (!result.ok) throw new Error(result.reason);
    const message = result.messages[0]!;
    expect(message).toMatchObject({ kind: 'media', media: { format: 'pdf', fileName: 'offer.pdf', size: pdf.length } });
    expect(message.mediaUrl).toMatch(/^http:\/\/sandbox\.test\/__sandbox\/media\/uploads\/u\d+$/);
    const id = message.mediaUrl!.split('/').pop()!;
    expect(await engine.messages.upload(id)).toMatchObject({ fileName: 'offer.pdf', mime: 'application/pdf', size: pdf.length });
    const kept = engine.mediaFiles.find(id);
    if (!kept) throw new Error('the upload is not kept');
    expect((await readFile(kept.path)).equals(pdf)).toBe(true);
    // Its temp directory goes with it.
    engine.close();

    const png = await readFile(new URL('../../../../fixtures/media/sample.png', import.meta.url));
    expect(await engine.messages.send(account, { recipients: ['79161110001'], text: '', mediaUpload: { bytes: png }, mediaPolicy: PDF_ONLY })).toMatchObject({
      ok: false,
      code: 'media_rejected',
    });
  });

  it('delivers a customer message to the session it was written to', async () => {
    const { engine, account } = await setUp({ sessionLoading: { minMs: 1_000, maxMs: 1_000 } });
    const session = await engine.sessions.create(account);
    const inbound = { from: '79161110001', text: 'where?', mediaUrl: null, media: null, profileName: null, lineId: session.id };
    expect(await engine.messages.receive(account, inbound)).toEqual({ received: false, reason: 'the session is not connected (it is qr)' });
    await engine.sessions.scan(session.id, '79990000001');
    await engine.clock.advance(1_000);
    const location = { latitude: 55.75, longitude: 37.61, name: 'Red Square' };
    const received = await engine.messages.receive(account, { ...inbound, kind: 'location', location });
    expect(received).toMatchObject({ received: true, message: { lineId: session.id, to: '79990000001', kind: 'location', location } });
  });
});
