import { z } from 'zod';
import { hashKey } from './keys.js';
import type { EnvVars } from './env.js';

/** YAML: `GET /metrics` (Prometheus) and OpenTelemetry traces. */
export const telemetrySection = z.object({
  metrics: z
    .object({
      /** false: no instrumentation at all and no /metrics route. */
      enabled: z.boolean().default(true),
      /**
       * true: /metrics wants `Authorization: Bearer <key>`: the metrics key (SWITCHBOARD_METRICS_KEY or `key`) or an
       * admin key; without a metrics key, an admin key only. A metrics key given is always asked.
       */
      require_key: z.boolean().default(false),
      key: z.string().min(16).optional(),
    })
    .strict()
    .prefault({}),
});

export interface TelemetryConfig {
  metrics: {
    enabled: boolean;
    /** sha256 (hex) of the metrics key; null: none (an admin key may still be asked, see requireKey). */
    keyHash: string | null;
    /** /metrics wants the metrics key or an admin key. */
    requireKey: boolean;
  };
  /**
   * OTLP/HTTP traces: set when OTEL_EXPORTER_OTLP_ENDPOINT (a base: `/v1/traces` is added, as the SDK does)
   * or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (the full URL) is.
   */
  tracing: { url: string; serviceName: string } | null;
}

/** The environment wins over the file. */
export function telemetryConfig(opts: { file: z.infer<typeof telemetrySection>; vars: EnvVars }): TelemetryConfig {
  const { file, vars } = opts;
  const enabled = vars.SWITCHBOARD_METRICS === undefined ? file.metrics.enabled : vars.SWITCHBOARD_METRICS;
  const key = vars.SWITCHBOARD_METRICS_KEY ?? file.metrics.key;
  const base = vars.OTEL_EXPORTER_OTLP_ENDPOINT;
  const url = vars.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? (base ? `${base.replace(/\/+$/, '')}/v1/traces` : undefined);
  return {
    metrics: { enabled, keyHash: key ? hashKey(key) : null, requireKey: file.metrics.require_key || key !== undefined },
    tracing: url ? { url, serviceName: vars.OTEL_SERVICE_NAME ?? 'switchboard' } : null,
  };
}
