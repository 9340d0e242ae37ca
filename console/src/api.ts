// The console's only way to the server: the official `openai` SDK pointed at this origin's /v1, with the key the
// user typed (kept in sessionStorage, never in a URL or a log), and a typed fetch for what the SDK lacks.
import OpenAI from 'openai';

const STORAGE_KEY = 'switchboard.apiKey';
/** Sent in open mode, where the server takes no key (the SDK insists on one). */
export const OPEN_MODE_KEY = 'open-mode';

let cached: { key: string; client: OpenAI } | undefined;

export function storedKey(): string | undefined {
  return sessionStorage.getItem(STORAGE_KEY) ?? undefined;
}

export function storeKey(key: string): void {
  sessionStorage.setItem(STORAGE_KEY, key);
}

export function forgetKey(): void {
  sessionStorage.removeItem(STORAGE_KEY);
  cached = undefined;
}

export const baseURL = (): string => `${location.origin}/v1`;

/** An SDK client for `key` (default: the signed-in one). No retries: the page shows errors as they are. */
export function client(key: string = storedKey() ?? OPEN_MODE_KEY): OpenAI {
  if (cached?.key !== key)
    cached = { key, client: new OpenAI({ apiKey: key, baseURL: baseURL(), dangerouslyAllowBrowser: true, maxRetries: 0 }) };
  return cached.client;
}

/** The server's error, as the page shows it. */
export class ConsoleApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string | null = null,
  ) {
    super(message);
  }
}

/** The message of an SDK or fetch error, as the server wrote it when it sent one. */
export function errorMessage(err: unknown): string {
  if (err instanceof OpenAI.APIError) {
    const body = err.error as { message?: unknown } | undefined;
    if (body && typeof body.message === 'string') return body.message;
  }
  return err instanceof Error ? err.message : String(err);
}

async function errorOf(res: Response): Promise<ConsoleApiError> {
  const body = (await res.json().catch(() => undefined)) as { error?: { message?: string; code?: string | null } } | undefined;
  return new ConsoleApiError(res.status, body?.error?.message ?? `${res.status} ${res.statusText}`, body?.error?.code ?? null);
}

/**
 * GET/POST a /v1 path the SDK has no method for (usage, costs): `path` starts after /v1, e.g.
 * '/organization/usage/completions?start_time=…'. Throws ConsoleApiError with the server's message.
 */
export async function apiFetch<T>(path: string, init: RequestInit = {}): Promise<T> {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${storedKey() ?? OPEN_MODE_KEY}`);
  const res = await fetch(`${baseURL()}${path}`, { ...init, headers });
  if (!res.ok) throw await errorOf(res);
  return (await res.json()) as T;
}

/**
 * True when the server takes calls without a key (open mode). Asked of /console/mode.json rather than by calling
 * /v1/models without a key, whose 401 the browser would log as an error on every visit.
 */
export async function isOpenMode(): Promise<boolean> {
  const res = await fetch('/console/mode.json');
  if (!res.ok) return false;
  return ((await res.json()) as { open_mode?: unknown }).open_mode === true;
}

/** Checks `key` with GET /v1/models; throws ConsoleApiError carrying the server's message when it is refused. */
export async function checkKey(key: string): Promise<void> {
  const res = await fetch(`${baseURL()}/models`, { headers: { authorization: `Bearer ${key}` } });
  if (!res.ok) throw await errorOf(res);
}
