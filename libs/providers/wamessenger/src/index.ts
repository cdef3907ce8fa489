export * from './wamessenger.dto.js';
export * from './wamessenger.mapper.js';
export * from './wamessenger.module.js';
export * from './wamessenger.profile.js';
export { wamessengerProvider as provider } from './wamessenger.module.js';
