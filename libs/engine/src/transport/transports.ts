import type { StateRepository } from '../store/store.js';
import type { LinkedTransport, LinkSink, TransportContext, TransportSink, TransportState } from './transport.js';

/** The transport every engine has: WhatsApp simulated on the clock. */
export const SIMULATED_TRANSPORT = 'simulated';

/**
 * The transports an engine holds, by name: the simulated one always, others the app passes in. A session
 * names the one holding it; a new session, or an account line without a link session, takes the default.
 */
export class Transports {
  private readonly byName = new Map<string, LinkedTransport>();

  constructor(
    transports: LinkedTransport[],
    readonly defaultName: string,
  ) {
    for (const transport of transports) {
      if (this.byName.has(transport.name)) throw new Error(`two transports are named ${transport.name}`);
      this.byName.set(transport.name, transport);
    }
    if (!this.byName.has(defaultName)) throw new Error(`the default transport ${defaultName} is not one of ${this.names.join(', ')}`);
  }

  get names(): string[] {
    return [...this.byName.keys()];
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  of(name: string): LinkedTransport {
    const transport = this.byName.get(name);
    if (!transport) throw new Error(`no transport is named ${name} (there are ${this.names.join(', ')})`);
    return transport;
  }

  /** Once, when the engine starts: each transport gets the sink and its own context. */
  attach(sink: TransportSink & LinkSink, context: (name: string) => TransportContext): void {
    for (const [name, transport] of this.byName) transport.attach(sink, context(name));
  }
}

/** The engine's state seen by one transport: its keys live under `transport.<name>.`, so transports never share one. */
export function scopedState(state: StateRepository, transport: string): TransportState {
  const scope = `transport.${transport}.`;
  return {
    get: (key) => state.get(scope + key),
    set: (key, value) => state.set(scope + key, value),
    delete: (key) => state.delete(scope + key),
    entries: async <T>(prefix: string) => (await state.entries<T>(scope + prefix)).map(([key, value]): [string, T] => [key.slice(scope.length), value]),
    deletePrefix: (prefix) => state.deletePrefix(scope + prefix),
  };
}
