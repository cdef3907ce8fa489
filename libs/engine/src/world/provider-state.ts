/** Plain JSON a provider keeps on an engine record: an account's `settings`, a message's `providerData`. */
export type StoredState = Record<string, unknown>;

/**
 * A provider's typed view of state the engine stores for it as plain JSON without reading it (a Maytapi
 * product's phones, a Wamessage user's password hash, Devino's callback url on a message). The provider
 * declares the shape and its defaults once, beside its profile; reads fill in what was never written.
 * `T` must stay JSON (no Dates, Maps or undefined values): the store may serialise it.
 */
export class StateSlot<T extends object> {
  constructor(private readonly defaults: Readonly<T>) {}

  /** The state as the provider last wrote it, its defaults where it wrote nothing. */
  read(stored: StoredState | null | undefined): T {
    // The one cast between stored JSON and the provider's type: what is stored there came from `write`.
    return { ...this.defaults, ...(stored as Partial<T> | null | undefined) };
  }

  /** The JSON to store for (part of) the state; a copy, so changing `state` later does not change the record. */
  write(state: Partial<T>): StoredState {
    return { ...state };
  }
}
