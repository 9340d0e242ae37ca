import { ApiError, badGateway, gatewayTimeout } from '../errors.js';
import type { UpstreamResponse } from '../providers/openai-compatible/client.js';
import { ProviderError } from '../providers/provider-error.js';

/**
 * An upstream's non-2xx answer, as the gateway answers it: a 4xx with an OpenAI error body passes
 * through unchanged (returned), another 4xx becomes an OpenAI error with the upstream's text, and a
 * 5xx becomes 502 (thrown).
 */
export async function upstreamFailure(res: UpstreamResponse, provider: string): Promise<{ status: number; body: string }> {
  const text = await res.body.text().catch(() => '');
  let parsed: { error?: { message?: unknown } } | undefined;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (res.statusCode < 500 && parsed?.error && typeof parsed.error === 'object') return { status: res.statusCode, body: text };
  const message = typeof parsed?.error?.message === 'string' ? parsed.error.message : text.slice(0, 500);
  if (res.statusCode < 500)
    throw new ApiError({
      status: res.statusCode,
      type: 'invalid_request_error',
      message: message || `The upstream '${provider}' answered ${res.statusCode}.`,
    });
  throw badGateway(`The upstream '${provider}' failed with status ${res.statusCode}${message ? `: ${message}` : '.'}`);
}

/** A failure before any answer: timeouts become 504, connection errors 502. */
export function providerFailure(err: unknown): unknown {
  if (!(err instanceof ProviderError)) return err;
  return err.kind === 'timeout' ? gatewayTimeout(err.message, err) : badGateway(err.message, err);
}
