import { existsSync } from 'node:fs';
import { basename, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError } from './config-error.js';
import type { EnvVars } from './env.js';

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

/** YAML: in-process GGUF models and where the optional local-inference part is installed. */
export const localModelsSection = z.object({
  /** Where the optional local-inference part is installed (default: local-inference/ in this repository). */
  local_inference_dir: z.string().min(1).optional(),
  local_models: z.record(z.string().regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits, _ . : - only'), localModelSchema).default({}),
});

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

export interface LocalModelsConfig {
  /** GGUF models served in-process (their aliases are in `aliases`). */
  localModels: LocalModelConfig[];
  /** Every alias: the YAML's and the local models' own. */
  aliases: Record<string, string>;
  /** The folder of the optional local-inference part; null: the repository's `local-inference/`. */
  localRuntimeDir: string | null;
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
export function localModelsConfig(opts: {
  file: z.infer<typeof localModelsSection>;
  /** The YAML's `models:` routes and `aliases`, whose names a local model may not take. */
  routes: Record<string, unknown>;
  aliases: Record<string, string>;
  vars: EnvVars;
  dataDir: string;
}): LocalModelsConfig {
  const { file, routes, dataDir } = opts;
  const envModel = opts.vars.SWITCHBOARD_LOCAL_MODEL;
  const entries = { ...file.local_models };
  if (envModel) {
    const fromFile = entries.local;
    entries.local = fromFile ? { ...fromFile, path: envModel } : localModelSchema.parse({ path: envModel });
  }
  const aliases: Record<string, string> = { ...opts.aliases };
  const taken = (name: string) => Object.hasOwn(aliases, name) || Object.hasOwn(entries, name) || Object.hasOwn(routes, name);
  const localModels: LocalModelConfig[] = [];
  for (const [id, m] of Object.entries(entries)) {
    if (Object.hasOwn(routes, id)) throw new ConfigError(`local_models.${id}: the name is also a route under models:`);
    if (Object.hasOwn(opts.aliases, id)) throw new ConfigError(`local_models.${id}: the name is also an alias`);
    for (const alias of typeof m.aliases === 'string' ? [m.aliases] : m.aliases) {
      if (taken(alias)) throw new ConfigError(`local_models.${id}.aliases: '${alias}' is already a model or alias name`);
      aliases[alias] = id;
    }
    localModels.push(toLocalModel({ id, model: m, dataDir }));
  }
  if (envModel) {
    const stem = basename(envModel).replace(/\.gguf$/i, '');
    if (stem && !taken(stem)) aliases[stem] = 'local';
  }
  return { localModels, aliases, localRuntimeDir: opts.vars.SWITCHBOARD_LOCAL_INFERENCE_DIR ?? file.local_inference_dir ?? null };
}

function toLocalModel(opts: { id: string; model: z.infer<typeof localModelSchema>; dataDir: string }): LocalModelConfig {
  const { id, model: m, dataDir } = opts;
  return {
    id,
    path: resolveModelPath(m.path, dataDir),
    contextSize: m.context_size ?? null,
    threads: m.threads ?? null,
    gpuLayers: m.gpu_layers,
    parallel: m.parallel,
    load: m.load,
    idleUnloadMs: m.idle_unload_ms,
  };
}
