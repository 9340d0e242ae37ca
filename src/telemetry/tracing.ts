import type { Span, SpanContext } from '@opentelemetry/api';
import type { OtelRuntime, SpanOptions } from './otel-runtime.js';

export type { Span, SpanOptions };

let otel: OtelRuntime | undefined;
let users = 0;
/** Run id → the span of the request that queued it, for the run's span to link to (this process only). */
let runOrigins: Map<string, SpanContext> | undefined;
const MAX_RUN_ORIGINS = 10_000;

/**
 * Traces, when configured: start() loads OpenTelemetry (otel-runtime.ts) on first use; until then, and
 * when traces are not configured, every function here is a check of one variable and nothing is
 * allocated. Process-wide like the SDK's own global provider; servers sharing a process share it.
 */
export const tracing = {
  get active(): boolean {
    return otel !== undefined;
  },

  async start(opts: { url: string; serviceName: string }): Promise<void> {
    users++;
    if (otel) return;
    const { createOtelRuntime } = await import('./otel-runtime.js');
    otel ??= createOtelRuntime(opts);
    runOrigins = new Map();
  },

  /** Flushes the spans not yet sent and unloads the tracer once its last user stops. */
  async stop(): Promise<void> {
    if (--users > 0 || !otel) return;
    const o = otel;
    otel = undefined;
    runOrigins = undefined;
    await o.shutdown();
  },

  startSpan(name: string, opts: SpanOptions): Span | undefined {
    return otel?.startSpan(name, opts);
  },

  withSpan<T>(span: Span | undefined, fn: () => T): T {
    return otel && span ? otel.withSpan(span, fn) : fn();
  },

  failed(span: Span | undefined, err: unknown): void {
    if (span) otel?.failed(span, err);
  },

  /** A run was queued by the current request: its span will link to this one. */
  noteRunOrigin(runId: string): void {
    const origin = otel?.currentSpanContext();
    if (!origin || !runOrigins) return;
    if (runOrigins.size >= MAX_RUN_ORIGINS) runOrigins.delete(runOrigins.keys().next().value!);
    runOrigins.set(runId, origin);
  },

  /** Runs fn (executing a run) inside a span of its own, linked to the request that queued the run. */
  async inRunSpan<T>(run: { id: string; assistant_id: string | null; thread_id: string }, fn: () => Promise<T>): Promise<T> {
    if (!otel) return fn();
    const origin = runOrigins?.get(run.id);
    runOrigins?.delete(run.id);
    const span = otel.startSpan('invoke_agent', {
      kind: 'internal',
      root: true,
      links: origin ? [origin] : undefined,
      attributes: {
        'gen_ai.operation.name': 'invoke_agent',
        ...(run.assistant_id ? { 'gen_ai.agent.id': run.assistant_id } : {}),
        'gen_ai.conversation.id': run.thread_id,
        'switchboard.run_id': run.id,
      },
    });
    try {
      return await otel.withSpan(span, fn);
    } catch (err) {
      otel.failed(span, err);
      throw err;
    } finally {
      span.end();
    }
  },
};
