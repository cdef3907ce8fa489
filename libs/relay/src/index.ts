export * from './notification.js';
export * from './relay.transport.js';
