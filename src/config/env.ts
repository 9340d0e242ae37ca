import { z } from 'zod';
import { ConfigError, formatZodError } from './config-error.js';

const logLevelSchema = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/** The environment variables Switchboard reads (the YAML file is SWITCHBOARD_CONFIG). */
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
  SWITCHBOARD_ADMIN_KEY: z.string().min(8).optional(),
  SWITCHBOARD_CONFIG: z.string().min(1).optional(),
  SWITCHBOARD_LOCAL_MODEL: z.string().min(1).optional(),
  SWITCHBOARD_LOCAL_INFERENCE_DIR: z.string().min(1).optional(),
  SWITCHBOARD_BODY_LIMIT_MB: z.coerce.number().positive().optional(),
  SWITCHBOARD_FILE_LIMIT_MB: z.coerce.number().positive().optional(),
  SWITCHBOARD_INDEX_MEMORY_MB: z.coerce.number().positive().optional(),
  /** Seconds a `background: true, store: false` response is kept after its end (config/responses.ts). */
  SWITCHBOARD_UNSTORED_BACKGROUND_TTL_S: z.coerce.number().int().min(1).optional(),
  SWITCHBOARD_LOG_LEVEL: logLevelSchema.optional(),
  /** `pretty` (pino-pretty) or `json`; unset: pretty when stdout is a terminal, JSON otherwise. */
  SWITCHBOARD_LOG_FORMAT: z.enum(['pretty', 'json']).optional(),
  /** `off` (or 0/false): no metrics instrumentation and no /metrics. */
  SWITCHBOARD_METRICS: z
    .enum(['on', 'off', '1', '0', 'true', 'false'])
    .transform((v) => v === 'on' || v === '1' || v === 'true')
    .optional(),
  SWITCHBOARD_METRICS_KEY: z.string().min(16, 'expected at least 16 characters').optional(),
  // OpenTelemetry's own variables: traces go out over OTLP/HTTP when an endpoint is set.
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional(),
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
  /** Where file bytes live: local | database | s3://bucket/prefix (config/file-store.ts). */
  SWITCHBOARD_FILE_STORE: z.string().min(1).optional(),
  SWITCHBOARD_S3_ENDPOINT: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional(),
  SWITCHBOARD_S3_PATH_STYLE: z
    .enum(['true', 'false', '1', '0'])
    .transform((v) => v === 'true' || v === '1')
    .optional(),
});

export { logLevelSchema };
export type EnvVars = z.infer<typeof envSchema>;

/** The variables above, parsed; an empty string counts as unset. */
export function readEnv(env: NodeJS.ProcessEnv): EnvVars {
  const e = envSchema.safeParse(
    Object.fromEntries(Object.entries(env).filter(([k, v]) => k in envSchema.shape && v !== '')),
  );
  if (!e.success) throw new ConfigError(formatZodError(e.error, 'environment'));
  return e.data;
}
