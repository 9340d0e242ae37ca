import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiError } from '../../errors.js';
import { tinyModelPath } from '../../../test/support/tiny-model.js';
import { pathToFileURL } from 'node:url';
import type { ChatWrapper, GbnfJsonSchema, Llama } from 'node-llama-cpp';
import { acquireLlama, DEFAULT_RUNTIME_DIR, isRuntimeInstalled, loadNodeLlamaCpp } from './runtime.js';

const noop = () => {};
const log = { debug: noop, info: noop, warn: noop, error: noop };

describe('local runtime loader', () => {
  it('should answer 503 local_runtime_missing with the install command for a folder without the part', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'sb-no-part-'));
    try {
      assert.equal(isRuntimeInstalled(empty), false);
      await assert.rejects(loadNodeLlamaCpp(empty), (err: unknown) => {
        assert.ok(err instanceof ApiError);
        assert.deepEqual([err.status, err.code], [503, 'local_runtime_missing']);
        assert.match(err.message, /npm run local:install/);
        assert.match(err.message, new RegExp(empty.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
        return true;
      });
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('should share one backend among users and free it after the last', async () => {
    const a = acquireLlama(log);
    const b = acquireLlama(log);
    assert.equal(a.llama, b.llama);
    const llama = await a.llama;
    await a.release();
    assert.equal(llama.disposed, false);
    await b.release();
    assert.equal(llama.disposed, true);
    const c = acquireLlama(log);
    assert.notEqual(await c.llama, llama);
    await c.release();
  });
});

describe('JSON grammar fixes', () => {
  let runtime: ReturnType<typeof acquireLlama>;
  before(() => {
    runtime = acquireLlama(log);
  });
  after(() => runtime.release());

  const schema = {
    type: 'object',
    properties: { n: { type: 'integer' }, x: { type: 'number' }, s: { type: 'string', maxLength: 3 } },
  } as const;

  it('should write integers without exponents and keep astral characters out of raw string text', async () => {
    const grammar = (await (await runtime.llama).createGrammarForJsonSchema(schema)).grammar;
    const integerRule = grammar.split('\n').find((l) => l.startsWith('integer-number-rule') || /^int\w* ::=/.test(l));
    assert.ok(integerRule, grammar);
    assert.doesNotMatch(integerRule, /eE/);
    assert.match(grammar, /\\uD800-\\uDFFF\\U00010000-\\U001FFFFF/);
  });

  it('should drop U+FFFD (bytes that did not decode) from function-call params before validating them', async () => {
    const nlc = await loadNodeLlamaCpp();
    const file = join(DEFAULT_RUNTIME_DIR, 'node_modules/node-llama-cpp/dist/evaluator/LlamaChat/utils/FunctionCallParamsGrammar.js');
    const { FunctionCallParamsGrammar } = (await import(pathToFileURL(file).href)) as {
      FunctionCallParamsGrammar: new (llama: Llama, functions: object, wrapper: ChatWrapper, name: string, params: GbnfJsonSchema) => {
        parseParams(text: string): { params: unknown };
      };
    };
    const params: GbnfJsonSchema = { type: 'object', properties: { s: { type: 'string', maxLength: 3 } } };
    const grammar = new FunctionCallParamsGrammar(await runtime.llama, { f: { params } }, new nlc.QwenChatWrapper(), 'f', params);
    assert.deepEqual(grammar.parseParams('{"s": "ab\uFFFD\uFFFD\uFFFDc"}\n\n\n\n').params, { s: 'abc' });
  });

  it('should make a random model write finite safe integers and strings within maxLength as JavaScript counts it', async () => {
    const llama = await runtime.llama;
    const { LlamaChat } = await loadNodeLlamaCpp();
    const model = await llama.loadModel({ modelPath: tinyModelPath() });
    const context = await model.createContext({ contextSize: 512, threads: 1 });
    try {
      const grammar = await llama.createGrammarForJsonSchema(schema);
      const chat = new LlamaChat({ contextSequence: context.getSequence() });
      for (let seed = 1; seed <= 12; seed++) {
        const res = await chat.generateResponse([{ type: 'user', text: 'JSON' }, { type: 'model', response: [] }], {
          grammar,
          seed,
          temperature: 1,
          maxTokens: 200,
        });
        const value = JSON.parse(res.response) as { n: number; x: number; s: string };
        assert.ok(Number.isSafeInteger(value.n), res.response);
        assert.ok(Number.isFinite(value.x), res.response);
        assert.ok(value.s.length <= 3, res.response);
      }
    } finally {
      await context.dispose();
      await model.dispose();
    }
  });
});
