/**
 * The one mapping from a provider's or a tool's failure to what users see: the HTTP error a request
 * answers with, and the `last_error` a run (or run step) ends with. Both come from the same rule:
 *
 * | failure                                                    | HTTP                          | last_error            |
 * |------------------------------------------------------------|-------------------------------|-----------------------|
 * | upstream 429, or an ApiError 429                           | 429 (its error body, if any)  | `rate_limit_exceeded` |
 * | an overloaded provider (Anthropic's 529)                   | 503 `overloaded`              | `server_error`        |
 * | upstream 4xx the request caused (context length, bad args) | its status, its error body    | `invalid_prompt`      |
 * | upstream 401/403 (Switchboard's own key or access)         | its status, its error body    | `server_error`        |
 * | timeout (no answer, a stalled stream, an upstream 408)     | 504 `upstream_timeout`        | `server_error`        |
 * | upstream 5xx, connection or stream failure                 | 502 `upstream_error`          | `server_error`        |
 * | ApiError ≥ 500 (a local model or runtime unavailable: 503) | as thrown                     | `server_error`        |
 * | ContextLengthExceededError (a run's prompt_overflow `fail`) | 400 context_length_exceeded   | `context_length_exceeded` (the Assistants API shows `invalid_prompt`) |
 * | ApiError 4xx                                               | as thrown                     | `invalid_prompt`      |
 * | a tool that cannot run (ToolUnavailableError)              | 503                           | `server_error`        |
 */
import { ApiError, badGateway, ContextLengthExceededError, gatewayTimeout } from './errors.js';
import { ProviderError } from './providers/provider-error.js';
import { ToolUnavailableError } from './tools/tool.js';

export type LastErrorCode = 'server_error' | 'rate_limit_exceeded' | 'invalid_prompt' | 'context_length_exceeded';

/** A run's or run step's `last_error`. */
export interface LastError {
  code: LastErrorCode;
  message: string;
}

export interface Failure {
  /** What a request answers with. */
  http: ApiError;
  /** What a run that failed with it ends with. */
  lastError: LastError;
}

/** A failure a run reports without saying more (its details are in the log). */
export const RUN_FAILED = 'The server had an error while processing the run.';

const isTimeout = (err: ProviderError) => err.kind === 'timeout' || err.statusCode === 408;
const isServersAccess = (status: number) => status === 401 || status === 403;

/** An upstream's error body, when it is OpenAI's shape `{"error":{"message",…}}`. */
export function openAiErrorBody(text: string | undefined): { message: string; type?: unknown; param?: unknown; code?: unknown } | undefined {
  if (!text) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const error = (parsed as { error?: unknown } | null)?.error;
  if (!error || typeof error !== 'object') return undefined;
  const message = (error as { message?: unknown }).message;
  return { ...error, message: typeof message === 'string' ? message : '' };
}

const stringOr = (v: unknown, fallback: string | null) => (typeof v === 'string' ? v : fallback);

function upstreamHttpError(err: ProviderError): ApiError {
  const status = err.statusCode;
  if (isTimeout(err)) return gatewayTimeout(err.message, err);
  // OpenAI answers an overloaded engine with 503, which the SDK retries; a 502 would blame a broken gateway.
  if (status === 529) return new ApiError({ status: 503, type: 'server_error', code: 'overloaded', message: err.message, cause: err });
  if (status === undefined || status < 400 || status >= 500) return badGateway(err.message, err);
  const body = openAiErrorBody(err.responseBody);
  if (body)
    return new ApiError({
      status,
      message: body.message,
      type: stringOr(body.type, 'invalid_request_error')!,
      param: stringOr(body.param, null),
      // A 429 always says rate_limit_exceeded, whichever provider's error body (Anthropic's has no code) came with it.
      code: stringOr(body.code, status === 429 ? 'rate_limit_exceeded' : null),
      cause: err,
    });
  if (status === 429) return new ApiError({ status, type: 'upstream_error', code: 'rate_limit_exceeded', message: err.message, cause: err });
  return new ApiError({ status, type: 'invalid_request_error', message: err.message, cause: err });
}

function upstreamLastError(err: ProviderError): LastError {
  const status = err.statusCode;
  if (status === 429) return { code: 'rate_limit_exceeded', message: err.message };
  if (isTimeout(err) || status === undefined || status < 400 || status >= 500 || isServersAccess(status))
    return { code: 'server_error', message: err.message };
  return { code: 'invalid_prompt', message: err.responseBody ? `${err.message} ${err.responseBody.slice(0, 500)}` : err.message };
}

function apiLastError(err: ApiError): LastError {
  if (err.status === 429) return { code: 'rate_limit_exceeded', message: err.message };
  // A prompt the run's options forbid trimming (runs.prompt_overflow `fail`): its own code, which the Responses API shows.
  if (err instanceof ContextLengthExceededError) return { code: 'context_length_exceeded', message: err.message };
  return { code: err.status >= 500 ? 'server_error' : 'invalid_prompt', message: err.message };
}

/** A provider's or tool's failure as users see it; undefined for anything else (a bug: a 500 with no details). */
export function failureOf(err: unknown): Failure | undefined {
  if (err instanceof ProviderError) return { http: upstreamHttpError(err), lastError: upstreamLastError(err) };
  if (err instanceof ApiError) return { http: err, lastError: apiLastError(err) };
  if (err instanceof ToolUnavailableError)
    return {
      http: new ApiError({ status: 503, type: 'server_error', code: 'tool_unavailable', message: err.message, cause: err }),
      lastError: { code: 'server_error', message: err.message },
    };
  return undefined;
}

/** The `last_error` of a run (or step) that failed with `err`; `fallback` is the message for an unexpected error. */
export const lastErrorOf = (err: unknown, fallback = RUN_FAILED): LastError =>
  failureOf(err)?.lastError ?? { code: 'server_error', message: fallback };

/** A run step's `last_error`: OpenAI's steps know only `server_error` and `rate_limit_exceeded`. */
export function stepLastErrorOf(err: unknown, fallback: string): { code: 'server_error' | 'rate_limit_exceeded'; message: string } {
  const { code, message } = lastErrorOf(err, fallback);
  return { code: code === 'rate_limit_exceeded' ? code : 'server_error', message };
}

/**
 * What a request answers with for a run that ended with `lastError` (the one-call assistant chat): the same rule
 * read backwards — rate_limit_exceeded is a 429, invalid_prompt a 400, anything else the server's 502.
 */
export function httpOfLastError(lastError: { code: string; message: string } | null | undefined, fallback: string): ApiError {
  const message = lastError?.message ?? fallback;
  if (lastError?.code === 'rate_limit_exceeded') return new ApiError({ status: 429, type: 'rate_limit_error', code: 'rate_limit_exceeded', message });
  if (lastError?.code === 'invalid_prompt') return new ApiError({ status: 400, type: 'invalid_request_error', code: 'invalid_prompt', message });
  return new ApiError({ status: 502, type: 'server_error', code: lastError?.code ?? 'server_error', message });
}
