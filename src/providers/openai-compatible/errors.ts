/** ProviderError belongs to every provider: it lives in providers/provider-error.ts; re-exported for older imports. */
export { ProviderError, errorCode, isConnectError, isTimeoutError } from '../provider-error.js';
