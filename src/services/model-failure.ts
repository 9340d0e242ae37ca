import { ApiError, badGateway, gatewayTimeout, rateLimited } from '../errors.js';
import { ProviderError } from '../providers/provider-error.js';

/**
 * A ChatModel's failure as the HTTP error Chat Completions answers with, whatever the provider:
 * - 429 passes through as 429 rate_limit_exceeded (the SDK backs off and retries);
 * - 529 (Anthropic's "overloaded") and 503 become 503 server_error `overloaded`: OpenAI answers an
 *   overloaded engine with 503, and the SDK retries a 503; a 502 would blame a broken gateway;
 * - another 4xx keeps its status with the upstream's message (the request, or the key configured
 *   for the provider, is at fault);
 * - a timeout is 504, anything else from the provider (5xx, connection, broken stream) 502;
 * - an error that is not the provider's is a 500.
 */
export function modelFailure(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof ProviderError) {
    const status = err.statusCode;
    if (err.kind === 'timeout') return gatewayTimeout(err.message, err);
    if (status === 429) return rateLimited(err.message);
    if (status === 529 || status === 503)
      return new ApiError({ status: 503, type: 'server_error', code: 'overloaded', message: err.message, cause: err });
    if (status !== undefined && status >= 400 && status < 500)
      return new ApiError({ status, type: 'invalid_request_error', message: err.message, cause: err });
    return badGateway(err.message, err);
  }
  return new ApiError({ status: 500, type: 'server_error', code: 'model_error', message: (err as Error)?.message ?? String(err), cause: err });
}
