import type { CodeInterpreterConfig } from './code-interpreter.js';
import type { EmbeddingsConfig } from './embeddings.js';
import type { FileStoreSection } from './file-store.js';
import type { KeysConfig } from './keys.js';
import type { LocalModelsConfig } from './local-models.js';
import type { MeteringConfig } from './metering.js';
import type { ProvidersConfig } from './providers.js';
import type { ResponsesConfig } from './responses.js';
import type { RunsConfig } from './runs.js';
import type { ServerConfig } from './server.js';
import type { TelemetryConfig } from './telemetry.js';

/** The resolved configuration: each section's part, from env and YAML. */
export interface Config
  extends ServerConfig,
    ProvidersConfig,
    LocalModelsConfig,
    MeteringConfig,
    KeysConfig,
    RunsConfig,
    ResponsesConfig,
    EmbeddingsConfig,
    CodeInterpreterConfig,
    TelemetryConfig,
    FileStoreSection {}
