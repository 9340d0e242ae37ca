import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { errorCodes } from 'fastify';
import { NoResultError } from 'kysely';
import { z } from 'zod';
import { ApiError, toErrorBody } from '../errors.js';
import { ProviderError } from '../providers/provider-error.js';
import { boundedBody, MAX_MESSAGE_CHARS, toApiError, zodPath } from './error-handler.js';

const REQ = 'req_test123';
const LIMIT = 1_048_576;

const JSON_HINT =
  "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. " +
  'The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)';

function zodErrorFor(value: unknown): z.ZodError {
  const schema = z.object({ model: z.string(), messages: z.array(z.object({ role: z.enum(['user', 'assistant']) })) });
  const r = schema.safeParse(value);
  assert.equal(r.success, false);
  return r.error!;
}

describe('zodPath', () => {
  it('should write array indexes in brackets', () => {
    assert.equal(zodPath(['messages', 0, 'role']), 'messages[0].role');
  });

  it('should join object keys with dots', () => {
    assert.equal(zodPath(['response_format', 'json_schema', 'name']), 'response_format.json_schema.name');
  });

  it('should handle consecutive indexes', () => {
    assert.equal(zodPath(['messages', 1, 'content', 2, 'text']), 'messages[1].content[2].text');
  });

  it('should start with a bracket when the path starts with an index', () => {
    assert.equal(zodPath([0, 'a']), '[0].a');
  });

  it('should return null for an empty path', () => {
    assert.equal(zodPath([]), null);
  });
});

