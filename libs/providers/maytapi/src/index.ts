export * from './maytapi.dto.js';
export * from './maytapi.mapper.js';
export * from './maytapi.module.js';
export * from './maytapi.product.js';
export * from './maytapi.profile.js';
export { maytapiProvider as provider } from './maytapi.module.js';
