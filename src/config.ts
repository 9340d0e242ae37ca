import { existsSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { isIP } from 'node:net';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { SandboxConfig } from './sandbox/session-pool.js';

/**
 * The one place that reads process.env. Environment variables and the optional YAML file
 * (SWITCHBOARD_CONFIG) are parsed with zod into a frozen Config; a bad field stops the start
 * with a message that names it.
 */

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

/** A GGUF model served in-process (YAML `local_models.<id>`). */
const localModelSchema = z
  .object({
    /** The GGUF file: a path, or a file name in `<data dir>/models` (where `switchboard pull` saves). */
    path: z.string().min(1),
    /** Tokens per parallel sequence; unset: up to 4096, as far as memory allows. */
    context_size: z.number().int().min(64).optional(),
    /** CPU threads for generation; unset or 0: every core. */
    threads: z.number().int().min(0).optional(),
    gpu_layers: z.union([z.number().int().min(0), z.enum(['auto', 'max'])]).default('auto'),
    /** Requests generated at once (context sequences); more wait in line. */
    parallel: z.number().int().min(1).max(64).default(1),
    aliases: z.union([z.string().min(1), z.array(z.string().min(1))]).default([]),
    /** `lazy`: load on the first request; `eager`: load at start. */
    load: z.enum(['lazy', 'eager']).default('lazy'),
    /** Unload after this long without requests (0: never). */
    idle_unload_ms: z.number().int().min(0).default(900_000),
  })
  .strict();

const priceSchema = z
  .object({
    input: z.number().nonnegative(),
    /** Unset for models that only take input (embeddings). */
    output: z.number().nonnegative().default(0),
    cached_input: z.number().nonnegative().optional(),
  })
  .strict();

/** USD per use of a built-in tool, as OpenAI prices the Assistants API's tools; unset: free. */
const toolPricesSchema = z
  .object({
    code_interpreter_session: z.number().nonnegative().default(0),
    file_search_call: z.number().nonnegative().default(0),
    /** Per GiB of vector store chunks kept for a day. */
    vector_store_gb_day: z.number().nonnegative().default(0),
  })
  .strict();

const keySchema = z.union([
  z.string().min(1),
  z.object({ key: z.string().min(8), tenant: z.string().min(1).optional(), name: z.string().optional() }).strict(),
]);

const fileSchema = z
  .object({
    host: z.string().optional(),
    port: z.number().int().min(0).max(65535).optional(),
    database_url: z.string().optional(),
    body_limit_mb: z.number().positive().optional(),
    /** A request body that stops arriving for this long is answered 408 and its connection closed. */
    body_timeout_ms: z.number().int().min(100).optional(),
    shutdown_grace_ms: z.number().int().nonnegative().optional(),
    log_level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
    default_provider: z.string().optional(),
    providers: z.record(z.string().regex(/^[A-Za-z0-9_.-]+$/), providerSchema).default({}),
    models: z.record(z.string(), modelRouteSchema).default({}),
    /** Where the optional local-inference part is installed (default: local-inference/ in this repository). */
    local_inference_dir: z.string().min(1).optional(),
    local_models: z.record(z.string().regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits, _ . : - only'), localModelSchema).default({}),
    aliases: z.record(z.string(), z.string()).default({}),
    prices: z.record(z.string(), priceSchema).default({}),
    tool_prices: toolPricesSchema.prefault({}),
    /** Tokens a model's context holds (what truncation_strategy `auto` fits a thread into), by model name. */
    context_windows: z.record(z.string(), z.number().int().min(256)).default({}),
    /** How often the vector stores' stored bytes are sampled for usage and GB-day costs. */
    vector_store_usage_sample_s: z.number().int().min(1).max(86_400).optional(),
    keys: z.array(keySchema).default([]),
    usage_flush_ms: z.number().int().positive().optional(),
    runs: z
      .object({
        /** A worker's claim on a run, renewed every third of it; another instance takes the run over when it lapses. */
        lease_ms: z.number().int().min(100).optional(),
        /** A run whose model goes silent this long (no first token, no next token) fails with last_error. */
        stall_timeout_ms: z.number().int().min(10).optional(),
        poll_ms: z.number().int().min(10).optional(),
        /** Runs executing at once in one process (0: this instance executes none). */
        concurrency: z.number().int().min(0).optional(),
      })
      .strict()
      .default({}),
    embeddings: z
      .object({
        /** The model file_search embeds with: the local encoder (default) or any upstream embeddings model. */
        retrieval_model: z.string().min(1).optional(),
      })
      .strict()
      .default({}),
    code_interpreter: z
      .object({
        /** false: runs that call code_interpreter fail with a clear error. */
        enabled: z.boolean().default(true),
        bwrap: z.string().min(1).default('bwrap'),
        /** The Python inside the sandbox: it must live under /usr, the only host tree the sandbox sees. */
        python: z.string().startsWith('/usr/', 'must be a path under /usr').default('/usr/bin/python3'),
        max_sessions: z.number().int().min(1).max(10_000).default(8),
        idle_timeout_s: z.number().positive().default(3600),
        call_timeout_s: z.number().positive().default(60),
        queue_timeout_s: z.number().nonnegative().default(30),
        cpu_seconds_per_call: z.number().int().positive().default(60),
        cpu_seconds_per_session: z.number().int().positive().default(3600),
        memory_mb: z.number().int().min(64).default(1024),
        max_processes: z.number().int().min(4).default(64),
        max_file_mb: z.number().positive().default(100),
        max_disk_mb: z.number().positive().default(1024),
        tmp_mb: z.number().positive().default(64),
        max_output_mb: z.number().positive().default(4),
        kept_output_kb: z.number().positive().default(32),
        work_dir: z.string().min(1).optional(),
        uid_base: z.number().int().min(1000).default(200_000),
        /** Keep one sandbox started ahead, so a new thread's first call does not wait for it. */
        prestart: z.boolean().default(true),
        /** auto: memory and processes limited per session by a control group where the host allows it. */
        cgroups: z.enum(['auto', 'off']).default('auto'),
      })
      .strict()
      // prefault: an absent section is parsed as {} so every field gets its default.
      .prefault({}),
  })
  .strict();

export type ProviderConfig = z.infer<typeof providerSchema> & { name: string };

export interface LocalModelConfig {
  /** The model id clients use. */
  id: string;
  /** Absolute path of the GGUF file. */
  path: string;
  contextSize: number | null;
  threads: number | null;
  gpuLayers: 'auto' | 'max' | number;
  parallel: number;
  load: 'lazy' | 'eager';
  idleUnloadMs: number;
}
export type Price = z.infer<typeof priceSchema>;
export type ToolPrices = z.infer<typeof toolPricesSchema>;

export interface ApiKey {
  /** Stable, non-secret id of the key (shown as `api_key_id` in usage). */
  id: string;
  tenant: string;
  name: string;
  /** sha256 of the key, hex; the key itself is not kept. */
  hash: string;
  redacted: string;
}

export interface Config {
  host: string;
  port: number;
  databaseUrl: string;
  dataDir: string;
  bodyLimitBytes: number;
  /** A request body with no new bytes for this long is dropped (408). */
  bodyTimeoutMs: number;
  /** Largest upload to /v1/files (OpenAI's limit: 512 MB). */
  fileLimitBytes: number;
  shutdownGraceMs: number;
  logLevel: string;
  providers: ProviderConfig[];
  defaultProvider: string | null;
  models: Record<string, { provider: string; model?: string }>;
  aliases: Record<string, string>;
  prices: Record<string, Price>;
  toolPrices: ToolPrices;
  /** Context window in tokens by model name (YAML `context_windows`). */
  contextWindows: Record<string, number>;
  /** Interval between samples of the vector stores' stored bytes. */
  vectorStoreSampleMs: number;
  keys: ApiKey[];
  /** True when no keys are configured: every request is the tenant `default`. */
  openMode: boolean;
  usageFlushMs: number;
  /** GGUF models served in-process (their aliases are in `aliases`). */
  localModels: LocalModelConfig[];
  /** The folder of the optional local-inference part; null: the repository's `local-inference/`. */
  localRuntimeDir: string | null;
  runs: { leaseMs?: number; pollMs?: number; concurrency?: number; stallTimeoutMs?: number; identityFile: string };
  /** The embeddings model file_search uses (YAML `embeddings.retrieval_model`). */
  retrievalEmbeddingModel: string;
  /** code_interpreter's sandbox (YAML `code_interpreter:`). */
  codeInterpreter: SandboxConfig;
}

const MB = 1024 * 1024;

function codeInterpreterConfig(c: z.infer<typeof fileSchema>['code_interpreter']): SandboxConfig {
  return {
    enabled: c.enabled,
    bwrap: c.bwrap,
    python: c.python,
    maxSessions: c.max_sessions,
    idleTimeoutMs: Math.round(c.idle_timeout_s * 1000),
    callTimeoutMs: Math.round(c.call_timeout_s * 1000),
    queueTimeoutMs: Math.round(c.queue_timeout_s * 1000),
    limits: {
      memoryBytes: c.memory_mb * MB,
      maxProcesses: c.max_processes,
      maxFileBytes: Math.round(c.max_file_mb * MB),
      cpuSecondsPerCall: c.cpu_seconds_per_call,
      cpuSecondsTotal: c.cpu_seconds_per_session,
      tmpBytes: Math.round(c.tmp_mb * MB),
    },
    maxOutputBytes: Math.round(c.max_output_mb * MB),
    keptOutputBytes: Math.round(c.kept_output_kb * 1024),
    maxDiskBytes: Math.round(c.max_disk_mb * MB),
    workDir: c.work_dir ?? null,
    uidBase: c.uid_base,
    prestart: c.prestart,
    cgroups: c.cgroups,
  };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

function toApiKey(entry: z.infer<typeof keySchema>): ApiKey {
  const key = typeof entry === 'string' ? entry : entry.key;
  const hash = hashKey(key);
  const id = 'key_' + hash.slice(0, 16);
  return {
    id,
    hash,
    tenant: typeof entry === 'string' || !entry.tenant ? id : entry.tenant,
    name: (typeof entry === 'string' ? undefined : entry.name) ?? id,
    redacted: key.length > 10 ? `${key.slice(0, 3)}…${key.slice(-4)}` : '…',
  };
}

function formatZodError(err: z.ZodError, source: string): string {
  return err.issues
    .map((i) => `${source}: ${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('\n');
}

/** A `${VAR}` in the YAML whose variable is not set: it reads as an empty string. */
export interface UnsetVariable {
  variable: string;
  /** Dotted path of the YAML field, e.g. `providers.openai.api_key`. */
  field: string;
}

/** `${VAR}` in YAML strings is replaced by the environment variable's value; unset ones are collected. */
function expandEnv(value: unknown, env: NodeJS.ProcessEnv, unset: UnsetVariable[], path: string[] = []): unknown {
  if (typeof value === 'string')
    return value.replace(/\$\{([A-Z0-9_]+)\}/gi, (_, n: string) => {
      if (env[n] === undefined || env[n] === '') unset.push({ variable: n, field: path.join('.') || '(root)' });
      return env[n] ?? '';
    });
  if (Array.isArray(value)) return value.map((v, i) => expandEnv(v, env, unset, [...path, String(i)]));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expandEnv(v, env, unset, [...path, k])]));
  return value;
}

function readYaml(path: string, env: NodeJS.ProcessEnv, unset: UnsetVariable[]): z.infer<typeof fileSchema> {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ConfigError(`SWITCHBOARD_CONFIG (${path}): ${(e as Error).message}`);
  }
  const parsed = fileSchema.safeParse(expandEnv(raw ?? {}, env, unset));
  if (!parsed.success) throw new ConfigError(formatZodError(parsed.error, path));
  return parsed.data;
}

const envSchema = z.object({
  PORT: z
    .string()
    .regex(/^\d+$/, 'expected a port number')
    .transform(Number)
    .pipe(z.number().int().min(0).max(65535))
    .optional(),
  HOST: z.string().min(1).optional(),
  SWITCHBOARD_DATABASE_URL: z.string().min(1).optional(),
  SWITCHBOARD_DATA_DIR: z.string().min(1).optional(),
  SWITCHBOARD_UPSTREAM_URL: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional(),
  SWITCHBOARD_UPSTREAM_API_KEY: z.string().optional(),
  SWITCHBOARD_API_KEYS: z.string().optional(),
  SWITCHBOARD_CONFIG: z.string().min(1).optional(),
  SWITCHBOARD_LOCAL_MODEL: z.string().min(1).optional(),
  SWITCHBOARD_LOCAL_INFERENCE_DIR: z.string().min(1).optional(),
  SWITCHBOARD_BODY_LIMIT_MB: z.coerce.number().positive().optional(),
  SWITCHBOARD_FILE_LIMIT_MB: z.coerce.number().positive().optional(),
  SWITCHBOARD_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
});

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1' || host === '[::1]';
}

/** `onUnsetVariable` hears of every `${VAR}` in the YAML whose variable is unset (main.ts warns at start). */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  opts: { onUnsetVariable?: (u: UnsetVariable) => void } = {},
): Readonly<Config> {
  const e = envSchema.safeParse(
    Object.fromEntries(Object.entries(env).filter(([k, v]) => k in envSchema.shape && v !== '')),
  );
  if (!e.success) throw new ConfigError(formatZodError(e.error, 'environment'));
  const vars = e.data;
  const unset: UnsetVariable[] = [];
  const file = vars.SWITCHBOARD_CONFIG ? readYaml(vars.SWITCHBOARD_CONFIG, env, unset) : fileSchema.parse({});
  for (const u of unset) opts.onUnsetVariable?.(u);

  const providers: ProviderConfig[] = Object.entries(file.providers).map(([name, p]) => ({ ...p, name }));
  if (vars.SWITCHBOARD_UPSTREAM_URL) {
    const existing = providers.findIndex((p) => p.name === 'default');
    const p = providerSchema.parse({
      base_url: vars.SWITCHBOARD_UPSTREAM_URL,
      api_key: vars.SWITCHBOARD_UPSTREAM_API_KEY,
    });
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

  const keyEntries = [
    ...file.keys,
    ...(vars.SWITCHBOARD_API_KEYS ?? '')
      .split(',')
      .map((k) => k.trim())
      .filter(Boolean),
  ];
  const keys = keyEntries.map(toApiKey);
  const seen = new Set<string>();
  for (const k of keys) {
    if (seen.has(k.hash)) throw new ConfigError(`keys: the key ${k.redacted} is configured twice`);
    seen.add(k.hash);
  }
  const host = vars.HOST ?? file.host ?? '127.0.0.1';
  const openMode = keys.length === 0;
  if (openMode && !isLoopback(host))
    throw new ConfigError(
      `HOST: refusing to listen on ${host} with no API keys (open mode). Set SWITCHBOARD_API_KEYS or listen on 127.0.0.1.`,
    );

  const dataDir = vars.SWITCHBOARD_DATA_DIR ?? './data';
  const { localModels, aliases } = localModelsFrom({ file, envModel: vars.SWITCHBOARD_LOCAL_MODEL, dataDir });
  return Object.freeze({
    host,
    port: vars.PORT ?? file.port ?? 8080,
    databaseUrl: vars.SWITCHBOARD_DATABASE_URL ?? file.database_url ?? `${dataDir}/switchboard.db`,
    dataDir,
    bodyLimitBytes: Math.round((vars.SWITCHBOARD_BODY_LIMIT_MB ?? file.body_limit_mb ?? 32) * 1024 * 1024),
    bodyTimeoutMs: file.body_timeout_ms ?? 30_000,
    fileLimitBytes: Math.round((vars.SWITCHBOARD_FILE_LIMIT_MB ?? 512) * 1024 * 1024),
    shutdownGraceMs: file.shutdown_grace_ms ?? 10_000,
    logLevel: vars.SWITCHBOARD_LOG_LEVEL ?? file.log_level ?? 'info',
    providers,
    defaultProvider,
    models: file.models,
    aliases,
    prices: file.prices,
    toolPrices: file.tool_prices,
    contextWindows: file.context_windows,
    vectorStoreSampleMs: (file.vector_store_usage_sample_s ?? 3600) * 1000,
    keys,
    openMode,
    usageFlushMs: file.usage_flush_ms ?? 1000,
    runs: {
      leaseMs: file.runs.lease_ms,
      pollMs: file.runs.poll_ms,
      concurrency: file.runs.concurrency,
      stallTimeoutMs: file.runs.stall_timeout_ms,
      // The run worker's id survives a restart, so the instance takes back its own runs at once.
      identityFile: join(dataDir, 'instance-id'),
    },
    localModels,
    localRuntimeDir: vars.SWITCHBOARD_LOCAL_INFERENCE_DIR ?? file.local_inference_dir ?? null,
    retrievalEmbeddingModel: file.embeddings.retrieval_model ?? 'universal-sentence-encoder',
    codeInterpreter: codeInterpreterConfig(file.code_interpreter),
  });
}

/** What `switchboard pull` needs: where models go, and the hub's address and token (HF_ENDPOINT, HF_TOKEN, as Hugging Face's own tools read them). */
export function pullSettings(env: NodeJS.ProcessEnv = process.env): { modelsDir: string; hfEndpoint: string; hfToken: string | undefined } {
  const dataDir = env.SWITCHBOARD_DATA_DIR || './data';
  return {
    modelsDir: resolve(dataDir, 'models'),
    hfEndpoint: env.HF_ENDPOINT || 'https://huggingface.co',
    hfToken: env.HF_TOKEN || undefined,
  };
}

/** A model file named in the config: absolute, relative to the working directory, or a file in `<data dir>/models`. */
export function resolveModelPath(path: string, dataDir: string): string {
  if (isAbsolute(path)) return path;
  if (existsSync(path)) return resolve(path);
  return resolve(dataDir, 'models', path);
}

/**
 * The YAML `local_models`, plus SWITCHBOARD_LOCAL_MODEL as the model `local` (also named after its file,
 * without `.gguf`, when that name is free). Each model's aliases join the `aliases` table.
 */
function localModelsFrom(opts: { file: z.infer<typeof fileSchema>; envModel: string | undefined; dataDir: string }) {
  const { file, envModel, dataDir } = opts;
  const entries = { ...file.local_models };
  if (envModel) {
    const fromFile = entries.local;
    entries.local = fromFile ? { ...fromFile, path: envModel } : localModelSchema.parse({ path: envModel });
  }
  const aliases: Record<string, string> = { ...file.aliases };
  const taken = (name: string) => Object.hasOwn(aliases, name) || Object.hasOwn(entries, name) || Object.hasOwn(file.models, name);
  const localModels: LocalModelConfig[] = [];
  for (const [id, m] of Object.entries(entries)) {
    if (Object.hasOwn(file.models, id)) throw new ConfigError(`local_models.${id}: the name is also a route under models:`);
    if (Object.hasOwn(file.aliases, id)) throw new ConfigError(`local_models.${id}: the name is also an alias`);
    for (const alias of typeof m.aliases === 'string' ? [m.aliases] : m.aliases) {
      if (taken(alias)) throw new ConfigError(`local_models.${id}.aliases: '${alias}' is already a model or alias name`);
      aliases[alias] = id;
    }
    localModels.push({
      id,
      path: resolveModelPath(m.path, dataDir),
      contextSize: m.context_size ?? null,
      threads: m.threads ?? null,
      gpuLayers: m.gpu_layers,
      parallel: m.parallel,
      load: m.load,
      idleUnloadMs: m.idle_unload_ms,
    });
  }
  if (envModel) {
    const stem = basename(envModel).replace(/\.gguf$/i, '');
    if (stem && !taken(stem)) aliases[stem] = 'local';
  }
  return { localModels, aliases };
}

/** A URL's password, in the userinfo or as a `password` query parameter, masked. Paths pass unchanged. */
function redactUrl(url: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return url;
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    if (u.searchParams.has('password')) u.searchParams.set('password', '***');
    return u.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//***@');
  }
}

/** The configuration as it is safe to log: keys and provider secrets masked. */
export function redactConfig(config: Config): Record<string, unknown> {
  return {
    ...config,
    databaseUrl: redactUrl(config.databaseUrl),
    providers: config.providers.map((p) => ({
      ...p,
      api_key: p.api_key ? '***' : undefined,
      headers: Object.fromEntries(Object.keys(p.headers).map((k) => [k, '***'])),
    })),
    keys: config.keys.map((k) => ({ id: k.id, tenant: k.tenant, name: k.name, key: k.redacted })),
  };
}
