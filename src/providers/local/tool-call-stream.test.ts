import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ChatModelFunctions, LlamaChatResponseFunctionCall } from 'node-llama-cpp';
import type { StreamPart } from '../chat-model.js';
import { callArguments } from './chat-model.js';
import { loadNodeLlamaCpp } from './runtime.js';
import { ToolCallStream } from './tool-call-stream.js';

type Call = LlamaChatResponseFunctionCall<ChatModelFunctions>;
/** A completed call; node-llama-cpp types the params of untyped functions as `undefined`. */
const call = (functionName: string, params: unknown, raw: Call['raw'] = []): Call => ({
  functionName,
  params: params as Call['params'],
  raw,
});

function harness(finalArguments: Record<string, string>) {
  const parts: StreamPart[] = [];
  let n = 0;
  const stream = new ToolCallStream({
    newId: () => `call_${++n}`,
    push: (p) => parts.push(p),
    argumentsOf: (fc) => finalArguments[fc.functionName]!,
  });
  const deltas = (index: number) =>
    parts.filter((p) => p.type === 'tool-call-delta' && p.index === index).map((p) => (p as { argumentsDelta: string }).argumentsDelta);
  return { parts, stream, deltas };
}

describe('ToolCallStream', () => {
  it('should stream argument pieces without the trailing newlines that end a call', () => {
    const { parts, stream, deltas } = harness({ f: '{"a": 1}' });
    for (const piece of ['{"a"', ': 1', '}', '\n', '\n\n'])
      stream.chunk({ callIndex: 0, functionName: 'f', paramsChunk: piece, done: false });
    stream.finish([call('f', { a: 1 })]);
    assert.deepEqual(parts[0], { type: 'tool-call-start', index: 0, id: 'call_1', name: 'f' });
    assert.deepEqual(deltas(0), ['{"a"', ': 1', '}']);
    assert.deepEqual(parts.at(-1), { type: 'tool-call', index: 0, id: 'call_1', name: 'f', arguments: '{"a": 1}' });
  });

  it('should hold back from a damaged chunk on and finish with the exact arguments', () => {
    const { parts, stream, deltas } = harness({ f: '{"s": "café"}' });
    // "é" split over two byte tokens: the first piece decodes to U+FFFD, the second to nothing.
    for (const piece of ['{"s": "caf', '\uFFFD', '', '"}', '\n\n\n\n'])
      stream.chunk({ callIndex: 0, functionName: 'f', paramsChunk: piece, done: false });
    stream.finish([call('f', { s: 'café' })]);
    assert.deepEqual(deltas(0), ['{"s": "caf', 'é"}']);
    assert.equal(deltas(0).join(''), '{"s": "café"}');
    assert.equal((parts.at(-1) as { arguments: string }).arguments, '{"s": "café"}');
  });

  it('should give a call without streamed params its arguments at the end, calls in order', () => {
    const { parts, stream, deltas } = harness({ f: '{}', g: '{"x":true}' });
    stream.chunk({ callIndex: 1, functionName: 'g', paramsChunk: '{"x":', done: false });
    stream.finish([call('f', undefined), call('g', { x: true })]);
    assert.deepEqual(deltas(0), ['{}']);
    assert.deepEqual(deltas(1), ['{"x":', 'true}']);
    assert.deepEqual(
      parts.filter((p) => p.type === 'tool-call').map((p) => (p as { index: number }).index),
      [0, 1],
    );
  });
});

describe('callArguments', () => {
  it("should cut a call's arguments out of its raw text in the wrapper's syntax", async () => {
    const nlc = await loadNodeLlamaCpp();
    const chatWrapper = new nlc.QwenChatWrapper();
    const { prefix, paramsPrefix, suffix } = chatWrapper.settings.functions.call;
    const raw = nlc.LlamaText([prefix, 'get_weather', paramsPrefix, '{"city": "Paris"}', suffix]).toJSON();
    assert.equal(callArguments(call('get_weather', { city: 'Paris' }, raw), { nlc, chatWrapper }), '{"city": "Paris"}');
    // What cannot be cut out cleanly falls back to the parsed params.
    assert.equal(callArguments(call('get_weather', { city: 'Paris' }, 'something else'), { nlc, chatWrapper }), '{"city":"Paris"}');
    assert.equal(callArguments(call('get_weather', { city: 'Rome' }, raw), { nlc, chatWrapper }), '{"city":"Rome"}');
  });
});
