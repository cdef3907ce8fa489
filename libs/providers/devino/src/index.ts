export * from './devino.dto.js';
export * from './devino.errors.js';
export * from './devino.mapper.js';
export * from './devino.module.js';
export * from './devino.profile.js';
export * from './devino.service.js';
export { devinoProvider as provider } from './devino.module.js';
