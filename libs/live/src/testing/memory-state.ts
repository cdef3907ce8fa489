import type { TransportState } from '#engine';

/** A TransportState in a Map, with values copied through JSON as a store keeps them (a Buffer left in would fail to round-trip). */
export class MemoryTransportState implements TransportState {
  readonly values = new Map<string, string>();

  async get<T>(key: string): Promise<T | undefined> {
    const json = this.values.get(key);
    return json === undefined ? undefined : (JSON.parse(json) as T);
  }

  async set(key: string, value: unknown): Promise<void> {
    this.values.set(key, JSON.stringify(value));
  }

  async delete(key: string): Promise<boolean> {
    return this.values.delete(key);
  }

  async entries<T>(prefix: string): Promise<Array<[string, T]>> {
    return [...this.values.keys()]
      .filter((key) => key.startsWith(prefix))
      .sort()
      .map((key) => [key, JSON.parse(this.values.get(key)!) as T]);
  }

  async deletePrefix(prefix: string): Promise<number> {
    const keys = [...this.values.keys()].filter((key) => key.startsWith(prefix));
    for (const key of keys) this.values.delete(key);
    return keys.length;
  }
}
