/** A failure talking to an upstream, as the HTTP layer needs to map it (cf. vai APICallError). */
export class ProviderError extends Error {
  override name = 'ProviderError';
  readonly provider: string;
  /** The upstream's HTTP status, or undefined when no response arrived. */
  readonly statusCode: number | undefined;
  /** The upstream's body text when it answered with an error. */
  readonly responseBody: string | undefined;
  /** 'connect' | 'timeout' | 'response' | 'stream' */
  readonly kind: 'connect' | 'timeout' | 'response' | 'stream';

  constructor(opts: {
    provider: string;
    message: string;
    kind: ProviderError['kind'];
    statusCode?: number;
    responseBody?: string;
    cause?: unknown;
  }) {
    super(opts.message, { cause: opts.cause });
    this.provider = opts.provider;
    this.kind = opts.kind;
    this.statusCode = opts.statusCode;
    this.responseBody = opts.responseBody;
  }

  get isRetryable(): boolean {
    const s = this.statusCode;
    return this.kind === 'connect' || s === 408 || s === 409 || s === 429 || (s !== undefined && s >= 500);
  }
}

const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_CLOSED',
]);

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

export function errorCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let i = 0; i < 3 && e && typeof e === 'object'; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

export const isConnectError = (err: unknown) => CONNECT_CODES.has(errorCode(err) ?? '');
export const isTimeoutError = (err: unknown) => TIMEOUT_CODES.has(errorCode(err) ?? '');
