import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import OpenAIv4 from 'openai-v4';
import type { Logger } from 'pino';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { startServer, type RunningServer, type ServerOptions } from '../../src/server.js';
import { createTestDatabaseUrl, type Dialect } from './databases.js';

export interface TestApp {
  server: RunningServer;
  /** http://127.0.0.1:port */
  url: string;
  /** http://127.0.0.1:port/v1 */
  baseURL: string;
  databaseUrl: string;
  /** The official SDK (latest supported), pointed at the app. */
  client(apiKey?: string): OpenAI;
  /** The 4.x SDK that older apps still use. */
  clientV4(apiKey?: string): OpenAIv4;
  /**
   * What SIGHUP does (src/main.ts): the YAML file rewritten with `yaml`, the configuration read again from it and the
   * app's environment, then the server's reload.
   */
  reload(yaml: string): Promise<void>;
  /** Stops the server (flushing usage) but keeps the database. */
  stop(): Promise<void>;
  /** Stops the server and drops the database. */
  close(): Promise<void>;
}

export const TEST_KEYS = ['sk-test-tenant-a-0001', 'sk-test-tenant-b-0002'] as const;

/**
 * Starts Switchboard on an ephemeral 127.0.0.1 port over a fresh database of the dialect.
 * `env` entries override the defaults; `yaml` becomes the SWITCHBOARD_CONFIG file; `log` replaces the silent logger
 * (a test that reads what was logged).
 */
export async function createTestApp(
  opts: { dialect?: Dialect; env?: Record<string, string>; yaml?: string; databaseUrl?: string; server?: ServerOptions; log?: Logger } = {},
): Promise<TestApp> {
  const db = opts.databaseUrl ? { url: opts.databaseUrl, drop: async () => {} } : await createTestDatabaseUrl(opts.dialect ?? 'sqlite');
  const env: Record<string, string> = {
    HOST: '127.0.0.1',
    PORT: '0',
    SWITCHBOARD_DATABASE_URL: db.url,
    SWITCHBOARD_DATA_DIR: mkdtempSync(join(tmpdir(), 'sb-data-')),
    SWITCHBOARD_API_KEYS: TEST_KEYS.join(','),
    ...opts.env,
  };
  const yamlFile = () => (env.SWITCHBOARD_CONFIG ??= join(mkdtempSync(join(tmpdir(), 'sb-config-')), 'switchboard.yaml'));
  if (opts.yaml) writeFileSync(yamlFile(), opts.yaml);
  const config = loadConfig(env);
  const server = await startServer(config, opts.log ?? createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'), {
    // Fast polling so tests never wait long for a worker to notice work.
    worker: { pollMs: 50, ...opts.server?.worker },
    clock: opts.server?.clock,
    keyCacheTtlMs: opts.server?.keyCacheTtlMs,
    ingestion: opts.server?.ingestion,
  });
  const baseURL = `${server.url}/v1`;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await server.close();
  };
  return {
    server,
    url: server.url,
    baseURL,
    databaseUrl: db.url,
    client: (apiKey = TEST_KEYS[0]) => new OpenAI({ apiKey, baseURL, maxRetries: 0 }),
    clientV4: (apiKey = TEST_KEYS[0]) => new OpenAIv4({ apiKey, baseURL, maxRetries: 0 }),
    reload: async (yaml) => {
      writeFileSync(yamlFile(), yaml);
      await server.reload(loadConfig(env));
    },
    stop,
    close: async () => {
      await stop();
      await db.drop();
    },
  };
}
