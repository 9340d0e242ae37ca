import type { ProviderConfig } from '../../config.js';
import { createOpenAICompatible, type OpenAICompatibleClient } from '../openai-compatible/client.js';
import { ANTHROPIC_VERSION } from './chat-model.js';

/**
 * The HTTP client of an Anthropic provider: the same pooled client (timeouts, connect retries) as
 * OpenAI-compatible upstreams, with Anthropic's headers instead of a bearer token. Configured
 * headers come after the version, so `anthropic-version` and `anthropic-beta` can be set.
 */
export function createAnthropicClient(config: ProviderConfig): OpenAICompatibleClient {
  return createOpenAICompatible({
    ...config,
    api_key: undefined,
    headers: {
      'anthropic-version': ANTHROPIC_VERSION,
      ...config.headers,
      ...(config.api_key ? { 'x-api-key': config.api_key } : {}),
    },
  });
}
