export * from './conversation-window.js';
export * from './template-registry.js';
