import type { LlamaChatResponseFunctionCall, LlamaChatResponseFunctionCallParamsChunk, ChatModelFunctions } from 'node-llama-cpp';
import type { StreamPart } from '../chat-model.js';

interface OpenCall {
  id: string;
  name: string;
  /** Arguments sent so far. */
  sent: string;
  /** Whitespace held back: the params grammar ends a call with newlines that are not part of the arguments. */
  pendingSpace: string;
}

/**
 * node-llama-cpp's function-call callbacks → tool-call StreamParts. Parameter chunks stream as
 * `tool-call-delta`s (trailing whitespace held back until more text follows, so the deltas add up to
 * exactly the final arguments); the complete calls come at the end, in index order.
 */
export class ToolCallStream {
  readonly #newId: () => string;
  readonly #push: (part: StreamPart) => void;
  readonly #calls: OpenCall[] = [];

  constructor(opts: { newId: () => string; push: (part: StreamPart) => void }) {
    this.#newId = opts.newId;
    this.#push = opts.push;
  }

  #open(index: number, name: string): OpenCall {
    let call = this.#calls[index];
    if (!call) {
      call = { id: this.#newId(), name, sent: '', pendingSpace: '' };
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
    const text = call.pendingSpace + c.paramsChunk;
    const body = text.trimEnd();
    call.pendingSpace = text.slice(body.length);
    this.#send(c.callIndex, call, body);
  }

  /** The complete calls; a call whose arguments never streamed (no parameters) gets them now. */
  finish(calls: ReadonlyArray<LlamaChatResponseFunctionCall<ChatModelFunctions>>): void {
    calls.forEach((fc, index) => {
      const call = this.#open(index, fc.functionName);
      if (call.sent === '') this.#send(index, call, fc.params === undefined ? '{}' : JSON.stringify(fc.params));
      this.#push({ type: 'tool-call', index, id: call.id, name: call.name, arguments: call.sent });
    });
  }
}
