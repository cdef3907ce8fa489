export * from './body/index.js';
export * from './exception.filter.js';
export * from './provider-descriptor.js';
export * from './provider-error.js';
export * from './request-journal.js';
export * from './framework-errors.js';
export * from './provider-answers.js';
export * from './request-guards.js';
