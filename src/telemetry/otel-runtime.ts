import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Span, type SpanContext } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

/**
 * OpenTelemetry's tracer, as Switchboard uses it: loaded by tracing.ts only when traces are configured
 * (an `import()` of this module), so a server without OTEL_EXPORTER_OTLP_ENDPOINT loads none of it.
 * Spans are made by hand at the few places that matter (request, model call, tool call, run), not by
 * auto-instrumentation: their count and cost stay known. Context flows through AsyncLocalStorage
 * (the provider's register()).
 */
export interface SpanOptions {
  kind: 'server' | 'client' | 'internal';
  attributes: Attributes;
  /** A new trace, whatever the current context (a run executed in the background). */
  root?: boolean;
  /** Incoming headers to continue a caller's trace from (W3C traceparent). */
  headers?: Record<string, unknown>;
  links?: SpanContext[];
}

const KINDS = { server: SpanKind.SERVER, client: SpanKind.CLIENT, internal: SpanKind.INTERNAL } as const;

export function createOtelRuntime(opts: { url: string; serviceName: string }) {
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': opts.serviceName }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: opts.url }))],
  });
  provider.register();
  const tracer = provider.getTracer('switchboard');

  function parentOf(o: SpanOptions) {
    if (o.root) return ROOT_CONTEXT;
    if (o.headers) return propagation.extract(ROOT_CONTEXT, o.headers);
    return context.active();
  }

  return {
    startSpan(name: string, o: SpanOptions): Span {
      const links = o.links?.map((c) => ({ context: c }));
      return tracer.startSpan(name, { kind: KINDS[o.kind], attributes: o.attributes, links }, parentOf(o));
    },
    /** Runs fn with `span` as the current span (its children's parent). */
    withSpan<T>(span: Span, fn: () => T): T {
      return context.with(trace.setSpan(context.active(), span), fn);
    },
    /** The current span's context, to link to later (a run started by this request). */
    currentSpanContext(): SpanContext | undefined {
      return trace.getSpanContext(context.active());
    },
    failed(span: Span, err: unknown): void {
      span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
    },
    async shutdown(): Promise<void> {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}

export type OtelRuntime = ReturnType<typeof createOtelRuntime>;
