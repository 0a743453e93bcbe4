export * from './access-policy.js';
export { accessOf, Caller } from './access.guard.js';
export * from './development-issuer.js';
export * from './identity.module.js';
export * from './principal.js';
export * from './token-verifier.js';
