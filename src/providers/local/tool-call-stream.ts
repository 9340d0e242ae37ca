import type { LlamaChatResponseFunctionCall, LlamaChatResponseFunctionCallParamsChunk, ChatModelFunctions } from 'node-llama-cpp';
import type { StreamPart } from '../chat-model.js';

interface OpenCall {
  id: string;
  name: string;
  /** Arguments sent so far: always a prefix of the final arguments. */
  sent: string;
  /** Text received but not sent yet (see `chunk`). */
  held: string;
  /** Set once a chunk looked damaged: nothing more is sent until the call is complete. */
  holding: boolean;
}

/**
 * node-llama-cpp's function-call callbacks → tool-call StreamParts. Parameter chunks stream as
 * `tool-call-delta`s while they are trustworthy; the deltas of a call always add up to exactly its
 * final arguments, which come from the completed call. Two things are held back: trailing
 * whitespace (the params grammar ends a call with newlines that are not part of the arguments), and
 * everything from a U+FFFD on — node-llama-cpp detokenizes each chunk on its own, so a character
 * split over several tokens arrives as U+FFFD and the rest of it as nothing or a lone surrogate.
 */
export class ToolCallStream {
  readonly #newId: () => string;
  readonly #push: (part: StreamPart) => void;
  readonly #argumentsOf: (call: LlamaChatResponseFunctionCall<ChatModelFunctions>) => string;
  readonly #calls: OpenCall[] = [];

  constructor(opts: {
    newId: () => string;
    push: (part: StreamPart) => void;
    /** A completed call's arguments as the model wrote them. */
    argumentsOf: (call: LlamaChatResponseFunctionCall<ChatModelFunctions>) => string;
  }) {
    this.#newId = opts.newId;
    this.#push = opts.push;
    this.#argumentsOf = opts.argumentsOf;
  }

  #open(index: number, name: string): OpenCall {
    let call = this.#calls[index];
    if (!call) {
      call = { id: this.#newId(), name, sent: '', held: '', holding: false };
      this.#calls[index] = call;
      this.#push({ type: 'tool-call-start', index, id: call.id, name });
    }
    return call;
  }

  #send(index: number, call: OpenCall, text: string): void {
    if (!text) return;
    call.sent += text;
    this.#push({ type: 'tool-call-delta', index, id: call.id, argumentsDelta: text });
  }

  chunk(c: LlamaChatResponseFunctionCallParamsChunk): void {
    const call = this.#open(c.callIndex, c.functionName);
    call.held += c.paramsChunk;
    if (call.holding) return;
    const damaged = call.held.indexOf('\uFFFD');
    if (damaged >= 0) call.holding = true;
    const ready = (damaged >= 0 ? call.held.slice(0, damaged) : call.held).trimEnd();
    call.held = call.held.slice(ready.length);
    this.#send(c.callIndex, call, ready);
  }

  /** The complete calls, in index order, each after the rest of its arguments. */
  finish(calls: ReadonlyArray<LlamaChatResponseFunctionCall<ChatModelFunctions>>): void {
    calls.forEach((fc, index) => {
      const call = this.#open(index, fc.functionName);
      const args = this.#argumentsOf(fc);
      // The text sent is always the start of the final arguments (were it not, a streaming client
      // would be left with what it got, and the complete call below still has the right ones).
      if (args.startsWith(call.sent)) this.#send(index, call, args.slice(call.sent.length));
      this.#push({ type: 'tool-call', index, id: call.id, name: call.name, arguments: args });
    });
  }
}
