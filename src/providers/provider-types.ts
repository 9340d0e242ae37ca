import type { ProviderConfig, ProviderType } from '../config.js';
import type { ChatModel } from './chat-model.js';
import { createAnthropicClient } from './anthropic/provider.js';
import { createAnthropicChatModel } from './anthropic/chat-model.js';
import { createOpenAICompatible, type OpenAICompatibleClient } from './openai-compatible/client.js';
import { createOpenAICompatibleChatModel } from './openai-compatible/chat-model.js';

/** A configured provider, whatever its type: how the registry serves its models. */
export interface Provider {
  readonly name: string;
  readonly client: OpenAICompatibleClient;
  /** True when `/v1/chat/completions` may relay the client's bytes to it (OpenAI-compatible upstreams). */
  readonly relay: boolean;
  /** Path below the base URL that lists the provider's models (`{data:[{id}]}`). */
  readonly modelsPath: string;
  chatModel(modelId: string): ChatModel;
}

function openAICompatible(config: ProviderConfig): Provider {
  const client = createOpenAICompatible(config);
  return { name: config.name, client, relay: true, modelsPath: '/models', chatModel: (modelId) => createOpenAICompatibleChatModel({ client, modelId }) };
}

function anthropic(config: ProviderConfig): Provider {
  const client = createAnthropicClient(config);
  return { name: config.name, client, relay: false, modelsPath: '/v1/models', chatModel: (modelId) => createAnthropicChatModel({ client, modelId }) };
}

/** The one table of provider types: a new type is a folder under providers/ and one line here. */
const PROVIDER_TYPES: Record<ProviderType, (config: ProviderConfig) => Provider> = {
  openai: openAICompatible,
  'openai-compatible': openAICompatible,
  anthropic,
};

export const createProvider = (config: ProviderConfig): Provider => PROVIDER_TYPES[config.type](config);
