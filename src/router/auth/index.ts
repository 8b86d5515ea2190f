/** Data-plane authentication and per-key rate limits. */
export { Authenticator, type AuthResult, type AuthFailureReason, type KeyLookup } from './authenticator.js';
export { ANONYMOUS, toRateLimit, type Principal } from './principal.js';
export { RateLimiter, type RateDecision } from './rate-limiter.js';
export { StoreKeys } from './store-keys.js';
export { buildTokenTable, loadTokensFile, TokensFile, type TokenTable } from './static-tokens.js';
export { newBucket, takeToken, type BucketState, type RateLimit } from '../../core/token-bucket.js';
