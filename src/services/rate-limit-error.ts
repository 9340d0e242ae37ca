import { ApiError } from '../errors.js';

/** A 429 in OpenAI's shape (`type` `requests` or `tokens`, code `rate_limit_exceeded`) with the headers to send. */
export class RateLimitError extends ApiError {
  readonly headers: Readonly<Record<string, string>>;

  constructor(opts: { kind: 'requests' | 'tokens'; message: string; headers: Record<string, string> }) {
    super({ status: 429, message: opts.message, type: opts.kind, code: 'rate_limit_exceeded' });
    this.headers = opts.headers;
  }
}
