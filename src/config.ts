import { codeInterpreterConfig } from './config/code-interpreter.js';
import type { Config } from './config/config-type.js';
import { embeddingsConfig } from './config/embeddings.js';
import { readEnv } from './config/env.js';
import { fileStoreConfig } from './config/file-store.js';
import { keysConfig } from './config/keys.js';
import { localModelsConfig } from './config/local-models.js';
import { meteringConfig } from './config/metering.js';
import { providersConfig } from './config/providers.js';
import { responsesConfig } from './config/responses.js';
import { runsConfig } from './config/runs.js';
import { dataDirOf, serverConfig } from './config/server.js';
import { telemetryConfig } from './config/telemetry.js';
import { readYamlFile, type UnsetVariable } from './config/yaml-file.js';

/**
 * The one place that reads process.env. Environment variables and the optional YAML file
 * (SWITCHBOARD_CONFIG) are parsed with zod into a frozen Config; a bad field stops the start
 * with a message that names it. Each section (its schema and its part of Config) is a module in config/.
 */

export type { Config } from './config/config-type.js';
export type { FileStoreConfig } from './config/file-store.js';
export { ConfigError } from './config/config-error.js';
export { configuredKeyId, hashKey, redactKey, type AdminKey, type ApiKey } from './config/keys.js';
export { resolveModelPath, type LocalModelConfig } from './config/local-models.js';
export type { Price, ToolPrices } from './config/metering.js';
export type { ProviderConfig, ProviderType } from './config/providers.js';
export { pullSettings } from './config/pull-settings.js';
export { redactConfig } from './config/redact.js';
export { isLoopback } from './config/server.js';
export type { UnsetVariable } from './config/yaml-file.js';

/** `onUnsetVariable` hears of every `${VAR}` in the YAML whose variable is unset (main.ts warns at start). */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  opts: { onUnsetVariable?: (u: UnsetVariable) => void } = {},
): Readonly<Config> {
  const vars = readEnv(env);
  const unset: UnsetVariable[] = [];
  const file = readYamlFile({ path: vars.SWITCHBOARD_CONFIG, env, unset });
  for (const u of unset) opts.onUnsetVariable?.(u);

  const providers = providersConfig({ file, vars });
  const keys = keysConfig({ file, vars });
  const server = serverConfig({ file, vars });
  const dataDir = dataDirOf(vars);
  const local = localModelsConfig({ file, routes: file.models, aliases: file.aliases, vars, dataDir });
  return Object.freeze({
    ...server,
    ...providers,
    ...local,
    ...meteringConfig(file),
    ...keys,
    ...runsConfig({ file, dataDir }),
    ...responsesConfig({ file, vars }),
    ...embeddingsConfig(file),
    ...codeInterpreterConfig(file),
    ...telemetryConfig({ file, vars }),
    ...fileStoreConfig(vars),
  });
}
