/**
 * Local model benchmark: prompt and generation speed and time to first token of a GGUF model served
 * by Switchboard (Chat Completions, streamed, through the official SDK over HTTP) next to the same
 * model driven by node-llama-cpp directly in this process (the floor), in the same run, interleaved.
 * Target: Switchboard at ≥ 95 % of direct.
 *
 *   npm run local:install && node --import tsx bench/local-model.bench.ts
 *   BENCH_ROUNDS=1 BENCH_REQUESTS=2 BENCH_WRITE=0 node --import tsx bench/local-model.bench.ts   # quick
 *
 * The model: no weights can be downloaded here, so the bench writes a random-weight llama GGUF with
 * the test suite's generator (test/support/tiny-model.ts) at a size where compute dominates (default
 * 8 layers × 512 dims, 32k vocabulary, ~60 M parameters, F32/F16; BENCH_MODEL=<path.gguf> uses a real
 * model instead). Both sides load the same file with the same context size and thread count, and
 * generate greedily (temperature 0) with no repeat penalty, `BENCH_MAX_TOKENS` tokens at most.
 * Every prompt starts with a fresh nonce, so neither side reuses a cached prompt prefix.
 *
 * Per request:
 *   time to first token  request sent (SDK call / generateResponse) → first text chunk
 *   prompt tokens/s      prompt tokens ÷ time to first token (evaluation of the prompt dominates it)
 *   generation tokens/s  (completion tokens − 1) ÷ (last chunk − first chunk)
 * Token counts come from the usage Switchboard reports and from the sequence's token meter directly.
 *
 * Env knobs (defaults): BENCH_ROUNDS (3, interleaved; median round reported), BENCH_REQUESTS (3 per
 * side, prompt kind and round), BENCH_MAX_TOKENS (128), BENCH_THREADS (2: llama.cpp threads; use a quiet
 * machine — its threads spin, and sharing the cores makes both sides crawl), BENCH_CONTEXT (2048),
 * BENCH_MODEL, BENCH_LAYERS (8), BENCH_EMBEDDING (512), BENCH_WRITE (1; 0 = don't touch BENCHMARKS.md).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { loadNodeLlamaCpp } from '../src/providers/local/runtime.js';
import { tinyModelPath } from '../test/support/tiny-model.js';
import { writeBenchmarkBlock } from './support/benchmarks-md.js';
import { codeState } from './support/code-state.js';
import { envInt } from './support/env.js';
import { median } from './support/stats.js';
import { freePort } from './support/pg-cluster.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const ROUNDS = envInt('BENCH_ROUNDS', 3);
const REQUESTS = envInt('BENCH_REQUESTS', 3);
const MAX_TOKENS = envInt('BENCH_MAX_TOKENS', 128);
const THREADS = envInt('BENCH_THREADS', 2);
const CONTEXT = envInt('BENCH_CONTEXT', 2048);
const WRITE = process.env.BENCH_WRITE !== '0';
const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

const SENTENCE = 'The quick brown fox jumps over the lazy dog near the river bank while the sun sets slowly. ';
const PROMPTS = {
  short: () => `${nonce()} Write a short story about a lighthouse keeper.`,
  long: () => `${nonce()} ${SENTENCE.repeat(55)}Summarise the text above.`,
};
type PromptKind = keyof typeof PROMPTS;
let seq = 0;
const nonce = () => `[${process.pid}-${++seq}-${Math.random().toString(36).slice(2, 8)}]`;

interface Sample {
  ttftMs: number;
  promptTokens: number;
  completionTokens: number;
  genMs: number;
}

// ---------------------------------------------------------------------------
// Direct: node-llama-cpp in this process

async function direct(modelPath: string) {
  const nlc = await loadNodeLlamaCpp();
  const llama = await nlc.getLlama({ gpu: false, build: 'never', logLevel: nlc.LlamaLogLevel.warn, progressLogs: false });
  const model = await llama.loadModel({ modelPath });
  const context = await model.createContext({ contextSize: CONTEXT, sequences: 1, threads: THREADS });
  const sequence = context.getSequence();
  const chatWrapper = nlc.resolveChatWrapper(model);
  return {
    async request(prompt: string): Promise<Sample> {
      const chat = new nlc.LlamaChat({ contextSequence: sequence, chatWrapper, autoDisposeSequence: false });
      const meter = sequence.tokenMeter.getState();
      const t0 = performance.now();
      let first = 0;
      let last = 0;
      await chat.generateResponse([{ type: 'user', text: prompt }, { type: 'model', response: [] }], {
        maxTokens: MAX_TOKENS,
        temperature: 0,
        repeatPenalty: false,
        onTextChunk: () => {
          last = performance.now();
          first ||= last;
        },
      });
      chat.dispose({ disposeSequence: false });
      const used = sequence.tokenMeter.diff(meter);
      return { ttftMs: first - t0, promptTokens: used.usedInputTokens, completionTokens: used.usedOutputTokens, genMs: last - first };
    },
    async close() {
      await context.dispose();
      await model.dispose();
      await llama.dispose();
    },
  };
}

// ---------------------------------------------------------------------------
// Switchboard: the production entry point in its own process

async function switchboard(modelPath: string, tmp: string) {
  const port = await freePort();
  const config = join(tmp, 'switchboard.yaml');
  writeFileSync(
    config,
    [
      'local_models:',
      '  bench:',
      `    path: ${JSON.stringify(modelPath)}`,
      `    context_size: ${CONTEXT}`,
      `    threads: ${THREADS}`,
      '    parallel: 1',
      '    load: eager',
      '    idle_unload_ms: 0',
    ].join('\n'),
  );
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: String(port),
      SWITCHBOARD_CONFIG: config,
      SWITCHBOARD_DATA_DIR: join(tmp, 'data'),
      SWITCHBOARD_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}/v1`;
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`switchboard exited with ${code}`))));
  createInterface({ input: child.stdout! }).on('line', (line) => process.stderr.write(`[switchboard] ${line}\n`));
  // The model loads eagerly, before the server listens: ready once /v1/models answers.
  const ready = (async () => {
    for (;;) {
      try {
        if ((await fetch(`${url}/models`)).ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  await Promise.race([ready, exited]);
  const client = new OpenAI({ baseURL: url, apiKey: 'unused', maxRetries: 0 });
  return {
    async request(prompt: string): Promise<Sample> {
      const t0 = performance.now();
      let first = 0;
      let last = 0;
      let usage: OpenAI.CompletionUsage | undefined;
      const stream = await client.chat.completions.create({
        model: 'bench',
        messages: [{ role: 'user', content: prompt }],
        max_tokens: MAX_TOKENS,
        temperature: 0,
        stream: true,
        stream_options: { include_usage: true },
      });
      for await (const chunk of stream) {
        if (chunk.choices[0]?.delta?.content) {
          last = performance.now();
          first ||= last;
        }
        if (chunk.usage) usage = chunk.usage;
      }
      if (!usage) throw new Error('no usage chunk');
      return { ttftMs: first - t0, promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens, genMs: last - first };
    },
    async close() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

// ---------------------------------------------------------------------------
// Report

const promptRate = (s: Sample[]) => median(s.map((x) => x.promptTokens / (x.ttftMs / 1000)));
const genRate = (s: Sample[]) => median(s.filter((x) => x.completionTokens > 1 && x.genMs > 0).map((x) => (x.completionTokens - 1) / (x.genMs / 1000)));
const ttft = (s: Sample[]) => median(s.map((x) => x.ttftMs));

async function main(): Promise<void> {
  const commit = codeState(); // at the start: others commit while this runs
  const tmp = mkdtempSync(join(os.tmpdir(), 'sb-bench-local-'));
  const layers = envInt('BENCH_LAYERS', 8);
  const embedding = envInt('BENCH_EMBEDDING', 512);
  const modelPath =
    process.env.BENCH_MODEL ||
    tinyModelPath({ layers, embedding, heads: 8, kvHeads: 8, feedForward: Math.round((embedding * 8) / 3 / 64) * 64, contextLength: CONTEXT, name: 'Switchboard Bench' });
  log(`model ${modelPath}`);
  const d = await direct(modelPath);
  const sb = await switchboard(modelPath, tmp);
  const samples: Record<'direct' | 'switchboard', Record<PromptKind, Sample[][]>> = {
    direct: { short: [], long: [] },
    switchboard: { short: [], long: [] },
  };
  try {
    // Warm-up: one request each side (page cache, first allocation).
    await d.request(PROMPTS.short());
    await sb.request(PROMPTS.short());
    for (let r = 0; r < ROUNDS; r++) {
      for (const kind of Object.keys(PROMPTS) as PromptKind[]) {
        const a: Sample[] = [];
        const b: Sample[] = [];
        for (let i = 0; i < REQUESTS; i++) {
          // Alternate which side goes first, so drift hits both alike.
          if ((r + i) % 2 === 0) {
            a.push(await d.request(PROMPTS[kind]()));
            b.push(await sb.request(PROMPTS[kind]()));
          } else {
            b.push(await sb.request(PROMPTS[kind]()));
            a.push(await d.request(PROMPTS[kind]()));
          }
        }
        samples.direct[kind].push(a);
        samples.switchboard[kind].push(b);
        log(
          `round ${r + 1} ${kind}: direct ${genRate(a).toFixed(1)} tok/s gen, ${promptRate(a).toFixed(0)} tok/s prompt, ttft ${ttft(a).toFixed(1)} ms | ` +
            `switchboard ${genRate(b).toFixed(1)} / ${promptRate(b).toFixed(0)} / ${ttft(b).toFixed(1)} ms`,
        );
      }
    }
  } finally {
    await sb.close();
    await d.close();
    rmSync(tmp, { recursive: true, force: true });
  }

  const lines = [
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC at ${commit}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), ` +
      `llama.cpp threads ${THREADS}, context ${CONTEXT}, ${process.env.BENCH_MODEL ? `model ${process.env.BENCH_MODEL}` : `random-weight llama ${layers} layers × ${embedding} dims, 32k vocabulary`}; ` +
      `${ROUNDS} interleaved round(s) × ${REQUESTS} requests per side and prompt, greedy, up to ${MAX_TOKENS} tokens; medians over all requests. ` +
      'Command: `node --import tsx bench/local-model.bench.ts`.',
    '',
    '| prompt | prompt tokens | direct: prompt tok/s | Switchboard | % | direct: generation tok/s | Switchboard | % | direct: time to first token | Switchboard | added |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const kind of Object.keys(PROMPTS) as PromptKind[]) {
    const a = samples.direct[kind].flat();
    const b = samples.switchboard[kind].flat();
    const pct = (x: number, y: number) => `${((100 * y) / x).toFixed(1)} %`;
    lines.push(
      `| ${kind} | ${median(b.map((x) => x.promptTokens))} | ${promptRate(a).toFixed(0)} | ${promptRate(b).toFixed(0)} | ${pct(promptRate(a), promptRate(b))} | ` +
        `${genRate(a).toFixed(1)} | ${genRate(b).toFixed(1)} | ${pct(genRate(a), genRate(b))} | ${ttft(a).toFixed(1)} ms | ${ttft(b).toFixed(1)} ms | ` +
        `${(ttft(b) - ttft(a)).toFixed(1)} ms |`,
    );
  }
  lines.push(
    '',
    'Direct: `LlamaChat.generateResponse` on the same file in the benchmark process. Switchboard: `POST /v1/chat/completions` ' +
      'with `stream: true` through the official SDK to `src/main.ts`, timed at the client, so its numbers include HTTP, SSE and ' +
      'the SDK. Prompt tokens differ slightly between the sides only when their templates render differently.',
  );
  const block = lines.join('\n');
  process.stdout.write(block + '\n');
  if (WRITE) {
    writeBenchmarkBlock({ id: 'local-model-bench', generatedBy: 'bench/local-model.bench.ts', heading: '## Local models (GGUF, in-process)', block });
    log('BENCHMARKS.md updated');
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`[bench] failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
