/**
 * OTel's `error.type` for a failed model call: the upstream's HTTP status when it answered, else the
 * failure's kind (ProviderError's connect / timeout / stream), else the error's class name.
 */
export function errorTypeOf(err: unknown): string {
  if (typeof err !== 'object' || err === null) return '_OTHER';
  const e = err as { statusCode?: unknown; kind?: unknown; name?: unknown };
  if (typeof e.statusCode === 'number') return String(e.statusCode);
  if (typeof e.kind === 'string') return e.kind;
  if ((err as Error).name === 'AbortError') return 'cancelled';
  return typeof e.name === 'string' ? e.name : '_OTHER';
}
