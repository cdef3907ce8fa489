import { BufferJSON, initAuthCreds, proto, type AuthenticationCreds, type AuthenticationState, type SignalDataTypeMap } from '@whiskeysockets/baileys';
import type { TransportState } from '#engine';

/** Where a session's credentials and signal keys live in the transport's state. */
export const authPrefix = (sessionId: string) => `auth/${sessionId}/`;
const credsKey = (sessionId: string) => `${authPrefix(sessionId)}creds`;
const signalKey = (sessionId: string, type: string, id: string) => `${authPrefix(sessionId)}keys/${type}/${id}`;

/**
 * Baileys' values hold Buffers and Uint8Arrays; the state keeps plain JSON. Baileys' own replacer and reviver
 * turn them into `{type: 'Buffer', data: base64}` and back, as its multi-file auth state does on disk.
 */
export const toStored = (value: unknown): unknown => JSON.parse(JSON.stringify(value, BufferJSON.replacer));
export const fromStored = <T>(value: unknown): T => JSON.parse(JSON.stringify(value), BufferJSON.reviver) as T;

/** Whether the session has credentials a phone linked (it reconnects without a scan). */
export async function linkedCreds(state: TransportState, sessionId: string): Promise<AuthenticationCreds | undefined> {
  const stored = await state.get(credsKey(sessionId));
  const creds = stored === undefined ? undefined : fromStored<AuthenticationCreds>(stored);
  return creds?.me ? creds : undefined;
}

/**
 * Baileys' `useMultiFileAuthState`, kept in the engine's store instead of a folder (durable with the SQLite
 * store, so a restart resumes the link): the creds under one key, each signal key under its own, a `null`
 * in `keys.set` deleting one.
 */
export async function useStateAuth(state: TransportState, sessionId: string): Promise<{ state: AuthenticationState; saveCreds: () => Promise<void> }> {
  const stored = await state.get(credsKey(sessionId));
  const creds = stored === undefined ? initAuthCreds() : fromStored<AuthenticationCreds>(stored);
  return {
    state: {
      creds,
      keys: {
        async get<T extends keyof SignalDataTypeMap>(type: T, ids: string[]) {
          const found: { [id: string]: SignalDataTypeMap[T] } = {};
          for (const id of ids) {
            const value = await state.get(signalKey(sessionId, type, id));
            if (value === undefined) continue;
            const revived = fromStored<SignalDataTypeMap[T]>(value);
            // As Baileys' own stores do: app-state keys are protobuf objects, not plain ones.
            found[id] = (type === 'app-state-sync-key' ? proto.Message.AppStateSyncKeyData.fromObject(revived as object) : revived) as SignalDataTypeMap[T];
          }
          return found;
        },
        async set(data) {
          for (const [type, values] of Object.entries(data)) {
            for (const [id, value] of Object.entries(values ?? {})) {
              if (value === null || value === undefined) await state.delete(signalKey(sessionId, type, id));
              else await state.set(signalKey(sessionId, type, id), toStored(value));
            }
          }
        },
      },
    },
    saveCreds: () => state.set(credsKey(sessionId), toStored(creds)),
  };
}
