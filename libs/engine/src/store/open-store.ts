import { MemoryStore } from './memory.store.js';
import type { EngineStore } from './store.js';

/**
 * Where the engine keeps its world, named as a sandbox option would name it. The store itself stays
 * inside the engine: nothing outside it reads or writes the store except through the engine's services.
 * - `memory`: in the process, gone when it ends (the default).
 */
export type StoreLocation = 'memory';

export function openStore(location: StoreLocation): EngineStore {
  switch (location) {
    case 'memory':
      return new MemoryStore();
  }
}
