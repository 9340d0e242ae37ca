import { z } from 'zod';
import { ConfigError } from './config-error.js';
import type { EnvVars } from './env.js';

/** Base URLs of provider types that have one; the others must give `base_url`. */
const DEFAULT_BASE_URLS: Partial<Record<ProviderType, string>> = { anthropic: 'https://api.anthropic.com' };

/**
 * `openai-compatible` (the default; also spelled `openai`): any OpenAI-compatible server, relayed as is;
 * `anthropic`: Anthropic's Messages API. In-process models have their own section, `local_models`.
 */
const providerTypeSchema = z.enum(['openai', 'openai-compatible', 'anthropic'], {
  error: (issue) =>
    issue.input === 'local'
      ? 'local models are declared under `local_models:`, not `providers:`'
      : "expected 'openai' (any OpenAI-compatible server), 'openai-compatible' or 'anthropic'",
});
export type ProviderType = z.infer<typeof providerTypeSchema>;

const providerSchema = z
  .object({
    type: providerTypeSchema.default('openai-compatible'),
    /** Required but for types with a default (anthropic: https://api.anthropic.com). */
    base_url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional(),
    api_key: z.string().optional(),
    headers: z.record(z.string(), z.string()).default({}),
    /** Time to the response headers (a stream's start; a non-streamed answer's end: raise it for slow reasoning models). */
    timeout_ms: z.number().int().positive().default(120_000),
    /** Longest silence between two body chunks. */
    idle_timeout_ms: z.number().int().positive().default(60_000),
    connect_timeout_ms: z.number().int().positive().default(10_000),
    max_retries: z.number().int().min(0).max(10).default(2),
    connections: z.number().int().positive().default(128),
    /** Models to advertise even if the upstream's /models does not list them. */
    models: z.array(z.string()).default([]),
  })
  .strict()
  .transform((p, ctx) => {
    const base_url = p.base_url ?? DEFAULT_BASE_URLS[p.type];
    if (base_url === undefined) {
      ctx.addIssue({ code: 'custom', path: ['base_url'], message: `required for a provider of type '${p.type}'` });
      return z.NEVER;
    }
    return { ...p, base_url };
  });

const modelRouteSchema = z
  .object({
    provider: z.string(),
    /** The model name sent upstream; defaults to the route's own name. */
    model: z.string().optional(),
  })
  .strict();

/** YAML: the upstream providers and the model names routed to them. */
export const providersSection = z.object({
  default_provider: z.string().optional(),
  providers: z.record(z.string().regex(/^[A-Za-z0-9_.-]+$/), providerSchema).default({}),
  models: z.record(z.string(), modelRouteSchema).default({}),
  /** Other names for models; local models' own `aliases` join them. */
  aliases: z.record(z.string(), z.string()).default({}),
});

export type ProviderConfig = z.infer<typeof providerSchema> & { name: string };

export interface ProvidersConfig {
  providers: ProviderConfig[];
  defaultProvider: string | null;
  models: Record<string, { provider: string; model?: string }>;
}

/**
 * The YAML providers, plus SWITCHBOARD_UPSTREAM_URL as the provider `default` (it replaces a YAML one
 * of that name). The default provider is the one named so, `default`, or the only one.
 */
export function providersConfig(opts: { file: z.infer<typeof providersSection>; vars: EnvVars }): ProvidersConfig {
  const { file, vars } = opts;
  const providers: ProviderConfig[] = Object.entries(file.providers).map(([name, p]) => ({ ...p, name }));
  if (vars.SWITCHBOARD_UPSTREAM_URL) {
    const existing = providers.findIndex((p) => p.name === 'default');
    const p = providerSchema.parse({ base_url: vars.SWITCHBOARD_UPSTREAM_URL, api_key: vars.SWITCHBOARD_UPSTREAM_API_KEY });
    if (existing >= 0) providers.splice(existing, 1);
    providers.push({ ...p, name: 'default' });
  }
  const names = new Set(providers.map((p) => p.name));
  const defaultProvider =
    file.default_provider ?? (names.has('default') ? 'default' : providers.length === 1 ? providers[0]!.name : null);
  if (defaultProvider && !names.has(defaultProvider))
    throw new ConfigError(`default_provider: no provider named '${defaultProvider}'`);
  for (const [model, route] of Object.entries(file.models))
    if (!names.has(route.provider))
      throw new ConfigError(`models.${model}.provider: no provider named '${route.provider}'`);
  return { providers, defaultProvider, models: file.models };
}
