import { ApiError } from '../errors.js';

/**
 * A 429 in OpenAI's shape with the headers to send: `type` `requests` or `tokens` with code `rate_limit_exceeded`,
 * or type and code `insufficient_quota` for a spent budget.
 */
export class RateLimitError extends ApiError {
  readonly headers: Readonly<Record<string, string>>;

  constructor(opts: { kind: 'requests' | 'tokens' | 'insufficient_quota'; message: string; headers: Record<string, string> }) {
    const code = opts.kind === 'insufficient_quota' ? 'insufficient_quota' : 'rate_limit_exceeded';
    super({ status: 429, message: opts.message, type: opts.kind, code });
    this.headers = opts.headers;
  }
}
