import type { Config } from '../config.js';
import { loadCounter } from '../metering/count-tokens.js';
import type { ModelTool } from '../providers/chat-model.js';
import type { OpenAICompatibleClient } from '../providers/openai-compatible/client.js';
import type { ProviderRegistry } from '../providers/registry.js';

/** A model whose window nothing tells: as large as OpenAI's current models, so nothing that fit before is cut. */
export const DEFAULT_CONTEXT_WINDOW = 128_000;
/** A local model's context when its YAML sets none (what the local provider allocates). */
const LOCAL_DEFAULT_CONTEXT = 4096;
/** The reply's room when the run sets no max_completion_tokens. */
const DEFAULT_REPLY_TOKENS = 4096;
const METADATA_TTL_MS = 10 * 60_000;

/** Fields upstreams put a model's context length in: vLLM, then LM Studio / OpenRouter and others. */
const WINDOW_FIELDS = ['max_model_len', 'context_length', 'context_window', 'max_context_length'] as const;

/** model id → context window from one upstream's GET /models (empty when it tells none or fails). */
async function upstreamWindows(client: OpenAICompatibleClient): Promise<Map<string, number>> {
  const windows = new Map<string, number>();
  try {
    const res = await client.request({ path: '/models', method: 'GET', signal: AbortSignal.timeout(5000) });
    const body = (await res.body.json()) as { data?: Array<Record<string, unknown>> };
    if (res.statusCode !== 200 || !Array.isArray(body?.data)) return windows;
    for (const m of body.data) {
      const size = WINDOW_FIELDS.map((f) => m?.[f]).find((v): v is number => typeof v === 'number' && v > 0);
      if (typeof m?.id === 'string' && size) windows.set(m.id, size);
    }
  } catch {
    // No metadata: the YAML or the default decides.
  }
  return windows;
}

/** The most tokens a run's prompt may take, given what it would take whole (`promptTokens`). */
export type PromptFitter = (q: { model: string; maxTokens: number | null; tools?: ModelTool[]; promptTokens: number }) => Promise<number>;

/** Tool definitions' tokens by their JSON: a client sends the same tools with every request (counted once, not each time). */
const toolTokenCache = new Map<string, number>();
const TOOL_CACHE_MAX = 256;

async function toolsTokens(json: string): Promise<number> {
  let n = toolTokenCache.get(json);
  if (n === undefined) {
    n = (await loadCounter())(json);
    if (toolTokenCache.size >= TOOL_CACHE_MAX) toolTokenCache.delete(toolTokenCache.keys().next().value ?? '');
    toolTokenCache.set(json, n);
  }
  return n;
}

/** A prompt this small (reply and tools included) fits any model: no need to ask the upstream. */
const FITS_ANY_MODEL = 4096;

/**
 * The token budget of a run's prompt: the model's context window (YAML `context_windows`, a local
 * model's context_size, the upstream's /models metadata such as vLLM's max_model_len, or
 * DEFAULT_CONTEXT_WINDOW) less the reply's room and the tool definitions.
 */
export function createPromptFitter(deps: {
  config: Pick<Config, 'contextWindows'>;
  providers: Pick<ProviderRegistry, 'route'>;
  now?: () => number;
}): PromptFitter {
  const now = deps.now ?? Date.now;
  const metadata = new Map<OpenAICompatibleClient, { at: number; windows: Promise<Map<string, number>> }>();
  const configured = (name: string) => (Object.hasOwn(deps.config.contextWindows, name) ? deps.config.contextWindows[name] : undefined);

  async function fromUpstream(client: OpenAICompatibleClient, model: string): Promise<number | undefined> {
    let cached = metadata.get(client);
    if (!cached || now() - cached.at > METADATA_TTL_MS) {
      cached = { at: now(), windows: upstreamWindows(client) };
      metadata.set(client, cached);
    }
    return (await cached.windows).get(model);
  }

  /** The window the YAML or a local model's settings give, without asking the upstream. */
  function knownWindow(model: string): { window?: number; upstream?: { client: OpenAICompatibleClient; model: string } } {
    const own = configured(model);
    if (own) return { window: own };
    let route;
    try {
      route = deps.providers.route(model);
    } catch {
      return { window: DEFAULT_CONTEXT_WINDOW }; // the model call itself reports the unknown model
    }
    const upstreamName = configured(route.upstreamModel);
    if (upstreamName) return { window: upstreamName };
    if (route.kind === 'local') return { window: route.host.config.contextSize ?? LOCAL_DEFAULT_CONTEXT };
    if (route.kind === 'model') return { window: DEFAULT_CONTEXT_WINDOW };
    return { upstream: { client: route.provider, model: route.upstreamModel } };
  }

  return async ({ model, maxTokens, tools, promptTokens }) => {
    const toolTokens = tools?.length ? await toolsTokens(JSON.stringify(tools)) : 0;
    const known = knownWindow(model);
    let window = known.window;
    // The upstream's /models is asked only for a prompt that might not fit (and then cached).
    if (window === undefined && known.upstream && promptTokens + toolTokens + (maxTokens ?? 1024) > FITS_ANY_MODEL)
      window = await fromUpstream(known.upstream.client, known.upstream.model);
    window ??= DEFAULT_CONTEXT_WINDOW;
    const reply = maxTokens ?? Math.min(DEFAULT_REPLY_TOKENS, Math.floor(window / 4));
    return Math.max(0, window - reply - toolTokens);
  };
}
