import { Module } from '@nestjs/common';
import { RelayModule } from '../relay/relay.module.js';
import { AccountsController } from './accounts.controller.js';
import { CatalogController } from './catalog.controller.js';
import { ChaosController } from './chaos.controller.js';
import { ClockController } from './clock.controller.js';
import { EventsController } from './events.controller.js';
import { JournalController } from './journal.controller.js';
import { LiveEvents } from './live-events.js';
import { MessagesController } from './messages.controller.js';
import { SandboxController } from './sandbox.controller.js';
import { SessionsController } from './sessions.controller.js';
import { TemplatesController } from './templates.controller.js';

/** The control API under /__sandbox: what a test uses to steer the sandbox and check what happened. */
@Module({
  imports: [RelayModule],
  controllers: [
    SandboxController,
    ClockController,
    AccountsController,
    SessionsController,
    MessagesController,
    JournalController,
    TemplatesController,
    CatalogController,
    ChaosController,
    EventsController,
  ],
  providers: [LiveEvents],
  exports: [LiveEvents],
})
export class ControlModule {}
