import type { Logger } from 'pino';
import type { AssistantTool } from 'openai/resources/beta/assistants';
import type { Annotation } from 'openai/resources/beta/threads/messages';
import type { ToolCall } from 'openai/resources/beta/threads/runs/steps';
import type { Clock } from '../deps.js';
import type { IdGenerator } from '../ids.js';
import type { UsageSink } from '../metering/usage-event.js';
import type { ChatCallOptions, ChatModel, FinishReason, StreamPart, TokenLogprob, Usage } from '../providers/chat-model.js';
import type { Db, DialectName } from '../store/database.js';
import type { Store } from '../store/open-db.js';
import { fromJson } from '../store/json.js';
import { threadHistoryRows, type ThreadHistory } from '../store/repos/run-messages.repo.js';
import type { RunRow } from '../store/tables/runs.table.js';
import type { RunStepRow } from '../store/tables/run-steps.table.js';
import type { ToolRegistry } from '../tools/tool.js';
import { functionTool } from '../tools/function-tool.js';
import { StreamedStringField } from '../tools/streamed-field.js';
import { stepLastErrorOf } from '../failures.js';
import { buildRunPrompt, imageFileIds } from './build-prompt.js';
import type { PromptFitter } from './context-window.js';
import type { MessageRow } from '../store/tables/messages.table.js';
import type { AnnotatedDelta, TextAnnotator } from '../tools/text-annotator.js';
import type { RunEventBus } from './run-events.js';
import type { EngineEvent, TextAnnotation } from './engine-events.js';
import { RunWriter, type MessageEnd, type OpenMessage, type PendingWrite, type StepUsage } from './run-writer.js';
import { addUsage, toStepUsage } from './step-usage.js';
import { messageAnnotator, pendingImages, serverCallCount } from './tool-history.js';
import { endedOnClientCalls, offeredTools, toolChoiceFor, type OfferedTools } from './turn-tools.js';
import { ToolCallBudget, withinBudget } from './tool-call-budget.js';

export interface EngineDeps {
  db: Store['db'];
  dialect: DialectName;
  clock: Clock;
  ids: IdGenerator;
  log: Logger;
  events: RunEventBus;
  tools: ToolRegistry;
  /** The model a run names, as a ChatModel (throws ApiError model_not_found). */
  models: (model: string) => ChatModel;
  usage: UsageSink;
  /** Reads the tenant's image files as data: URLs, for image_file parts sent to vision models. */
  loadImages?: (tenantId: string, fileIds: string[]) => Promise<Map<string, string>>;
  /** The prompt's token budget for truncation_strategy `auto` (without it, whole threads are sent). */
  fitPrompt?: PromptFitter;
  /** Call options the API that started a run asks for beyond the run's columns (the Responses API's logprobs). */
  callOptions?: (run: RunRow) => Promise<RunCallOptions>;
  /**
   * Whether nobody reads the run's messages before it ends (a response answered when its run ends): its turns' messages
   * are then written when they end — with the run's end, for a last turn — not also when they start.
   */
  writesAtEnd?: (run: RunRow) => Promise<boolean>;
  /** Counts a model call against the run's project's rate limits; throws a 429 ApiError when over one. */
  admitModelCall?: (call: { tenantId: string; model: string }) => Promise<unknown>;
  /** Whether the run's rows are kept once it ends, and if not, how they go (UnkeptRun). Unset: every run is kept. */
  unkept?: (run: RunRow) => Promise<UnkeptRun | undefined>;
}

/**
 * A run whose rows nobody keeps (a `store: false` response's): none of its commits waits for the disk, since a power
 * loss can only lose what is deleted anyway. `atEnd`: its rows are deleted (`forget`) in the transaction of its end
 * (completed, incomplete or failed), which is announced only after it; else its caller deletes them once it has read
 * them. A worker that finds one interrupted (a crash: nobody waits for it any more) forgets it rather than resume it.
 */
export interface UnkeptRun {
  atEnd: boolean;
  /**
   * Its rows are polled until they lapse (a background response's: deleted some time after its end, not by its
   * client): only its commits are relaxed; a cancel is written, and a crash resumes it, as for any run.
   */
  polled?: boolean;
  forget(trx: Db): Promise<void>;
}

