/** OpenAI-shaped API errors: `{"error":{"message","type","param","code"}}`. */
export type ErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'conflict_error'
  | 'rate_limit_error'
  | 'server_error'
  | 'upstream_error'
  | 'timeout_error';

export interface ErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export class ApiError extends Error {
  readonly status: number;
  readonly type: string;
  readonly code: string | null;
  readonly param: string | null;

  constructor(opts: {
    status: number;
    message: string;
    type: ErrorType | string;
    code?: string | null;
    param?: string | null;
    cause?: unknown;
  }) {
    super(opts.message, { cause: opts.cause });
    this.name = 'ApiError';
    this.status = opts.status;
    this.type = opts.type;
    this.code = opts.code ?? null;
    this.param = opts.param ?? null;
  }

  toBody(): ErrorBody {
    return toErrorBody(this);
  }
}

export function toErrorBody(e: {
  message: string;
  type: string;
  param?: string | null;
  code?: string | null;
}): ErrorBody {
  return { error: { message: e.message, type: e.type, param: e.param ?? null, code: e.code ?? null } };
}

export const invalidRequest = (message: string, param: string | null = null, code: string | null = null) =>
  new ApiError({ status: 400, message, type: 'invalid_request_error', param, code });

/** `param` names the request field that referred to the missing object, when there is one. */
/**
 * A prompt larger than the model's context where nothing may trim it (a run with prompt_overflow `fail`: Responses'
 * `truncation: "disabled"`), in OpenAI's words. Its own class: a run failing with it keeps the code in last_error.
 */
export class ContextLengthExceededError extends ApiError {
  constructor(param: string | null = null) {
    super({
      status: 400,
      type: 'invalid_request_error',
      code: 'context_length_exceeded',
      param,
      message: 'Your input exceeds the context window of this model. Please adjust your input and try again.',
    });
    this.name = 'ContextLengthExceededError';
  }
}

export const contextLengthExceeded = (param: string | null = null) => new ContextLengthExceededError(param);

export const notFound = (kind: string, id: string, param: string | null = null) =>
  new ApiError({
    status: 404,
    message: `No ${kind} found with id '${id}'.`,
    type: 'invalid_request_error',
    param,
    code: null,
  });

export const invalidUrl = (method: string, url: string) =>
  new ApiError({ status: 404, message: `Invalid URL (${method} ${url})`, type: 'invalid_request_error' });

/** `/` and `/console/…` when the web console has not been built (console/dist is missing). */
export const consoleNotBuilt = () =>
  new ApiError({
    status: 404,
    message: 'The web console is not built: run `npm run build:console` and restart the server.',
    type: 'invalid_request_error',
    code: 'console_not_built',
  });

export const invalidApiKey = (message?: string) =>
  new ApiError({
    status: 401,
    message:
      message ??
      'Incorrect API key provided. You can find your API key in your Switchboard configuration (SWITCHBOARD_API_KEYS).',
    type: 'invalid_request_error',
    code: 'invalid_api_key',
  });

/**
 * A key without the rights to the route: OpenAI answers 401 with this message and no code (e.g. a project key on
 * /v1/organization/projects: "Missing scopes: api.management.read", as reported at
 * community.openai.com/t/admin-api-key-doesnt-work-unless-explicit-permissions-are-given/1368874).
 */
export const insufficientPermissions = (scope: string) =>
  new ApiError({
    status: 401,
    message:
      `You have insufficient permissions for this operation. Missing scopes: ${scope}. Check that you have the correct ` +
      "role in your organization, and if you're using a restricted API key, that it has the necessary scopes.",
    type: 'invalid_request_error',
    code: null,
  });

export const modelNotFound = (model: string, hint: string) =>
  new ApiError({
    status: 404,
    message: `The model \`${model}\` does not exist or you do not have access to it. ${hint}`,
    type: 'invalid_request_error',
    param: 'model',
    code: 'model_not_found',
  });

export const conflict = (message: string) =>
  new ApiError({ status: 409, message, type: 'invalid_request_error', code: 'conflict' });

export const rateLimited = (message: string) =>
  new ApiError({ status: 429, message, type: 'rate_limit_error', code: 'rate_limit_exceeded' });

export const payloadTooLarge = (limitBytes: number) =>
  new ApiError({
    status: 413,
    message: `Request body too large: the limit is ${limitBytes} bytes.`,
    type: 'invalid_request_error',
    code: 'request_too_large',
  });

export const badGateway = (message: string, cause?: unknown) =>
  new ApiError({ status: 502, message, type: 'upstream_error', code: 'upstream_error', cause });

export const gatewayTimeout = (message: string, cause?: unknown) =>
  new ApiError({ status: 504, message, type: 'timeout_error', code: 'upstream_timeout', cause });

export const serverError = (requestId: string) =>
  new ApiError({
    status: 500,
    message: `The server had an error while processing your request. Sorry about that! (request id ${requestId})`,
    type: 'server_error',
  });

/** Any thrown value as an ApiError: itself, or a 500 server_error with `message` (a stream's error frame). */
export const asApiError = (err: unknown, message: string): ApiError =>
  err instanceof ApiError ? err : new ApiError({ status: 500, type: 'server_error', message });
