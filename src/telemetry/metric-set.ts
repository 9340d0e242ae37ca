import { Gauge, type Registry } from 'prom-client';
import { Counter, Histogram } from './series.js';

/**
 * Every metric Switchboard exports, named after OpenTelemetry's semantic conventions (HTTP and GenAI)
 * as OTel's Prometheus exporter spells them (dots → underscores, the unit as a suffix, `_total` on
 * counters); Switchboard's own under `switchboard_`. Buckets are the conventions' advice.
 */

/** OTel HTTP semconv advice for http.server.request.duration (seconds). */
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
/** OTel GenAI advice for gen_ai.client.operation.duration. */
const OPERATION_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
/** OTel GenAI advice for gen_ai.server.time_to_first_token. */
const TTFT_BUCKETS = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
/** OTel GenAI advice for gen_ai.client.token.usage. */
const TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];
/** Runs last from seconds to the 10 minutes a run may wait on tool outputs, and beyond. */
const RUN_BUCKETS = [1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800, 3600];

export const TENANT = 'switchboard_tenant';

export function createMetricSet(registry: Registry) {
  const registers = [registry];
  return {
    httpDuration: new Histogram({
      name: 'http_server_request_duration_seconds',
      help: 'Duration of HTTP server requests, by method, route pattern and status.',
      labelNames: ['http_request_method', 'http_route', 'http_response_status_code'] as const,
      buckets: HTTP_BUCKETS,
    }),
    operationDuration: new Histogram({
      name: 'gen_ai_client_operation_duration_seconds',
      help: 'Duration of model calls to providers, from the request to the last byte of the answer.',
      labelNames: ['gen_ai_operation_name', 'gen_ai_provider_name', 'gen_ai_request_model', 'error_type'] as const,
      buckets: OPERATION_BUCKETS,
    }),
    timeToFirstToken: new Histogram({
      name: 'gen_ai_server_time_to_first_token_seconds',
      help: 'Time from a streamed model call to its first chunk.',
      labelNames: ['gen_ai_operation_name', 'gen_ai_provider_name', 'gen_ai_request_model'] as const,
      buckets: TTFT_BUCKETS,
    }),
    tokenUsage: new Histogram({
      name: 'gen_ai_client_token_usage',
      help: 'Tokens per model call (input: prompt, output: completion), by model and tenant.',
      labelNames: ['gen_ai_operation_name', 'gen_ai_request_model', 'gen_ai_token_type', TENANT] as const,
      buckets: TOKEN_BUCKETS,
    }),
    cost: new Counter({
      name: 'switchboard_cost_usd_total',
      help: 'Cost of model calls and embeddings in USD, from the price table, by model and tenant.',
      labelNames: ['gen_ai_request_model', TENANT] as const,
    }),
    runTransitions: new Counter({
      name: 'switchboard_run_transitions_total',
      help: 'Runs (and background responses) moved into each status.',
      labelNames: ['status'] as const,
    }),
    runDuration: new Histogram({
      name: 'switchboard_run_duration_seconds',
      help: 'Time from a run being created to its end, by final status.',
      labelNames: ['status'] as const,
      buckets: RUN_BUCKETS,
    }),
    rateLimited: new Counter({
      name: 'switchboard_rate_limited_total',
      help: 'Requests refused by a rate limit or budget, by tenant and limit.',
      labelNames: [TENANT, 'limit'] as const,
    }),
    // Gauges are set at scrape time (not on a hot path): prom-client's, in the registry with Node's metrics.
    queuedRuns: new Gauge({ name: 'switchboard_runs_queued', help: 'Runs waiting for a worker.', registers }),
    ingestionBacklog: new Gauge({
      name: 'switchboard_vector_store_files_in_progress',
      help: 'Vector store files waiting to be (or being) indexed.',
      registers,
    }),
    sandboxSessions: new Gauge({
      name: 'switchboard_code_interpreter_sessions',
      help: 'code_interpreter sessions alive in this process.',
      registers,
    }),
  };
}

export type MetricSet = ReturnType<typeof createMetricSet>;