/** What `EngineDeps.callOptions` may add to a run's model calls. */
export type RunCallOptions = Pick<ChatCallOptions, 'logprobs' | 'topLogprobs'>;

/**
 * What a turn returns: how it ended, the run's usage so far, and — for a turn that ends the run with its message — the
 * message's end, left for the driver to commit with the run's end (one commit that waits for the disk, not two).
 */
export interface TurnResult {
  outcome: StepOutcome;
  usage: StepUsage | null;
  end?: PendingWrite;
}

/** How one model turn of a run ended. */
export type StepOutcome =
  | { kind: 'completed' }
  | { kind: 'continue' }
  | { kind: 'requires_action'; calls: Array<{ id: string; name: string; arguments: string }>; stepId: string }
  | { kind: 'incomplete'; reason: 'max_completion_tokens' | 'max_prompt_tokens' }
  | { kind: 'aborted' };

/** An annotation the text annotator found, in the engine's terms. */
function toTextAnnotation(a: Annotation & { index: number }): TextAnnotation {
  const span = { index: a.index, text: a.text, start: a.start_index, end: a.end_index };
  return a.type === 'file_citation'
    ? { kind: 'file_citation', ...span, fileId: a.file_citation.file_id }
    : { kind: 'file_path', ...span, fileId: a.file_path.file_id };
}

/**
 * Whether the turn runs the call at `part.index`, decided once, when the call first shows: a call of a server tool
 * past max_tool_calls is ignored — never announced, recorded or executed — as OpenAI ignores it.
 */
function admits(turn: Turn, part: { index: number; name: string }): boolean {
  let admitted = turn.admitted.get(part.index);
  if (admitted === undefined) {
    admitted = turn.tools.byName.get(part.name)?.impl.execute === undefined || turn.budget.take();
    turn.admitted.set(part.index, admitted);
  }
  return admitted;
}

/** State of one streamed model turn: the message and tool-call step it opened. */
interface Turn {
  /** Its message is written when it ends (EngineDeps.writesAtEnd). */
  atEnd: boolean;
  tools: OfferedTools;
  /** Images the run's code made since its last message: they open the next message, as OpenAI shows them. */
  images: string[];
  /** The calls being written, by index: the tool type behind each, and its visible input as it grows. */
  streams: Map<number, { tool: string; input?: StreamedStringField }>;
  /** The run's steps before this turn: what the turn's text may cite. */
  steps: RunStepRow[];
  /** max_tool_calls: the server calls the run may still make; whether each call (by index) was admitted. */
  budget: ToolCallBudget;
  admitted: Map<number, boolean>;
  /** The model's reasoning before the turn's message or calls, until one of them opens. */
  reasoning?: { id: string; text: string };
  /** Token logprobs of the open message (when asked for): all of them, and those not yet announced with its text. */
  logprobs: TokenLogprob[];
  pendingLogprobs: TokenLogprob[];
  /** The open message's text, annotated as it streams. */
  annotator?: TextAnnotator;
  message?: OpenMessage;
  toolStep?: RunStepRow;
  calls: Array<{ id: string; name: string; arguments: string }>;
  finishReason: FinishReason;
  usage: Usage | null;
}

/**
 * One model turn of a run: prompt → model stream → message and tool-call steps (written, then
 * announced) → server tools executed. Returns what the run does next; throws on provider errors.
 */
export class RunTurn {
  readonly #deps: EngineDeps;
  readonly #writer: RunWriter;

  constructor(deps: EngineDeps, writer: RunWriter) {
    this.#deps = deps;
    this.#writer = writer;
  }

