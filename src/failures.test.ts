import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, invalidRequest } from './errors.js';
import { failureOf, lastErrorOf, RUN_FAILED, stepLastErrorOf } from './failures.js';
import { modelUnavailable } from './providers/local/local-model-host.js';
import { runtimeMissing } from './providers/local/runtime.js';
import { ProviderError } from './providers/provider-error.js';
import { ToolUnavailableError } from './tools/tool.js';

const upstream = (statusCode: number | undefined, kind: ProviderError['kind'] = 'response', responseBody?: string) =>
  new ProviderError({ provider: 'p', kind, statusCode, responseBody, message: `upstream said ${statusCode}` });

/** [HTTP status, HTTP code, last_error code] of a failure. */
const seen = (err: unknown) => {
  const f = failureOf(err)!;
  return [f.http.status, f.http.code, f.lastError.code];
};

describe('failureOf', () => {
  it('should blame the server, never the prompt, for 5xx, timeouts, connection and stream failures', () => {
    assert.deepEqual(seen(upstream(500)), [502, 'upstream_error', 'server_error']);
    assert.deepEqual(seen(upstream(503)), [502, 'upstream_error', 'server_error']);
    assert.deepEqual(seen(upstream(undefined, 'connect')), [502, 'upstream_error', 'server_error']);
    assert.deepEqual(seen(upstream(undefined, 'stream')), [502, 'upstream_error', 'server_error']);
    assert.deepEqual(seen(upstream(undefined, 'timeout')), [504, 'upstream_timeout', 'server_error']);
    assert.deepEqual(seen(upstream(408)), [504, 'upstream_timeout', 'server_error']);
  });

  it("should answer an overloaded provider (Anthropic's 529) with 503 overloaded, which the SDK retries", () => {
    assert.deepEqual(seen(upstream(529)), [503, 'overloaded', 'server_error']);
  });

  it('should blame the server for a local model or runtime that cannot run, keeping its 503', () => {
    assert.deepEqual(seen(modelUnavailable('no file')), [503, 'local_model_unavailable', 'server_error']);
    assert.deepEqual(seen(runtimeMissing('/nowhere')), [503, 'local_runtime_missing', 'server_error']);
    assert.deepEqual(seen(new ToolUnavailableError('no sandbox')), [503, 'tool_unavailable', 'server_error']);
  });

  it('should say rate_limit_exceeded for a 429 from an upstream or from Switchboard', () => {
    assert.deepEqual(seen(upstream(429)), [429, 'rate_limit_exceeded', 'rate_limit_exceeded']);
    assert.deepEqual(seen(new ApiError({ status: 429, type: 'rate_limit_error', message: 'slow' })).at(2), 'rate_limit_exceeded');
  });

  it("should blame the prompt for a 4xx the request caused, passing the upstream's OpenAI error through", () => {
    const body = { error: { message: 'too long', type: 'invalid_request_error', param: 'messages', code: 'context_length_exceeded' } };
    const f = failureOf(upstream(400, 'response', JSON.stringify(body)))!;
    assert.deepEqual(f.http.toBody(), body);
    assert.equal(f.http.status, 400);
    assert.equal(f.lastError.code, 'invalid_prompt');
    assert.match(f.lastError.message, /context_length_exceeded/);
    assert.deepEqual(seen(upstream(422)), [422, null, 'invalid_prompt']);
    assert.deepEqual(seen(invalidRequest('bad')), [400, null, 'invalid_prompt']);
  });

  it("should blame the server when the upstream refuses Switchboard's own key", () => {
    assert.equal(failureOf(upstream(401))!.lastError.code, 'server_error');
    assert.equal(failureOf(upstream(403))!.lastError.code, 'server_error');
  });

  it('should leave other errors to the caller, and give a run a message that leaks nothing', () => {
    assert.equal(failureOf(new Error('secret')), undefined);
    assert.deepEqual(lastErrorOf(new Error('secret')), { code: 'server_error', message: RUN_FAILED });
    assert.deepEqual(lastErrorOf(new Error('secret'), 'The tool failed.'), { code: 'server_error', message: 'The tool failed.' });
  });

  it("should give a run step only the codes a step has (a tool's 4xx is the server's failure there)", () => {
    assert.deepEqual(stepLastErrorOf(invalidRequest('bad query'), 'The tool failed.'), { code: 'server_error', message: 'bad query' });
    assert.equal(stepLastErrorOf(upstream(429), 'The tool failed.').code, 'rate_limit_exceeded');
    assert.deepEqual(stepLastErrorOf(new Error('secret'), 'The tool failed.'), { code: 'server_error', message: 'The tool failed.' });
  });
});
