import { ProviderError } from '../provider-error.js';

/** The HTTP status Anthropic gives each error `type`, for errors that arrive inside a stream. */
const STATUS_OF_TYPE: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

/** `{type:'error', error:{type, message}}` → its type and message, if the body has that shape. */
export function anthropicError(body: unknown): { type: string; message: string } | undefined {
  const error = (body as { error?: { type?: unknown; message?: unknown } } | null)?.error;
  if (!error || typeof error !== 'object') return undefined;
  return { type: typeof error.type === 'string' ? error.type : 'api_error', message: typeof error.message === 'string' ? error.message : '' };
}

/** A non-2xx answer of the Messages API as a ProviderError with Anthropic's status and message. */
export function responseError(opts: { provider: string; statusCode: number; text: string }): ProviderError {
  let parsed: { type: string; message: string } | undefined;
  try {
    parsed = anthropicError(JSON.parse(opts.text));
  } catch {
    parsed = undefined;
  }
  const message = parsed?.message || opts.text.slice(0, 500);
  return new ProviderError({
    provider: opts.provider,
    kind: 'response',
    statusCode: opts.statusCode,
    responseBody: opts.text,
    message: `The upstream '${opts.provider}' answered ${opts.statusCode}${message ? `: ${message}` : '.'}`,
  });
}

/** An `error` event mid-stream, carrying the status Anthropic would have answered with. */
export function streamEventError(provider: string, data: string, body: unknown): ProviderError {
  const e = anthropicError(body) ?? { type: 'api_error', message: 'unknown error' };
  return new ProviderError({
    provider,
    kind: 'stream',
    statusCode: STATUS_OF_TYPE[e.type] ?? 500,
    responseBody: data,
    message: `The upstream '${provider}' reported an error mid-stream (${e.type}): ${e.message}`,
  });
}
