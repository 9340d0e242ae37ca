import type { FastifyError, FastifyInstance } from 'fastify';
import { ZodError } from 'zod';
import { NoResultError } from 'kysely';
import { ApiError, invalidRequest, invalidUrl, payloadTooLarge, serverError, toErrorBody } from '../errors.js';
import { ProviderError } from '../providers/openai-compatible/errors.js';

const JSON_HINT =
  "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. " +
  'The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)';

/** `messages.0.role` → `messages[0].role`, as OpenAI writes params. */
export function zodPath(path: ReadonlyArray<PropertyKey>): string | null {
  if (path.length === 0) return null;
  return path.reduce<string>(
    (acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)),
    '',
  );
}

/** Every error becomes `{"error":{message,type,param,code}}`; nothing else ever reaches a client. */
export function toApiError(err: unknown, requestId: string, bodyLimit: number): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof ZodError) {
    const issue = err.issues[0];
    const param = issue ? zodPath(issue.path) : null;
    return invalidRequest(issue ? `Invalid '${param ?? 'body'}': ${issue.message}` : 'Invalid request.', param);
  }
  if (err instanceof NoResultError) return new ApiError({ status: 404, type: 'invalid_request_error', message: err.message });
  if (err instanceof ProviderError) {
    return new ApiError({
      status: err.statusCode === 429 ? 429 : 502,
      type: 'upstream_error',
      code: 'upstream_error',
      message: err.message,
    });
  }
  const fe = err as Partial<FastifyError>;
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return payloadTooLarge(bodyLimit);
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return invalidRequest(JSON_HINT);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return invalidRequest("Unsupported Content-Type. Send JSON with 'Content-Type: application/json'.");
    default:
  }
  if (err instanceof SyntaxError && fe.statusCode === 400) return invalidRequest(JSON_HINT);
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500)
    return new ApiError({ status: fe.statusCode, type: 'invalid_request_error', message: fe.message ?? 'Bad request' });
  return serverError(requestId);
}

export function errorHandlers(app: FastifyInstance, bodyLimit: number): void {
  app.setErrorHandler((err, req, reply) => {
    // The client went away mid-request (its upstream call was aborted): nobody to answer, no server fault.
    if (reply.raw.destroyed) {
      req.log.info({ reason: (err as Error).message }, 'client disconnected');
      return;
    }
    const apiError = toApiError(err, req.id, bodyLimit);
    if (apiError.status >= 500) req.log.error({ err }, 'request failed');
    else req.log.info({ status: apiError.status, code: apiError.code, message: apiError.message }, 'request rejected');
    if (reply.sent || reply.raw.headersSent) {
      reply.raw.destroy();
      return;
    }
    return reply.code(apiError.status).type('application/json').send(toErrorBody(apiError));
  });
  app.setNotFoundHandler((req, reply) => {
    const e = invalidUrl(req.method, req.url.split('?')[0] ?? req.url);
    return reply.code(404).send(toErrorBody(e));
  });
}
