/**
 * Ingestion throughput (issue 15 item 4), side by side in one run, on a generated PDF of BENCH_PAGES pages:
 *
 *   npm run bench:ingestion
 *   BENCH_PAGES=50 BENCH_WRITE=0 npm run bench:ingestion      # quick
 *
 * 1. extract + chunk (800/400 tokens), as indexFile does;
 * 2. the local encoder (Universal Sentence Encoder lite) embedding every chunk through indexFile, on 1 worker thread
 *    and then on one per core (os.availableParallelism(), at most 4, as the server), batches of LOCAL_EMBED_BATCH_SIZE as the server does;
 * 3. the whole path through the server (upload → vector store file completed, SQLite), the local encoder on every
 *    core: time to completion and the file's `indexing_progress` as polled meanwhile;
 * 4. the same with an upstream embedding model (a local server answering after BENCH_UPSTREAM_BASE_MS +
 *    BENCH_UPSTREAM_PER_INPUT_MS per input, 512-d): one request at a time (embedConcurrency 1, the old path) against
 *    the pipeline (4 in flight, index writes overlapping), interleaved over BENCH_ROUNDS rounds.
 * Each row reports seconds, chunks/s, this process's CPU seconds (worker threads included) and the share of all
 * cores other processes used meanwhile. The markdown goes to stdout and into BENCHMARKS.md between the
 * `ingestion` markers (BENCH_WRITE: 0 never, force even when the machine was busy).
 * Env (defaults): BENCH_PAGES (500), BENCH_ROUNDS (2), BENCH_LOCAL (1; 0 skips the local encoder's rows), BENCH_UPSTREAM_BASE_MS (300), BENCH_UPSTREAM_PER_INPUT_MS (8),
 * BENCH_WRITE.
 */
import os from 'node:os';
import type OpenAI from 'openai';
import { toFile } from 'openai';
import { createLocalEncoder, MAX_DEFAULT_ENCODER_THREADS } from '../src/embeddings/local-encoder.js';
import { chunkText } from '../src/retrieval/chunk.js';
import { extractText } from '../src/retrieval/extract.js';
import { AUTO_CHUNKING, EMBED_BATCH_SIZE, LOCAL_EMBED_BATCH_SIZE, indexFile } from '../src/retrieval/index-file.js';
import type { IndexingProgress } from '../src/store/serialize-vector-stores.js';
import { createTestApp, type TestApp } from '../test/support/create-test-app.js';
import { writeIfQuiet, writeModeFromEnv } from './support/benchmarks-md.js';
import { codeState } from './support/code-state.js';
import { cpuMark, foreignShare } from './support/cpu.js';
import { envInt } from './support/env.js';
import { generatePdf, startSlowEmbeddings } from './support/ingestion-fixtures.js';

const PAGES = envInt('BENCH_PAGES', 500);
const ROUNDS = envInt('BENCH_ROUNDS', 2);
/** 0: skip the local encoder's rows (minutes on a busy 2-core machine), keep extraction and the upstream rows. */
const LOCAL = envInt('BENCH_LOCAL', 1, 0) !== 0;
const BASE_MS = envInt('BENCH_UPSTREAM_BASE_MS', 300, 0);
const PER_INPUT_MS = envInt('BENCH_UPSTREAM_PER_INPUT_MS', 8, 0);
const THREADS = Math.min(os.availableParallelism(), MAX_DEFAULT_ENCODER_THREADS); // what the server uses
const log = (line: string) => process.stderr.write(`[ingestion] ${line}\n`);

interface Row {
  path: string;
  chunks: number;
  seconds: number;
  cpuSeconds: number;
  /** Share of all cores other processes used meanwhile (0..1), when known. */
  others: number | undefined;
}

/** Times `fn`, with this process's CPU (all its threads) and the other processes' share of the machine. */
async function measure(path: string, chunks: number, fn: () => Promise<void>): Promise<Row> {
  const mark = cpuMark([process.pid]);
  const cpu = process.cpuUsage();
  const start = performance.now();
  await fn();
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  const row = { path, chunks, seconds, cpuSeconds: (used.user + used.system) / 1e6, others: foreignShare(mark, cpuMark([process.pid])) };
  log(`${path}: ${seconds.toFixed(1)} s, ${(chunks / seconds).toFixed(1)} chunks/s`);
  return row;
}

