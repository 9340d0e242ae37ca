import type { FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.js';
import { estimateChatTokens, estimateTokens } from '../../services/rate-limit-estimate.js';
import { modelOfAssistant, modelOfRun } from '../../services/rate-limit-models.js';

type Body = Record<string, unknown>;
/** How a route sizes its request in tokens before the call: a plain function of the body, made once per route. */
export type Size = (body: Body) => number;

/**
 * The model call a request is about to cause: its model, and its size in tokens (estimated before the call, when the
 * limiter asks). One class of fixed fields, `tokens()` a method: every call the same shape, no closure per request.
 */
export class ModelCall {
  readonly tenantId: string;
  readonly model: string;
  readonly #size: Size;
  readonly #body: Body;

  constructor(req: FastifyRequest, model: string, size: Size) {
    this.tenantId = req.caller.tenantId;
    this.model = model;
    this.#size = size;
    this.#body = req.body as Body;
  }

  tokens(): number {
    return this.#size(this.#body);
  }
}

export type Resolver = (deps: Deps, req: FastifyRequest, body: Body) => Promise<ModelCall | undefined> | ModelCall | undefined;

/** ~4 characters a token, over what the request sends the model. */
const inputTokens: Size = (body) => estimateTokens(body.input);
const responseTokens: Size = (body) => estimateTokens(body.input, body.instructions);
/** A chat request's prompt tokens. */
const chatTokens: Size = (body) => estimateChatTokens(body);
/** A run's prompt is built by the engine from its thread: nothing is reserved, its recorded usage is counted. */
const none: Size = () => 0;
const named = (body: Body): string | undefined => (typeof body.model === 'string' ? body.model : undefined);
const params = (req: FastifyRequest) => req.params as Record<string, string>;

/** The call, when the request names (or leads to) a model. */
const withModel = (req: FastifyRequest, model: string | undefined, size: Size): ModelCall | undefined =>
  model ? new ModelCall(req, model, size) : undefined;

/** The model only a read tells (an assistant's, a run's): read only when the project has a limit or a budget. */
const looked = async (deps: Deps, req: FastifyRequest, read: () => Promise<string | undefined>): Promise<string | undefined> =>
  (await deps.limits.governs(req.caller.tenantId)) ? read() : undefined;

const runCreate: Resolver = async (deps, req, body) =>
  withModel(req, named(body) ?? (await looked(deps, req, () => modelOfAssistant(deps, req.caller.tenantId, body.assistant_id))), none);

/**
 * The routes whose call is to the model the body names (unless it names an assistant), and how each sizes it: the
 * limits hook admits these from the body at once when the limiter can answer without waiting.
 */
export const BODY_MODEL_SIZES: ReadonlyMap<string, Size> = new Map([
  ['/v1/chat/completions', chatTokens],
  ['/v1/embeddings', inputTokens],
  ['/v1/responses', responseTokens],
  ['/v1/responses/compact', responseTokens],
]);

/**
 * The routes whose request calls a model (or queues a run whose next call is counted here, not by the engine:
 * create and submit_tool_outputs), by Fastify route: OpenAI answers each with a 429 before anything is done.
 */
export const RATE_LIMITED_ROUTES: ReadonlyMap<string, Resolver> = new Map<string, Resolver>([
  [
    '/v1/chat/completions',
    (deps, req, body) => {
      const model = named(body);
      // `"model": "asst_…"`: the assistant's run calls the assistant's model.
      if (!model?.startsWith('asst_')) return withModel(req, model, chatTokens);
      return looked(deps, req, () => modelOfAssistant(deps, req.caller.tenantId, model)).then((called) => withModel(req, called, chatTokens));
    },
  ],
  ['/v1/embeddings', (_deps, req, body) => withModel(req, named(body), inputTokens)],
  ['/v1/responses', (_deps, req, body) => withModel(req, named(body), responseTokens)],
  ['/v1/responses/compact', (_deps, req, body) => withModel(req, named(body), responseTokens)],
  ['/v1/threads/runs', runCreate],
  ['/v1/threads/:thread_id/runs', runCreate],
  [
    '/v1/assistants/:assistant_id/chat',
    async (deps, req) =>
      withModel(req, await looked(deps, req, () => modelOfAssistant(deps, req.caller.tenantId, params(req).assistant_id)), chatTokens),
  ],
  [
    '/v1/threads/:thread_id/runs/:run_id/submit_tool_outputs',
    async (deps, req) => {
      const { thread_id: threadId, run_id: runId } = params(req);
      const ref = { tenantId: req.caller.tenantId, threadId: threadId ?? '', runId: runId ?? '' };
      return withModel(req, await looked(deps, req, () => modelOfRun(deps, ref)), none);
    },
  ],
]);
