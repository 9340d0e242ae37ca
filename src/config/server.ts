import { isIP } from 'node:net';
import { z } from 'zod';
import type { EnvVars } from './env.js';
import { logLevelSchema } from './env.js';

/** YAML: where the server listens, its store, and its request limits. */
export const serverSection = z.object({
  host: z.string().optional(),
  port: z.number().int().min(0).max(65535).optional(),
  database_url: z.string().optional(),
  body_limit_mb: z.number().positive().optional(),
  /** A request body that stops arriving for this long is answered 408 and its connection closed. */
  body_timeout_ms: z.number().int().min(100).optional(),
  shutdown_grace_ms: z.number().int().nonnegative().optional(),
  /** Memory file_search's in-memory indexes may hold; past it the least recently searched idle stores' are dropped. */
  index_memory_mb: z.number().positive().optional(),
  log_level: logLevelSchema.optional(),
});

export interface ServerConfig {
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
  /** Cap of the in-memory nearest-neighbour and keyword indexes (least recently used stores evicted past it). */
  indexMemoryBytes: number;
  logLevel: string;
  /** SWITCHBOARD_LOG_FORMAT; null: pretty on a terminal, JSON otherwise (main.ts decides). */
  logFormat: 'pretty' | 'json' | null;
}

const MB = 1024 * 1024;

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1' || host === '[::1]';
}

/**
 * The environment wins over the file. Open mode beyond loopback is refused at start (server/open-mode.ts),
 * not here: keys created with `switchboard keys create` live in the database, which the configuration cannot see.
 */
export function serverConfig(opts: { file: z.infer<typeof serverSection>; vars: EnvVars }): ServerConfig {
  const { file, vars } = opts;
  const host = vars.HOST ?? file.host ?? '127.0.0.1';
  const dataDir = dataDirOf(vars);
  return {
    host,
    port: vars.PORT ?? file.port ?? 8080,
    databaseUrl: vars.SWITCHBOARD_DATABASE_URL ?? file.database_url ?? `${dataDir}/switchboard.db`,
    dataDir,
    bodyLimitBytes: Math.round((vars.SWITCHBOARD_BODY_LIMIT_MB ?? file.body_limit_mb ?? 32) * MB),
    bodyTimeoutMs: file.body_timeout_ms ?? 30_000,
    fileLimitBytes: Math.round((vars.SWITCHBOARD_FILE_LIMIT_MB ?? 512) * MB),
    shutdownGraceMs: file.shutdown_grace_ms ?? 10_000,
    indexMemoryBytes: Math.round((vars.SWITCHBOARD_INDEX_MEMORY_MB ?? file.index_memory_mb ?? 1024) * MB),
    logLevel: vars.SWITCHBOARD_LOG_LEVEL ?? file.log_level ?? 'info',
    logFormat: vars.SWITCHBOARD_LOG_FORMAT ?? null,
  };
}

export const dataDirOf = (vars: EnvVars): string => vars.SWITCHBOARD_DATA_DIR ?? './data';
