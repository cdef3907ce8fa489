export * from './wamm.dto.js';
export * from './wamm.errors.js';
export * from './wamm.mapper.js';
export * from './wamm.module.js';
export * from './wamm.profile.js';
export { wammProvider as provider } from './wamm.module.js';
