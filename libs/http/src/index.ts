export * from './body/index.js';
export * from './exception.filter.js';
export * from './provider-descriptor.js';
export * from './provider-error.js';
export * from './raw-utf8-target.js';
export * from './request-journal.js';
