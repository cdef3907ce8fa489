import { specEngine, specProfile } from '../testing/spec-engine.js';
import type { WhatsAppEngine } from '../engine.js';
import { MemoryStore } from '../store/memory.store.js';
import type { Account } from '../store/models.js';
import { PAIRING_CODE_TTL_MS, QR_ROTATION_MS } from './session.service.js';

describe('SessionService', () => {
  let engine: WhatsAppEngine;
  let profile: ReturnType<typeof specProfile>;
  let account: Account;

  beforeEach(async () => {
    profile = specProfile({ sessionLoading: { minMs: 3_000, maxMs: 3_000 } });
    engine = specEngine(profile);
    const lookup = await engine.accounts.resolve('spec', 'key');
    if (!lookup.ok) throw new Error(lookup.reason);
    account = lookup.account;
  });

  const states = () => profile.events.flatMap((event) => (event.type === 'session.status' ? [event.session.state] : []));

  it('waits on the QR screen, loads after a scan, and connects when loading is over', async () => {
    const session = await engine.sessions.create(account, '1001');
    expect(session).toMatchObject({ state: 'qr', label: '1001', phone: null });

    const scanned = await engine.sessions.scan(session.id, '79160000123');
    expect(scanned).toMatchObject({ ok: true, session: { state: 'loading', phone: '79160000123' } });
    await engine.clock.advance(2_999);
    expect((await engine.sessions.get(session.id))!.state).toBe('loading');
    await engine.clock.advance(1);
    expect((await engine.sessions.get(session.id))!.state).toBe('connected');
    expect(states()).toEqual(['qr', 'loading', 'connected']);
  });

  it('never saves a change made from a stale read over a newer one: a QR screen going idle as a phone scans it', async () => {
    // The idle step reads the session on the QR screen; before it writes, a phone scans it (another request,
    // or another instance on a shared store). CI once saw the idle screen saved over the scan: never connected.
    const store = new MemoryStore();
    engine = specEngine(profile, store);
    const lookup = await engine.accounts.resolve('spec', 'key');
    if (!lookup.ok) throw new Error(lookup.reason);
    const session = await engine.sessions.create(lookup.account);
    const read = store.sessions.get.bind(store.sessions);
    let scanMeanwhile: (() => Promise<unknown>) | undefined = () => engine.sessions.scan(session.id, '79160000123');
    store.sessions.get = async (id) => {
      const stale = await read(id);
      const scan = scanMeanwhile;
      scanMeanwhile = undefined;
      await scan?.();
      return stale;
    };

    await engine.sessions.sessionChanged(session.id, { state: 'qr', qr: 'the code on screen', rotatesAt: null, idle: true });
    expect(scanMeanwhile).toBeUndefined();
    expect(await engine.sessions.get(session.id)).toMatchObject({ state: 'loading', phone: '79160000123', idle: false });
    await engine.clock.advance(3_000);
    expect((await engine.sessions.get(session.id))!.state).toBe('connected');
    expect(states()).toEqual(['qr', 'loading', 'connected']);
  });

  it('shows a new QR code every 20 seconds and none once linked', async () => {
    const session = await engine.sessions.create(account);
    const first = engine.sessions.qrCode(session)!;
    expect(first.payload).toMatch(/^2@[^,]+,[^,]+,[^,]+,[^,]+$/);
    await engine.clock.advance(QR_ROTATION_MS - 1);
    expect(engine.sessions.qrCode(session)!.payload).toBe(first.payload);
    await engine.clock.advance(1);
    expect(engine.sessions.qrCode(session)!.payload).not.toBe(first.payload);
    const linked = await engine.sessions.scan(session.id);
    expect(linked.ok && engine.sessions.qrCode(linked.session)).toBeNull();
  });

  it('links by pairing code only for the phone it was issued to, and only while it is valid', async () => {
    const session = await engine.sessions.create(account);
    const issued = await engine.sessions.requestPairingCode(session, '905321112233');
    if (!issued.ok) throw new Error(issued.reason);
    expect(issued.code).toMatch(/^[1-9A-HJ-NP-TV-Z]{8}$/);

    expect(await engine.sessions.enterPairingCode(issued.code, '905329999999')).toMatchObject({ ok: false });
    expect(await engine.sessions.enterPairingCode('ZZZZZZZZ')).toMatchObject({ ok: false, reason: 'no session is waiting for this code' });
    const typed = `${issued.code.slice(0, 4)}-${issued.code.slice(4).toLowerCase()}`;
    expect(await engine.sessions.enterPairingCode(typed)).toMatchObject({ ok: true, session: { state: 'loading', phone: '905321112233' } });
  });

  it('refuses an expired pairing code', async () => {
    const session = await engine.sessions.create(account);
    const issued = await engine.sessions.requestPairingCode(session, '905321112233');
    if (!issued.ok) throw new Error(issued.reason);
    await engine.clock.advance(PAIRING_CODE_TTL_MS);
    expect(await engine.sessions.enterPairingCode(issued.code)).toEqual({ ok: false, reason: 'the pairing code has expired' });
  });

  it('logs out to a fresh QR screen and restores from a backup without a scan', async () => {
    const session = await engine.sessions.create(account);
    await engine.sessions.scan(session.id, '79160000123');
    await engine.clock.advance(3_000);
    const connected = (await engine.sessions.get(session.id))!;
    const backup = await engine.sessions.backup(connected);
    if (!backup.ok) throw new Error(backup.reason);

    const loggedOut = await engine.sessions.logout(connected);
    expect(loggedOut).toMatchObject({ state: 'qr', phone: null });
    expect(await engine.sessions.backup(loggedOut)).toMatchObject({ ok: false });

    expect(await engine.sessions.restore(loggedOut, `${backup.token}x`)).toEqual({ ok: false, reason: 'the backup is not valid' });
    expect(await engine.sessions.restore(loggedOut, 'not-a-token')).toEqual({ ok: false, reason: 'the backup is not valid' });
    const restored = await engine.sessions.restore(loggedOut, backup.token);
    expect(restored).toMatchObject({ ok: true, session: { state: 'loading', phone: '79160000123' } });
    await engine.clock.advance(3_000);
    expect((await engine.sessions.get(session.id))!.state).toBe('connected');
  });

  it('a restart reloads a linked session and a change during loading wins over the pending load', async () => {
    const session = await engine.sessions.create(account);
    await engine.sessions.scan(session.id);
    await engine.clock.advance(3_000);
    const restarted = await engine.sessions.restart((await engine.sessions.get(session.id))!);
    expect(restarted.state).toBe('loading');
    await engine.sessions.logout(restarted);
    await engine.clock.advance(10_000);
    expect((await engine.sessions.get(session.id))!.state).toBe('qr');
  });

  it('a disconnected session reconnects through loading', async () => {
    const session = await engine.sessions.create(account);
    await engine.sessions.scan(session.id);
    await engine.clock.advance(3_000);
    const down = await engine.sessions.disconnect((await engine.sessions.get(session.id))!);
    expect(down.state).toBe('disconnected');
    expect((await engine.sessions.reconnect(down)).state).toBe('loading');
    await engine.clock.advance(3_000);
    expect((await engine.sessions.get(session.id))!.state).toBe('connected');
  });

  it('starts up before its first QR screen, goes idle when the provider says so, and a logout on the QR screen changes nothing', async () => {
    profile = specProfile({ sessionStartup: { minMs: 2_000, maxMs: 2_000 }, qrIdleAfterMs: 60_000 });
    engine = specEngine(profile);
    const lookup = await engine.accounts.resolve('spec', 'key');
    if (!lookup.ok) throw new Error(lookup.reason);
    const session = await engine.sessions.create(lookup.account);
    expect(session).toMatchObject({ state: 'loading', phone: null });
    expect(engine.sessions.qrCode(session)).toBeNull();
    await engine.clock.advance(2_000);
    const onQr = (await engine.sessions.get(session.id))!;
    expect(onQr).toMatchObject({ state: 'qr', idle: false, qrSince: onQr.stateSince });
    await engine.sessions.logout(onQr);
    await engine.clock.advance(60_000);
    expect((await engine.sessions.get(session.id))!).toMatchObject({ state: 'qr', idle: true });
    const announced = profile.events.flatMap((event) =>
      event.type === 'session.status' ? [`${event.session.state}${event.session.idle ? ' idle' : ''}`] : [],
    );
    expect(announced).toEqual(['loading', 'qr', 'qr idle']);
    const reset = await engine.sessions.reset((await engine.sessions.get(session.id))!);
    expect(reset).toMatchObject({ state: 'loading', idle: false });
  });
});
