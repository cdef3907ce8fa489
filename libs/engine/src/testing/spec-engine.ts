import { WhatsAppEngine } from '../engine.js';
import type { EngineEvent } from '../events.js';
import type { EngineStore } from '../store/store.js';
import type { ProviderProfile } from '../world/provider-profile.js';

/** Clock start for engine specs: 2026-01-01 09:00 UTC. */
export const SPEC_START = Date.UTC(2026, 0, 1, 9, 0, 0);

/** A provider profile for engine specs; `events` records everything the engine published. */
export function specProfile(overrides: Partial<ProviderProfile> = {}): ProviderProfile & { events: EngineEvent[] } {
  const events: EngineEvent[] = [];
  return {
    name: 'spec',
    featureDefaults: { receive: true },
    lineCountryCode: '7',
    messageIds: { outbound: { start: 80_000_000 }, inbound: { start: 3_800_000 } },
    webhooks: { retentionMs: 60_000, retryDelaysMs: [] },
    toWebhooks(event) {
      events.push(event);
      return [];
    },
    ...overrides,
    events,
  };
}

/** An engine on the manual clock with one registered spec provider; on a store of the test's when given. */
export function specEngine(profile: ProviderProfile = specProfile(), store?: EngineStore): WhatsAppEngine {
  const engine = new WhatsAppEngine({
    clock: { mode: 'manual', speed: 1, startAt: SPEC_START },
    seed: 3,
    mediaBaseUrl: 'http://sandbox.test/__sandbox/media',
    ...(store ? { store } : {}),
  });
  engine.registerProvider(profile);
  return engine;
}