  /**
   * `counted`: the request that queued the run already counted this turn's model call against the limits. `noSteps`:
   * the run has none yet (its first turn, inserted started here), none to read. `history`: the thread's, known
   * without reading it (RunReservation.start).
   */
  async run(run: RunRow, signal: AbortSignal, opts: { counted?: boolean; noSteps?: boolean; history?: ThreadHistory } = {}): Promise<TurnResult> {
    const { db } = this.#deps;
    const [{ messages, items }, steps, atEnd] = await Promise.all([
      opts.history ?? this.#writer.history(run.id) ?? threadHistoryRows(db, run.thread_id),
      opts.noSteps ? [] : this.#writer.steps(run.id),
      this.#deps.writesAtEnd?.(run) ?? false,
    ]);
    const ended = endedOnClientCalls(run, steps);
    if (ended) return { outcome: { kind: 'completed' }, usage: addUsage(fromJson<StepUsage | null>(run.usage, null), ended.usage) };
    const budget = new ToolCallBudget(run.max_tool_calls, serverCallCount(this.#deps.tools, steps));
    const offered = await offeredTools(this.#deps.tools, fromJson<AssistantTool[]>(run.tools, []), this.#deps.log, {
      tenantId: run.tenant_id,
      threadId: run.thread_id,
      runId: run.id,
      assistantId: run.assistant_id,
      toolResources: fromJson(run.tool_resources, null),
      abortSignal: signal,
    });
    const tools = withinBudget(offered, budget);
    const used = fromJson<StepUsage | null>(run.usage, null);
    const model = this.#deps.models(run.model);
    if (!opts.counted) await this.#deps.admitModelCall?.({ tenantId: run.tenant_id, model: run.model });
    const maxTokens = run.max_completion_tokens !== null ? Math.max(1, run.max_completion_tokens - (used?.completion_tokens ?? 0)) : null;
    const { stream } = await model.stream({
      messages: await buildRunPrompt({
        run,
        messages,
        items,
        steps,
        images: await this.#images(run, messages),
        fitter: this.#deps.fitPrompt,
        maxTokens,
        tools: tools.model,
        registry: this.#deps.tools,
      }),
      tools: tools.model.length ? tools.model : undefined,
      toolChoice: tools.model.length ? toolChoiceFor(run, steps, this.#deps.tools) : undefined,
      parallelToolCalls: run.parallel_tool_calls === 1,
      temperature: run.temperature,
      topP: run.top_p,
      maxTokens,
      responseFormat: fromJson<unknown>(run.response_format, 'auto') === 'auto' ? undefined : fromJson(run.response_format, null),
      reasoningEffort: run.reasoning_effort,
      ...(await this.#deps.callOptions?.(run)),
      abortSignal: signal,
      requestId: run.id,
    });
    const turn: Turn = {
      atEnd,
      tools,
      images: pendingImages(this.#deps.tools, steps),
      streams: new Map(),
      steps,
      budget,
      admitted: new Map(),
      calls: [],
      finishReason: 'other',
      usage: null,
      logprobs: [],
      pendingLogprobs: [],
    };
    const reader = stream.getReader();
    try {
      for (let r = await reader.read(); !r.done; r = await reader.read()) await this.#onPart(run, turn, r.value);
    } catch (err) {
      // Stopped by a lost lease or a shutdown: the turn is left as it is for whoever resumes the run.
      if (signal.aborted && signal.reason !== 'cancel') return { outcome: { kind: 'aborted' }, usage: null };
      await this.#abandon(run, turn, signal.aborted ? 'cancelled' : 'failed');
      if (signal.aborted) return { outcome: { kind: 'aborted' }, usage: null };
      throw err;
    } finally {
      reader.releaseLock();
    }
    return this.#finishTurn(run, turn, { tools, used, signal, model });
  }

  async #onPart(run: RunRow, turn: Turn, part: StreamPart): Promise<void> {
    switch (part.type) {
      case 'reasoning-delta':
        return this.#reason(run, turn, part.delta);
      case 'text-delta':
        if (!part.delta) return;
        if (!turn.message) {
          turn.message = await this.#writer.startMessage(run, await this.#closeReasoning(run, turn), { unwritten: turn.atEnd });
          turn.annotator = messageAnnotator(this.#deps.tools, turn.steps);
          if (turn.images.length) this.#writer.messageImages(run, turn.message.message.id, turn.images);
        }
        if (part.logprobs) {
          turn.logprobs.push(...part.logprobs);
          turn.pendingLogprobs.push(...part.logprobs);
        }
        this.#sendText(run, turn, turn.annotator!.push(part.delta));
        return;
      case 'tool-call-start':
        return this.#startCall(run, turn, part);
      case 'tool-call-delta':
        return this.#callArguments(run, turn, part);
      case 'tool-call':
        return this.#callDone(run, turn, part);
      case 'finish':
        turn.finishReason = part.finishReason;
        turn.usage = part.usage;
        return;
      case 'error':
        throw part.error;
    }
  }

  /**
   * A piece of the turn's reasoning, announced as it streams. Reasoning after the answer began (thinking
   * interleaved with tool calls) is not shown: Responses items keep reasoning before the output it led to.
   */
  #reason(run: RunRow, turn: Turn, delta: string): void {
    if (!delta || turn.message || turn.toolStep) return;
    turn.reasoning ??= { id: this.#deps.ids('rs'), text: '' };
    turn.reasoning.text += delta;
    this.#writer.announce(run, { type: 'reasoning.text', reasoningId: turn.reasoning.id, text: delta });
  }

  /** The turn's reasoning ends (its answer begins, or the turn ends): recorded, and its item's id returned. */
  async #closeReasoning(run: RunRow, turn: Turn, status: 'completed' | 'incomplete' = 'completed'): Promise<string | undefined> {
    const reasoning = turn.reasoning;
    if (!reasoning) return undefined;
    turn.reasoning = undefined;
    await this.#writer.finishReasoning(run, { ...reasoning, status });
    return reasoning.id;
  }

  /** The model began a call: the turn's tool_calls step opens (closing its message), and the call is announced. */
  async #startCall(run: RunRow, turn: Turn, part: Extract<StreamPart, { type: 'tool-call-start' }>): Promise<void> {
    if (!admits(turn, part)) return;
    if (turn.message && !turn.toolStep) await this.#closeMessage(run, turn, null);
    turn.toolStep ??= await this.#writer.startToolCalls(run, await this.#closeReasoning(run, turn));
    const impl = turn.tools.byName.get(part.name)?.impl ?? functionTool;
    const input = impl.inputField ? new StreamedStringField(impl.inputField) : undefined;
    turn.streams.set(part.index, { tool: impl.type, input });
    const ref = { stepId: turn.toolStep.id, index: part.index, tool: impl.type };
    this.#writer.announce(run, { type: 'tool.call.started', ...ref, callId: part.id, name: part.name });
  }

  /** A piece of a call's arguments, with what it adds to the tool's visible input (parsed once, here). */
  #callArguments(run: RunRow, turn: Turn, part: Extract<StreamPart, { type: 'tool-call-delta' }>): void {
    if (!turn.toolStep || turn.admitted.get(part.index) === false) return;
    const stream = turn.streams.get(part.index) ?? { tool: functionTool.type };
    const input = stream.input?.push(part.argumentsDelta) || undefined;
    const ref = { stepId: turn.toolStep.id, index: part.index, tool: stream.tool };
    this.#writer.announce(run, { type: 'tool.call.arguments', ...ref, delta: part.argumentsDelta, ...(input ? { input } : {}) });
  }

  /** A complete call: kept for after the turn, and announced with its full arguments. */
  #callDone(run: RunRow, turn: Turn, part: Extract<StreamPart, { type: 'tool-call' }>): void {
    if (!admits(turn, part)) return;
    turn.calls.push({ id: part.id, name: part.name, arguments: part.arguments });
    if (!turn.toolStep) return;
    const tool = turn.streams.get(part.index)?.tool ?? turn.tools.byName.get(part.name)?.impl.type ?? functionTool.type;
    const ref = { stepId: turn.toolStep.id, index: part.index, tool };
    this.#writer.announce(run, { type: 'tool.call.done', ...ref, callId: part.id, name: part.name, arguments: part.arguments });
  }