async function embedLocally(pdf: Buffer, threads: number): Promise<number> {
  const encoder = createLocalEncoder({ threads });
  try {
    const readFile = async () => ({ filename: 'bench.pdf', bytes: pdf });
    const file = { tenantId: 'bench', fileId: 'file-bench', chunkingStrategy: AUTO_CHUNKING };
    const signal = new AbortController().signal;
    const r = await indexFile({ readFile, embedder: encoder }, file, signal, { batchSize: LOCAL_EMBED_BATCH_SIZE, onBatch: async () => {} });
    return r.chunkCount;
  } finally {
    await encoder.close();
  }
}

type Sample = { seconds: number; progress: IndexingProgress | undefined; usageBytes: number };

/** Uploads the PDF into a new vector store and polls its file until it is no longer in progress. */
async function ingestThroughServer(client: OpenAI, pdf: Buffer, pollMs: number): Promise<Sample[]> {
  const start = performance.now();
  const vs = await client.vectorStores.create({ name: 'bench' });
  const uploaded = await client.files.create({ file: await toFile(pdf, 'bench.pdf'), purpose: 'assistants' });
  await client.vectorStores.files.create(vs.id, { file_id: uploaded.id });
  const samples: Sample[] = [];
  for (;;) {
    const file = await client.vectorStores.files.retrieve(uploaded.id, { vector_store_id: vs.id });
    const progress = (file as typeof file & { indexing_progress?: IndexingProgress }).indexing_progress;
    samples.push({ seconds: (performance.now() - start) / 1000, progress, usageBytes: file.usage_bytes });
    if (file.status !== 'in_progress') {
      if (file.status !== 'completed') throw new Error(`the file ended ${file.status}: ${file.last_error?.message}`);
      return samples;
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** `t s: indexed/total` at about each quarter of the run. */
function progressLine(samples: Sample[]): string {
  const shown = samples.filter((s) => s.progress?.total_chunks);
  const picks = [0.25, 0.5, 0.75].map((q) => shown[Math.min(shown.length - 1, Math.floor(q * shown.length))]).filter(Boolean);
  return [...new Set(picks)].map((s) => `${s!.seconds.toFixed(1)} s: ${s!.progress!.indexed_chunks}/${s!.progress!.total_chunks} chunks, usage_bytes ${s!.usageBytes}`).join(' · ');
}

/** The local encoder's rows: 1 thread, then THREADS, embedding only; then the server path, its progress polled. */
async function measureLocal(rows: Row[], pdf: Buffer, chunks: number): Promise<Sample[]> {
  rows.push(await measure('local encoder, 1 worker thread (embed only)', chunks, async () => void (await embedLocally(pdf, 1))));
  rows.push(await measure(`local encoder, ${THREADS} worker threads (embed only)`, chunks, async () => void (await embedLocally(pdf, THREADS))));
  const local = await createTestApp();
  let samples: Sample[] = [];
  try {
    const label = `server, local encoder on ${THREADS} threads: upload → completed`;
    rows.push(await measure(label, chunks, async () => void (samples = await ingestThroughServer(local.client(), pdf, 500))));
  } finally {
    await local.close();
  }
  return samples;
}

async function upstreamApp(upstreamUrl: string, embedConcurrency: number): Promise<TestApp> {
  return createTestApp({
    env: { SWITCHBOARD_UPSTREAM_URL: upstreamUrl, SWITCHBOARD_UPSTREAM_API_KEY: 'sk-bench' },
    yaml: 'models:\n  bench-embed: { provider: default, model: bench-embed }\nembeddings: { retrieval_model: bench-embed }\n',
    server: { ingestion: { embedConcurrency } },
  });
}

const pct = (share: number | undefined) => (share === undefined ? 'n/a' : `${Math.round(share * 100)} %`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function table(rows: Row[]): string {
  const lines = ['| path | chunks | seconds | chunks/s | CPU s (this process) | other processes\' CPU |', '|---|---:|---:|---:|---:|---:|'];
  for (const r of rows)
    lines.push(`| ${r.path} | ${r.chunks} | ${r.seconds.toFixed(2)} | ${(r.chunks / r.seconds).toFixed(1)} | ${r.cpuSeconds.toFixed(1)} | ${pct(r.others)} |`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const code = codeState();
  log(`generating a ${PAGES}-page PDF`);
  const pdf = await generatePdf({ pages: PAGES });
  let chunks = 0;
  const rows: Row[] = [];
  rows.push(
    await measure(`extract + chunk (800/400) of ${PAGES} pages, ${(pdf.length / 1e6).toFixed(1)} MB`, 0, async () => {
      chunks = chunkText(await extractText({ filename: 'bench.pdf', bytes: pdf }), { maxTokens: 800, overlapTokens: 400 }).length;
    }),
  );
  rows[0]!.chunks = chunks;
  const samples = LOCAL ? await measureLocal(rows, pdf, chunks) : [];

  const slow = await startSlowEmbeddings({ baseMs: BASE_MS, perInputMs: PER_INPUT_MS, dims: 512 });
  const sequential = await upstreamApp(slow.url, 1);
  const pipelined = await upstreamApp(slow.url, 4);
  const upstreamRows: Record<'sequential' | 'pipelined', Row[]> = { sequential: [], pipelined: [] };
  let pipelinedSamples: Sample[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++)
      for (const [name, app] of round % 2 === 0 ? ([['sequential', sequential], ['pipelined', pipelined]] as const) : ([['pipelined', pipelined], ['sequential', sequential]] as const)) {
        const label = name === 'sequential' ? 'server, upstream model, 1 request at a time' : 'server, upstream model, pipelined (4 in flight)';
        upstreamRows[name].push(
          await measure(label, chunks, async () => {
            const polled = await ingestThroughServer(app.client(), pdf, 250);
            if (name === 'pipelined') pipelinedSamples = polled;
          }),
        );
      }
  } finally {
    await Promise.all([sequential.close(), pipelined.close(), slow.close()]);
  }
  for (const name of ['sequential', 'pipelined'] as const) {
    const all = upstreamRows[name];
    rows.push({ ...all[0]!, seconds: median(all.map((r) => r.seconds)), cpuSeconds: median(all.map((r) => r.cpuSeconds)), others: median(all.map((r) => r.others ?? 0)) });
  }

  const busy = rows.filter((r) => (r.others ?? 0) > 0.25).length > rows.length / 2;
  const block = [
    `${PAGES}-page generated PDF, ${chunks} chunks of 800 tokens (400 overlap); ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), Node ${process.version}; ${code}; ${new Date().toISOString().slice(0, 10)}.`,
    `Command: \`npm run bench:ingestion\` (BENCH_PAGES=${PAGES}, BENCH_ROUNDS=${ROUNDS}, BENCH_LOCAL=${LOCAL ? 1 : 0}, upstream answers after ${BASE_MS} ms + ${PER_INPUT_MS} ms per input, batches of ${EMBED_BATCH_SIZE} (local encoder: ${LOCAL_EMBED_BATCH_SIZE}); upstream rows: median of ${ROUNDS} interleaved rounds).`,
    '',
    table(rows),
    '',
    `Progress of the vector store file while in progress, as polled (server, local encoder): ${progressLine(samples) || 'n/a'}.`,
    `The same, upstream model pipelined: ${progressLine(pipelinedSamples) || 'n/a'}.`,
    `Upstream: ${slow.stats().requests} embedding requests answered, at most ${slow.stats().maxInFlight} in flight at once.`,
  ].join('\n');
  process.stdout.write(`${block}\n`);
  writeIfQuiet({ id: 'ingestion', generatedBy: 'npm run bench:ingestion', heading: '## Ingestion (file_search)', block, mode: writeModeFromEnv(), disturbed: busy, log });
}

await main();
