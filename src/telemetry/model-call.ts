import { metrics } from './metrics.js';
import { tracing, type Span } from './tracing.js';

export interface ModelCallInfo {
  /** The configured provider's name (gen_ai.provider.name). */
  provider: string;
  /** The model as the provider knows it (gen_ai.request.model). */
  model: string;
  /** The request (or run) the call is made for. */
  requestId?: string;
}

/**
 * One model call, measured: its duration (gen_ai.client.operation.duration), its first token
 * (gen_ai.server.time_to_first_token) and, with traces on, a `chat {model}` client span under the
 * current one. end() is idempotent, so every way a call can finish may call it.
 */
export class ModelCall {
  readonly #t0 = performance.now();
  readonly #provider: string;
  readonly #model: string;
  readonly #span: Span | undefined;
  #first = false;
  #ended = false;

  constructor(info: ModelCallInfo) {
    this.#provider = info.provider;
    this.#model = info.model;
    this.#span = tracing.active ? modelSpan(info) : undefined;
  }

  /** The first chunk of a streamed answer arrived (later calls do nothing). */
  firstToken(): void {
    if (this.#first) return;
    this.#first = true;
    metrics.firstToken(this.#provider, this.#model, (performance.now() - this.#t0) / 1000);
  }

  /** `error`: OTel's error.type (an HTTP status, `timeout`, the error's kind); unset when it succeeded. */
  end(opts: { error?: string; usage?: { input: number; output: number } | null } = {}): void {
    if (this.#ended) return;
    this.#ended = true;
    const seconds = (performance.now() - this.#t0) / 1000;
    metrics.modelCall({ provider: this.#provider, model: this.#model, error: opts.error ?? '', seconds });
    const span = this.#span;
    if (!span) return;
    if (opts.usage) span.setAttributes({ 'gen_ai.usage.input_tokens': opts.usage.input, 'gen_ai.usage.output_tokens': opts.usage.output });
    if (opts.error) {
      span.setAttribute('error.type', opts.error);
      tracing.failed(span, opts.error);
    }
    span.end();
  }
}

function modelSpan(info: ModelCallInfo): Span | undefined {
  return tracing.startSpan(`chat ${info.model}`, {
    kind: 'client',
    attributes: {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': info.provider,
      'gen_ai.request.model': info.model,
      ...(info.requestId ? { 'switchboard.request_id': info.requestId } : {}),
    },
  });
}

/** A measured model call, or undefined when neither metrics nor traces are on (nothing to do, nothing allocated). */
export function startModelCall(info: ModelCallInfo): ModelCall | undefined {
  return metrics.enabled || tracing.active ? new ModelCall(info) : undefined;
}