  async #closeMessage(run: RunRow, turn: Turn, usage: StepUsage | null, incomplete?: string): Promise<void> {
    const end = this.#endMessage(run, turn, usage, incomplete);
    if (end) await this.#writer.finishMessage(run, end);
  }

  /** The open message's last text sent, and how it ends (undefined: no message open). */
  #endMessage(run: RunRow, turn: Turn, usage: StepUsage | null, incomplete?: string): MessageEnd | undefined {
    if (!turn.message) return undefined;
    const open = turn.message;
    const annotator = turn.annotator!;
    this.#sendText(run, turn, annotator.flush());
    turn.message = undefined;
    turn.annotator = undefined;
    const { text, annotations } = annotator;
    const logprobs = turn.logprobs.length ? turn.logprobs.splice(0) : undefined;
    return { ...open, text, usage, incomplete, annotations, images: turn.images, logprobs };
  }

  /** Text of the open message the annotator let through, with the annotations it completes. */
  #sendText(run: RunRow, turn: Turn, delta: AnnotatedDelta | null): void {
    if (delta && turn.message)
      this.#writer.messageDelta(run, turn.message.message.id, delta.value, {
        part: turn.images.length,
        annotations: delta.annotations.map(toTextAnnotation),
        logprobs: turn.pendingLogprobs.splice(0),
      });
  }

  /**
   * The turn broke off: its open message ends incomplete, its steps cancelled or failed. A cancelled run whose rows are
   * not kept writes none of it — its rows are being deleted (its client left: responses.service.ts forget), and a write
   * after them would fail or outlive them — but announces it all the same.
   */
  async #abandon(run: RunRow, turn: Turn, status: 'cancelled' | 'failed'): Promise<void> {
    if (status === 'cancelled' && this.#writer.forgetsOnCancel(run.id)) return this.#abandonUnwritten(run, turn);
    await this.#closeReasoning(run, turn, 'incomplete').catch(() => undefined);
    if (turn.message)
      await this.#closeMessage(run, turn, null, status === 'cancelled' ? 'run_cancelled' : 'run_failed').catch(() => undefined);
    if (turn.toolStep) await this.#writer.finishStep(run, turn.toolStep, { status }).catch(() => undefined);
  }

  #abandonUnwritten(run: RunRow, turn: Turn): void {
    const reasoning = turn.reasoning;
    turn.reasoning = undefined;
    if (reasoning) this.#writer.announce(run, { type: 'reasoning.done', reasoningId: reasoning.id, status: 'incomplete' });
    const message = this.#endMessage(run, turn, null, 'run_cancelled');
    const end = message && this.#writer.endMessage(run, message);
    end?.skip();
    end?.announce();
    const cancelledAt = Math.floor(this.#deps.clock.now() / 1000);
    if (turn.toolStep) this.#writer.announce(run, { type: 'step.done', step: { ...turn.toolStep, status: 'cancelled', cancelled_at: cancelledAt } });
  }

  async #finishTurn(
    run: RunRow,
    turn: Turn,
    ctx: { tools: OfferedTools; used: StepUsage | null; signal: AbortSignal; model: ChatModel },
  ): Promise<TurnResult> {
    await this.#closeReasoning(run, turn, turn.finishReason === 'length' ? 'incomplete' : 'completed');
    const usage = toStepUsage(turn.usage);
    if (turn.usage) {
      this.#meter(run, ctx.model, turn.usage);
      const { promptTokens, completionTokens, totalTokens } = turn.usage;
      this.#writer.announce(run, { type: 'turn.usage', usage: { promptTokens, completionTokens, totalTokens } });
    }
    const total = addUsage(ctx.used, usage);
    const outOfTokens =
      run.max_completion_tokens !== null && turn.finishReason === 'length' && (total?.completion_tokens ?? 0) >= run.max_completion_tokens;
    const overPrompt = run.max_prompt_tokens !== null && (total?.prompt_tokens ?? 0) > run.max_prompt_tokens;
    const incomplete = outOfTokens ? 'max_completion_tokens' : overPrompt ? 'max_prompt_tokens' : undefined;
    if (!turn.toolStep) {
      // A turn of text alone ends the run: its message ends in the run's last commit.
      const message = this.#endMessage(run, turn, usage, incomplete);
      const end = message && this.#writer.endMessage(run, message);
      return { outcome: incomplete ? { kind: 'incomplete', reason: incomplete } : { kind: 'completed' }, usage: total, end };
    }
    await this.#closeMessage(run, turn, null, incomplete);
    if (incomplete) {
      await this.#writer.finishStep(run, turn.toolStep, { status: 'cancelled', usage });
      return { outcome: { kind: 'incomplete', reason: incomplete }, usage: total };
    }
    if (turn.calls.length === 0) return { outcome: { kind: 'completed' }, usage: total };
    return { outcome: await this.#runTools(run, turn, usage, ctx), usage: total };
  }

  /**
   * Server tools run now; client functions leave the step open and the run waiting on them — or, with
   * client_calls `end`, are recorded as the thread's function_call items and the run completes.
   */
  async #runTools(
    run: RunRow,
    turn: Turn,
    usage: StepUsage | null,
    ctx: { tools: OfferedTools; signal: AbortSignal },
  ): Promise<StepOutcome> {
    const step = turn.toolStep!;
    const records: ToolCall[] = [];
    // What the step already names (the reasoning before it) stays beside the outputs.
    // Keyed by the model's call ids: no prototype for an id such as `__proto__` to reach.
    const outputs: Record<string, string> = Object.assign(Object.create(null) as Record<string, string>, fromJson<Record<string, string>>(step.tool_outputs, {}));
    const pending: Array<{ id: string; name: string; arguments: string }> = [];
    const results: Array<Extract<EngineEvent, { type: 'tool.output' }>> = [];
    let callIndex = serverCallCount(this.#deps.tools, await this.#writer.steps(run.id));
    for (const [index, call] of turn.calls.entries()) {
      const tool = ctx.tools.byName.get(call.name);
      if (!tool?.impl.execute) {
        pending.push(call);
        records.push({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments, output: null } });
        continue;
      }
      let result;
      try {
        result = await tool.impl.execute(call, {
          tenantId: run.tenant_id,
          apiKeyId: run.api_key_id,
          threadId: run.thread_id,
          runId: run.id,
          assistantId: run.assistant_id,
          toolResources: fromJson(run.tool_resources, null),
          tool: tool.config,
          callIndex: callIndex++,
          abortSignal: ctx.signal,
          emit: (progress) =>
            this.#writer.announce(run, { type: 'tool.progress', stepId: step.id, index, tool: tool.impl.type, callId: call.id, progress }),
        });
      } catch (err) {
        if (!ctx.signal.aborted) {
          const lastError = stepLastErrorOf(err, 'The tool failed.');
          await this.#writer.finishStep(run, step, { status: 'failed', usage, lastError }).catch(() => undefined);
        }
        throw err;
      }
      records.push(result.toolCall);
      results.push({ type: 'tool.output', stepId: step.id, index, tool: tool.impl.type, callId: call.id, output: result.output });
      outputs[call.id] = result.output;
      outputs[`${call.id}:arguments`] = call.arguments;
      if (result.files?.length) outputs[`${call.id}:files`] = JSON.stringify(result.files);
    }
    if (pending.length > 0 && run.client_calls === 'end') {
      // The client answers its calls in the thread's history (function_call_output items), in a later run.
      await this.#writer.endOnClientCalls(run, { id: step.id, calls: records, outputs, usage }, pending, results);
      return { kind: 'completed' };
    }
    const saved = await this.#writer.saveToolCalls(run, step.id, records, outputs);
    for (const r of results) this.#writer.announce(run, r);
    if (pending.length > 0) {
      if (usage) await this.#writer.finishStep(run, saved ?? step, { status: 'in_progress', usage });
      return { kind: 'requires_action', calls: pending, stepId: step.id };
    }
    await this.#writer.finishStep(run, saved ?? step, { status: 'completed', usage });
    return { kind: 'continue' };
  }

  async #images(run: RunRow, messages: MessageRow[]): Promise<Map<string, string> | undefined> {
    const ids = imageFileIds(messages);
    return ids.length && this.#deps.loadImages ? this.#deps.loadImages(run.tenant_id, ids) : undefined;
  }

  #meter(run: RunRow, model: ChatModel, u: Usage): void {
    this.#deps.usage.record({
      tenantId: run.tenant_id,
      apiKeyId: run.api_key_id,
      model: run.model,
      upstreamModel: model.modelId,
      at: this.#deps.clock.now(),
      inputTokens: u.promptTokens,
      cachedTokens: u.cachedTokens,
      outputTokens: u.completionTokens,
      reasoningTokens: u.reasoningTokens,
    });
  }
}
