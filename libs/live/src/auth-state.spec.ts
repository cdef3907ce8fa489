import { proto } from '@whiskeysockets/baileys';
import { linkedCreds, useStateAuth } from './auth-state.js';
import { MemoryTransportState } from './testing/memory-state.js';

describe('useStateAuth: Baileys auth state in the transport state', () => {
  it('starts with fresh creds, and saveCreds keeps them (Buffers included) for the next start', async () => {
    const state = new MemoryTransportState();
    const first = await useStateAuth(state, 's1');
    expect(first.state.creds.registered).toBe(false);
    expect(await linkedCreds(state, 's1')).toBeUndefined();
    first.state.creds.me = { id: '905550000001:3@s.whatsapp.net', name: 'Shop' };
    await first.saveCreds();

    const again = await useStateAuth(state, 's1');
    expect(again.state.creds.me).toEqual({ id: '905550000001:3@s.whatsapp.net', name: 'Shop' });
    expect(Buffer.isBuffer(again.state.creds.noiseKey.private)).toBe(true);
    expect(again.state.creds.noiseKey.private).toEqual(first.state.creds.noiseKey.private);
    expect((await linkedCreds(state, 's1'))?.me?.id).toBe('905550000001:3@s.whatsapp.net');
    // Another session's credentials are its own.
    expect((await useStateAuth(state, 's2')).state.creds.noiseKey.private).not.toEqual(first.state.creds.noiseKey.private);
  });

  it('keys: set and get by type and id, a null deletes, app-state sync keys come back as protobuf objects', async () => {
    const state = new MemoryTransportState();
    const { keys } = (await useStateAuth(state, 's1')).state;
    await keys.set({
      session: { 'a.0': new Uint8Array([1, 2, 3]), 'b.0': new Uint8Array([4]) },
      'app-state-sync-key': { K1: { keyData: new Uint8Array([9, 9]), timestamp: 5 } },
    });
    expect(await keys.get('session', ['a.0', 'b.0', 'missing'])).toEqual({ 'a.0': Buffer.from([1, 2, 3]), 'b.0': Buffer.from([4]) });
    const { K1 } = await keys.get('app-state-sync-key', ['K1']);
    expect(K1).toBeInstanceOf(proto.Message.AppStateSyncKeyData);
    expect(Buffer.from(K1!.keyData!)).toEqual(Buffer.from([9, 9]));

    await keys.set({ session: { 'a.0': null } });
    expect(await keys.get('session', ['a.0', 'b.0'])).toEqual({ 'b.0': Buffer.from([4]) });
    expect([...state.values.keys()].sort()).toEqual(['auth/s1/keys/app-state-sync-key/K1', 'auth/s1/keys/session/b.0']);
  });
});
