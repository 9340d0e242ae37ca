import { maxHeaderSize, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ZodError } from 'zod';
import { NoResultError } from 'kysely';
import { ApiError, invalidRequest, invalidUrl, payloadTooLarge, serverError, toErrorBody, type ErrorBody } from '../errors.js';
import { failureOf } from '../failures.js';
import { zodPath } from './schemas/zod-to-api-error.js';

const JSON_HINT =
  "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. " +
  'The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)';

export { zodPath };

/** Every error becomes `{"error":{message,type,param,code}}`; nothing else ever reaches a client. */
export function toApiError(err: unknown, requestId: string, bodyLimit: number): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof ZodError) {
    const issue = err.issues[0];
    const param = issue ? zodPath(issue.path) : null;
    return invalidRequest(issue ? `Invalid '${param ?? 'body'}': ${issue.message}` : 'Invalid request.', param);
  }
  if (err instanceof NoResultError) return new ApiError({ status: 404, type: 'invalid_request_error', message: err.message });
  const failure = failureOf(err);
  if (failure) return failure.http;
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

/** Error messages and params can quote what a client sent: they are cut to this many characters. */
export const MAX_MESSAGE_CHARS = 1000;
/** A URL quoted in an error is cut to this many characters. */
const MAX_URL_CHARS = 100;

export const clip = (text: string, max: number): string => (text.length <= max ? text : `${text.slice(0, max)}…`);

/** The body sent for an error, with nothing in it longer than a client should get back. */
export function boundedBody(e: ApiError): ErrorBody {
  const body = toErrorBody(e);
  body.error.message = clip(body.error.message, MAX_MESSAGE_CHARS);
  if (body.error.param !== null) body.error.param = clip(body.error.param, MAX_URL_CHARS);
  return body;
}

const pathOf = (url: string | undefined) => clip((url ?? '/').split('?')[0] ?? '/', MAX_URL_CHARS);

/**
 * Fastify's router errors (a path that is not valid percent-encoding, a path parameter over 100 characters), which
 * it would otherwise answer itself, quoting the whole URL.
 */
export function frameworkErrors(err: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  const url = `${req.method} ${pathOf(req.raw.url)}`;
  const e =
    err.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? new ApiError({
          status: 404,
          type: 'invalid_request_error',
          message: `Invalid URL (${url}): a path parameter is longer than 100 characters, so nothing can be found there.`,
        })
      : invalidRequest(`Invalid URL (${url}): the path is not valid percent-encoding.`, null, 'invalid_url');
  req.log.info({ status: e.status, code: err.code }, 'request rejected');
  void reply.code(e.status).header('x-request-id', req.id).type('application/json').send(boundedBody(e));
}

/** What Node's HTTP parser refuses, before Fastify sees a request: [status, error]. */
function clientErrorResponse(err: NodeJS.ErrnoException): ApiError {
  if (err.code === 'HPE_HEADER_OVERFLOW')
    return new ApiError({
      status: 431,
      type: 'invalid_request_error',
      code: 'request_header_fields_too_large',
      message: `Request header fields too large: all headers together may hold at most ${maxHeaderSize} bytes.`,
    });
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return new ApiError({
      status: 408,
      type: 'invalid_request_error',
      code: 'request_timeout',
      message: 'The request was not received in time.',
    });
  return invalidRequest(`The HTTP request is malformed and could not be read (${err.code ?? 'parse error'}).`, null, 'malformed_request');
}

/**
 * Node's 'clientError' (bad chunking, oversized headers, a request that stops arriving…): answered in OpenAI's
 * shape, then the connection is closed, as Node's and Fastify's own handlers do. Nothing is written when a response
 * is already under way on the socket: that would corrupt it.
 */
export function clientErrorHandler(this: FastifyInstance, err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && !inFlight?.headersSent) {
    const e = clientErrorResponse(err);
    const body = JSON.stringify(boundedBody(e));
    this.log.info({ status: e.status, code: err.code }, 'request rejected');
    socket.write(
      `HTTP/1.1 ${e.status} ${STATUS_CODES[e.status]}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}

export function errorHandlers(app: FastifyInstance, bodyLimit: number): void {
  app.setErrorHandler((err, req, reply) => {
    // The client went away mid-request (its upstream call was aborted): nobody to answer, no server fault, and its
    // `request completed` line (499) was written when its connection closed (middleware/request-completed.ts).
    if (reply.raw.destroyed) return;
    const apiError = toApiError(err, req.id, bodyLimit);
    if (apiError.status >= 500) req.log.error({ err }, 'request failed');
    else req.log.info({ status: apiError.status, code: apiError.code, message: clip(apiError.message, MAX_MESSAGE_CHARS) }, 'request rejected');
    if (reply.sent || reply.raw.headersSent) {
      reply.raw.destroy();
      return;
    }
    return reply.code(apiError.status).type('application/json').send(boundedBody(apiError));
  });
  app.setNotFoundHandler((req, reply) => {
    const e = invalidUrl(req.method, pathOf(req.url));
    return reply.code(404).send(boundedBody(e));
  });
}
