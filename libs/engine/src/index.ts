// Listed, not `export *`: the services' files also hold their store repositories, which stay inside.
export { CatalogDefinitionError, CatalogService, type CatalogBaseline, type CatalogProduct } from './catalog/catalog.service.js';
export * from './chaos/chaos.rules.js';
export * from './chaos/chaos.service.js';
export * from './chats/chat-list.js';
export * from './clock/clock.js';
export * from './clock/scheduler.js';
export * from './conversations/index.js';
export * from './engine.js';
export * from './events.js';
export {
  GROUP_NAME_MAX,
  GroupService,
  mentionsIn,
  type Group,
  type GroupPermission,
  type GroupRefusal,
  type GroupResult,
  type GroupSettings,
} from './groups/group.service.js';
export * from './media/index.js';
export * from './messages/message.service.js';
export * from './random.js';
export * from './self-request.js';
export * from './sessions/session.service.js';
export * from './store/models.js';
export type { StoreLocation } from './store/open-store.js';
export { SchemaVersionError } from './store/sqlite.migrations.js';
export { StoreInUseError } from './store/sqlite.store.js';
export * from './transport/simulated-links.js';
export * from './transport/simulated.transport.js';
export * from './transport/transport.js';
export * from './transport/transports.js';
export * from './units.js';
export * from './webhooks/webhook.dispatcher.js';
export * from './world/accounts.js';
export * from './world/contacts.js';
export * from './world/customers.js';
export * from './world/provider-profile.js';
export * from './world/provider-state.js';
