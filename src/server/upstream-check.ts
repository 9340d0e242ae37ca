import type { ProviderConfig } from '../config.js';
import { errorCode } from '../providers/provider-error.js';

/** A path with a version segment: /v1, /v1beta/openai, /api/v2… */
const VERSIONED = /\/v\d+[a-z0-9]*(\/|$)/i;
/** How long the start-time probe waits for an upstream's answer. */
const PROBE_TIMEOUT_MS = 3000;

interface CheckLog {
  warn(obj: object, msg: string): void;
}

/** One line when an OpenAI-compatible base URL has no version segment (`http://host:8000` for `…/v1`). */
export function unversionedUrlLine(p: Pick<ProviderConfig, 'name' | 'type' | 'base_url'>): string | null {
  if (p.type === 'anthropic' || VERSIONED.test(new URL(p.base_url).pathname)) return null;
  const fixed = `${p.base_url.replace(/\/+$/, '')}/v1`;
  return `upstream '${p.name}': base_url ${p.base_url} does not end in /v1, where OpenAI-compatible servers answer (${fixed}/chat/completions); set it to ${fixed}`;
}

/** One line when nothing answers at the upstream's address; null when anything answers (even an error status). */
export async function unreachableLine(p: ProviderConfig, timeoutMs = PROBE_TIMEOUT_MS): Promise<string | null> {
  const headers: Record<string, string> = { ...p.headers, ...(p.api_key ? { authorization: `Bearer ${p.api_key}` } : {}) };
  try {
    const res = await fetch(`${p.base_url.replace(/\/+$/, '')}/models`, { headers, signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    return null;
  } catch (err) {
    const why = errorCode(err) ?? (err instanceof Error && err.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : String(err));
    return `upstream '${p.name}' at ${p.base_url} is unreachable (${why}); the server runs, and model calls routed to it answer 502 until it is up`;
  }
}

/** At start, in the background: each problem with an upstream as one warning line (no stack). */
export async function checkUpstreams(providers: ProviderConfig[], log: CheckLog): Promise<void> {
  await Promise.all(
    providers.map(async (p) => {
      const url = unversionedUrlLine(p);
      if (url) log.warn({ provider: p.name }, url);
      const down = await unreachableLine(p);
      if (down) log.warn({ provider: p.name }, down);
    }),
  );
}