describe('toApiError', () => {
  it('should pass an ApiError through as the same object', () => {
    const e = new ApiError({ status: 409, message: 'busy', type: 'invalid_request_error', code: 'conflict' });
    assert.equal(toApiError(e, REQ, LIMIT), e);
  });

  it('should map a ZodError to 400 with the bracketed param of its first issue', () => {
    const e = toApiError(zodErrorFor({ model: 'm', messages: [{ role: 'wizard' }] }), REQ, LIMIT);
    assert.equal(e.status, 400);
    assert.equal(e.type, 'invalid_request_error');
    assert.equal(e.param, 'messages[0].role');
    assert.match(e.message, /^Invalid 'messages\[0\]\.role': /);
  });

  it('should map a root-level ZodError to param null and name the body', () => {
    const e = toApiError(zodErrorFor('not an object'), REQ, LIMIT);
    assert.equal(e.status, 400);
    assert.equal(e.param, null);
    assert.match(e.message, /^Invalid 'body': /);
  });

  it('should map FST_ERR_CTP_BODY_TOO_LARGE to 413 naming the limit', () => {
    const e = toApiError(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE(), REQ, LIMIT);
    assert.equal(e.status, 413);
    assert.equal(e.code, 'request_too_large');
    assert.equal(e.message, `Request body too large: the limit is ${LIMIT} bytes.`);
  });

  it('should map FST_ERR_CTP_INVALID_JSON_BODY to 400 with the JSON hint', () => {
    const e = toApiError(new errorCodes.FST_ERR_CTP_INVALID_JSON_BODY(), REQ, LIMIT);
    assert.equal(e.status, 400);
    assert.equal(e.type, 'invalid_request_error');
    assert.equal(e.message, JSON_HINT);
  });

  it('should map FST_ERR_CTP_EMPTY_JSON_BODY to 400', () => {
    const e = toApiError(new errorCodes.FST_ERR_CTP_EMPTY_JSON_BODY(), REQ, LIMIT);
    assert.equal(e.status, 400);
    assert.equal(e.type, 'invalid_request_error');
    assert.equal(e.message, JSON_HINT);
  });

  it('should map FST_ERR_CTP_INVALID_MEDIA_TYPE to 400 asking for JSON', () => {
    // Fastify raises it without arguments: message 'Unsupported Media Type'.
    const e = toApiError(new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE(), REQ, LIMIT);
    assert.equal(e.status, 400);
    assert.match(e.message, /Send JSON with 'Content-Type: application\/json'\.$/);
  });

  it(
    'should not present Fastify\'s message as the content type',
    () => {
      const e = toApiError(new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE(), REQ, LIMIT);
      assert.equal(e.message.includes("'Unsupported Media Type'"), false);
    },
  );

  it('should map a 400 SyntaxError to the JSON hint', () => {
    const err = Object.assign(new SyntaxError('Unexpected token } in JSON'), { statusCode: 400 });
    const e = toApiError(err, REQ, LIMIT);
    assert.equal(e.status, 400);
    assert.equal(e.message, JSON_HINT);
  });

  it('should keep the status and message of another 4xx error', () => {
    const err = Object.assign(new Error('querystring/limit must be <= 100'), { statusCode: 400, code: 'FST_ERR_VALIDATION' });
    const e = toApiError(err, REQ, LIMIT);
    assert.equal(e.status, 400);
    assert.equal(e.message, 'querystring/limit must be <= 100');
  });

  it('should map a kysely NoResultError to 404', () => {
    const e = toApiError(new NoResultError({} as never), REQ, LIMIT);
    assert.equal(e.status, 404);
    assert.equal(e.type, 'invalid_request_error');
  });

  it('should map an upstream 429 ProviderError to 429', () => {
    const err = new ProviderError({ provider: 'p', kind: 'response', statusCode: 429, message: 'slow down' });
    const e = toApiError(err, REQ, LIMIT);
    assert.equal(e.status, 429);
    assert.equal(e.type, 'upstream_error');
    assert.equal(e.message, 'slow down');
  });

  it('should map an upstream 500 ProviderError to 502', () => {
    const err = new ProviderError({ provider: 'p', kind: 'response', statusCode: 500, message: 'upstream broke' });
    const e = toApiError(err, REQ, LIMIT);
    assert.equal(e.status, 502);
    assert.equal(e.code, 'upstream_error');
  });

  it('should map a connect ProviderError to 502', () => {
    const err = new ProviderError({ provider: 'p', kind: 'connect', message: "Could not reach the upstream 'p'" });
    assert.equal(toApiError(err, REQ, LIMIT).status, 502);
  });

  it('should map a timeout ProviderError to 504, as the relay does', () => {
    const err = new ProviderError({ provider: 'p', kind: 'timeout', message: "The upstream 'p' did not answer in time" });
    const e = toApiError(err, REQ, LIMIT);
    assert.equal(e.status, 504);
    assert.equal(e.code, 'upstream_timeout');
  });

  it("should pass an upstream 400 ProviderError's OpenAI error through, as the relay does", () => {
    const body = { error: { message: 'too long', type: 'invalid_request_error', param: 'messages', code: 'context_length_exceeded' } };
    const err = new ProviderError({ provider: 'p', kind: 'response', statusCode: 400, responseBody: JSON.stringify(body), message: 'x' });
    const e = toApiError(err, REQ, LIMIT);
    assert.deepEqual([e.status, e.toBody()], [400, body]);
  });

  it('should map an unknown Error to 500 server_error naming the request id', () => {
    const e = toApiError(new Error('boom'), REQ, LIMIT);
    assert.equal(e.status, 500);
    assert.equal(e.type, 'server_error');
    assert.equal(e.message, `The server had an error while processing your request. Sorry about that! (request id ${REQ})`);
  });

  it("should not leak an unknown Error's message or stack", () => {
    const err = new Error('password=hunter2 at db.internal');
    const body = JSON.stringify(toErrorBody(toApiError(err, REQ, LIMIT)));
    assert.equal(body.includes('hunter2'), false);
    assert.equal(body.includes('db.internal'), false);
    assert.equal(body.includes(err.stack!.split('\n')[1]!.trim()), false);
  });

  it('should map a thrown non-Error value to 500', () => {
    const e = toApiError('a string', REQ, LIMIT);
    assert.equal(e.status, 500);
    assert.equal(e.type, 'server_error');
  });

  it('should map an error with a 5xx statusCode to 500 without its message', () => {
    const err = Object.assign(new Error('internal detail'), { statusCode: 503 });
    const e = toApiError(err, REQ, LIMIT);
    assert.equal(e.status, 500);
    assert.equal(e.message.includes('internal detail'), false);
  });
});

describe('boundedBody', () => {
  it('should cut a message that quotes a long client value', () => {
    const e = new ApiError({ status: 400, type: 'invalid_request_error', message: `Invalid value: '${'x'.repeat(100_000)}'.` });
    const body = boundedBody(e);
    assert.equal(body.error.message.length, MAX_MESSAGE_CHARS + 1);
    assert.ok(body.error.message.endsWith('…'));
  });

  it('should leave a short message and its nulls as they are', () => {
    const e = new ApiError({ status: 404, type: 'invalid_request_error', message: 'No assistant found.' });
    assert.deepEqual(boundedBody(e), toErrorBody(e));
  });
});
