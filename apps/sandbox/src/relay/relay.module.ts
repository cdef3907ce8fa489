import { Module } from '@nestjs/common';
import type { WhatsAppEngine } from '#engine';
import { RelayTransport } from '#relay';
import { RelayController } from './relay.controller.js';
import { RelayDevicesController } from './relay-devices.controller.js';
import { EngineRelayDirectory } from './relay-directory.js';
import { RelayLinking } from './relay-linking.js';

/** The sandbox's own APIs with a contract besides the providers' (what /__sandbox/health lists as `apis`). */
export const SANDBOX_APIS = ['relay'];

/**
 * The relay transport the engine is built with. It runs its simulated phones on the engine's clock and
 * finds notification senders in the engine's world: the engine is built after its transports, so both are
 * reached through `engine()`, which is set by the time anything calls them (attach, a device, a poll).
 */
export function createRelay(seed: number, engine: () => WhatsAppEngine): RelayTransport {
  return new RelayTransport({
    seed,
    timer: { scheduleAt: (at, run, label) => engine().clock.scheduleAt(at, run, label) },
    directory: new EngineRelayDirectory(engine),
  });
}

/** The device API a relay phone calls (/__relay) and the control API's relay routes (/__sandbox/relay). */
@Module({
  controllers: [RelayController, RelayDevicesController],
  providers: [RelayLinking],
  exports: [RelayLinking],
})
export class RelayModule {}
