export * from './wamessage.auth.js';
export * from './wamessage.dto.js';
export * from './wamessage.errors.js';
export * from './wamessage.mapper.js';
export * from './wamessage.module.js';
export * from './wamessage.profile.js';
export { wamessageProvider as provider } from './wamessage.module.js';
