/**
 * Is the benchmark's synthetic 'embedding' shape realistic? The same two figures for the local Universal
 * Sentence Encoder on the labelled set (bench/retrieval-questions.ts: every question against every chunk) and
 * for the synthetic vectors (queries against a store of BENCH_SHAPE_CHUNKS chunks): the mean cosine of a query to
 * its exact top-1 chunk and to a random chunk.
 *
 *   node --import tsx bench/embedding-shape.ts
 */
import { createLocalEncoder } from '../src/embeddings/local-encoder.js';
import { mulberry32 } from '../test/support/prng.js';
import { embedLabelled } from './retrieval-lists.js';
import { shapeFigures, syntheticVectors, type VectorShape } from './synthetic-vectors.js';

const f = (n: number) => n.toFixed(3);

async function realFigures(): Promise<{ top1: number; random: number; queries: number; chunks: number }> {
  const encoder = createLocalEncoder();
  try {
    const labelled = await embedLabelled(encoder);
    const chunks = [...labelled.docChunks.values()].flatMap((d) => d.vectors);
    return { ...shapeFigures(labelled.questionVectors, chunks, mulberry32(5)), queries: labelled.questionVectors.length, chunks: chunks.length };
  } finally {
    await encoder.close();
  }
}

function syntheticFigures(shape: VectorShape, chunks: number, queries: number): { top1: number; random: number } {
  const space = syntheticVectors(shape, 512);
  const store = Array.from({ length: chunks }, (_, i) => space.chunk(i));
  const rand = mulberry32(9);
  const qs = Array.from({ length: queries }, () => space.query(rand, chunks));
  return shapeFigures(qs, store, mulberry32(5));
}

const chunks = Number(process.env.BENCH_SHAPE_CHUNKS ?? 20_000);
const real = await realFigures();
console.log(`USE on the labelled set (${real.queries} questions, ${real.chunks} chunks): query→top-1 ${f(real.top1)}, query→random chunk ${f(real.random)}`);
for (const shape of ['embedding', 'random'] as const) {
  const s = syntheticFigures(shape, chunks, 200);
  console.log(`synthetic '${shape}' (200 queries, ${chunks} chunks): query→top-1 ${f(s.top1)}, query→random chunk ${f(s.random)}`);
}
