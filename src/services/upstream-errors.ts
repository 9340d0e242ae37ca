import type { UpstreamResponse } from '../providers/openai-compatible/client.js';
import type { ApiError } from '../errors.js';
import { ProviderError, isTimeoutError } from '../providers/provider-error.js';
import { failureOf, openAiErrorBody } from '../failures.js';

/**
 * An upstream's non-2xx answer, as the gateway answers it: a 4xx with an OpenAI error body passes
 * through byte for byte (returned: it keeps fields Switchboard does not know); anything else is
 * thrown as failures.ts maps it (another 4xx keeps its status with the upstream's text, a 5xx is 502).
 */
export async function upstreamFailure(res: UpstreamResponse, provider: string): Promise<{ status: number; body: string }> {
  const text = await res.body.text().catch(() => '');
  const status = res.statusCode;
  const body = openAiErrorBody(text);
  if (status < 500 && body) return { status, body: text };
  const detail = body?.message ?? text.slice(0, 500);
  const message =
    status < 500
      ? detail || `The upstream '${provider}' answered ${status}.`
      : `The upstream '${provider}' failed with status ${status}${detail ? `: ${detail}` : '.'}`;
  throw failureOf(new ProviderError({ provider, kind: 'response', statusCode: status, responseBody: text, message }))!.http;
}

/** A failure before any answer, as failures.ts maps it (timeouts 504, connection errors 502); anything else unchanged. */
export function providerFailure(err: unknown): unknown {
  return err instanceof ProviderError ? failureOf(err)!.http : err;
}

/** A body that stopped arriving after the headers: silence past idle_timeout_ms is 504, anything else 502. */
export function brokenAnswer(provider: string, err: unknown): ApiError {
  const timeout = isTimeoutError(err);
  const message = timeout
    ? `The upstream '${provider}' went silent inside its answer (idle_timeout_ms).`
    : `The upstream '${provider}' broke off its answer: ${(err as Error).message}`;
  return failureOf(new ProviderError({ provider, kind: timeout ? 'timeout' : 'stream', message, cause: err }))!.http;
}
