import type { Model } from 'openai/resources/models';
import type { Config } from '../config.js';
import type { ChatModel } from './chat-model.js';
import type { LocalModelHost } from './local/local-model-host.js';
import type { OpenAICompatibleClient } from './openai-compatible/client.js';

/** Where a model name goes: the provider, and the name the provider knows it by. */
export interface ResolvedModel {
  /** The name the client used, after aliases. Usage and prices are keyed by it. */
  model: string;
  upstreamModel: string;
  provider: OpenAICompatibleClient;
}

/**
 * Where a model name goes, whatever serves it: `upstream` is an OpenAI-compatible upstream that
 * Chat Completions relays bytes to; every other route is served through its ChatModel.
 */
export type Route =
  | ({ kind: 'upstream' } & ResolvedModel)
  | { kind: 'local'; model: string; upstreamModel: string; chatModel: ChatModel; host: LocalModelHost }
  | { kind: 'model'; model: string; upstreamModel: string; chatModel: ChatModel };

export interface ProviderRegistry {
  /** The upstream a model name goes to; 404 model_not_found, or 400 for a local model (it has no upstream). */
  resolve(model: string): ResolvedModel;
  /** The name an alias chain ends at, in the configuration in force (reload() changes it). */
  aliasOf(model: string): string;
  /** Where a model name goes: an upstream or an in-process local model. */
  route(model: string): Route;
  /** The model as a ChatModel (one instance per provider and model). */
  chatModel(model: string): ChatModel;
  listModels(): Promise<Model[]>;
  /** Routes, aliases and providers from a new configuration; calls already routed keep theirs. */
  reload(config: Config): void;
  /** Checks the local models (logs what is missing) and loads those configured `load: eager`. */
  start(): Promise<void>;
  close(): Promise<void>;
}
