import assert from 'node:assert/strict';
import OpenAI from 'openai';

/** What an OpenAI-shaped API error must hold; `param`, `code` and the message are checked only when given. */
export interface ExpectedApiError {
  /** HTTP status (400 when not given); a 400 must be a BadRequestError and a 404 a NotFoundError. */
  status?: number;
  param?: string | null;
  code?: string | null;
  /** The exact message. */
  message?: string;
  /** A part of the message. */
  messageIncludes?: string;
}

/** Asserts that `p` rejects with an OpenAI-shaped `invalid_request_error`: class, status, param, code, message. */
export async function rejectsWith(p: Promise<unknown>, want: ExpectedApiError): Promise<void> {
  const status = want.status ?? 400;
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof OpenAI.APIError, `expected an APIError, got ${String(err)}`);
    assert.equal(err.status, status, err.message);
    if (status === 404) assert.ok(err instanceof OpenAI.NotFoundError);
    if (status === 400) assert.ok(err instanceof OpenAI.BadRequestError);
    assert.equal(err.type, 'invalid_request_error');
    if (want.param !== undefined) assert.equal(err.param, want.param, err.message);
    if (want.code !== undefined) assert.equal(err.code, want.code, err.message);
    if (want.message !== undefined) assert.equal((err.error as { message: string }).message, want.message);
    if (want.messageIncludes !== undefined) assert.ok(err.message.includes(want.messageIncludes), err.message);
    return true;
  });
}
