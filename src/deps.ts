import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { IdGenerator } from './ids.js';
import type { ProviderRegistry } from './providers/registry.js';
import type { Store } from './store/open-db.js';
import type { UsageRecorder } from './metering/usage-recorder.js';

export interface Clock {
  /** Unix milliseconds. */
  now(): number;
}

export interface Deps {
  config: Readonly<Config>;
  store: Store;
  providers: ProviderRegistry;
  usage: UsageRecorder;
  clock: Clock;
  ids: IdGenerator;
  log: Logger;
}

/** Who is calling: resolved from the bearer key by the auth hook. */
export interface Caller {
  tenantId: string;
  apiKeyId: string;
}
