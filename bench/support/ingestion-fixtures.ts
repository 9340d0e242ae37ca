import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { mulberry32 } from '../../test/support/prng.js';

const WORDS = (
  'harbour lighthouse keeper ledger invoice tariff refund warranty turbine valve pressure sensor calibration ' +
  'protocol audit clause tenant landlord deposit renewal schedule shipment pallet customs broker freight ' +
  'quarterly revenue margin forecast budget variance payroll pension benefit holiday leave policy manager ' +
  'engineer reactor coolant module firmware battery charger voltage circuit fuse breaker panel inspection'
).split(' ');

/**
 * A PDF of `pages` pages, each `lines` lines of 12 words drawn from a small vocabulary (seeded: the same every
 * run), numbered so every page's text differs: ~300 words (~400 tokens) a page with the defaults.
 */
export async function generatePdf(opts: { pages: number; lines?: number; seed?: number }): Promise<Buffer> {
  const random = mulberry32(opts.seed ?? 15);
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  for (let p = 0; p < opts.pages; p++) {
    const page = pdf.addPage([612, 792]);
    page.drawText(`Page ${p + 1}`, { x: 50, y: 750, size: 12, font });
    for (let l = 0; l < (opts.lines ?? 25); l++) {
      const words = Array.from({ length: 12 }, () => WORDS[Math.floor(random() * WORDS.length)]!);
      page.drawText(`${p + 1}.${l + 1} ${words.join(' ')}.`, { x: 50, y: 720 - l * 26, size: 10, font });
    }
  }
  return Buffer.from(await pdf.save());
}

/** Deterministic unit vector of `dims` floats for a text (FNV-1a seeded xorshift). */
function vectorOf(text: string, dims: number): number[] {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  let x = h >>> 0 || 1;
  const v = Array.from({ length: dims }, () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return (x / 0xffffffff) * 2 - 1;
  });
  const norm = Math.hypot(...v) || 1;
  return v.map((n) => n / norm);
}

export interface SlowEmbeddings {
  url: string;
  /** Requests answered so far, and the most in flight at once. */
  stats(): { requests: number; maxInFlight: number };
  close(): Promise<void>;
}

/**
 * An OpenAI-compatible /v1/embeddings that answers after `baseMs` + `perInputMs` per input (an upstream's latency:
 * OpenAI takes ~1 s for 64 chunks of 800 tokens), with `dims`-d vectors; requests in flight are served in parallel.
 */
export async function startSlowEmbeddings(opts: { baseMs: number; perInputMs: number; dims: number }): Promise<SlowEmbeddings> {
  let requests = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(parts).toString('utf8')) as { input: string[] };
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      setTimeout(() => {
        inFlight--;
        requests++;
        const data = body.input.map((t, index) => ({ object: 'embedding', index, embedding: vectorOf(t, opts.dims) }));
        const tokens = body.input.reduce((n, t) => n + Math.ceil(t.length / 4), 0);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ object: 'list', data, model: 'bench-embed', usage: { prompt_tokens: tokens, total_tokens: tokens } }));
      }, opts.baseMs + opts.perInputMs * body.input.length);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    stats: () => ({ requests, maxInFlight }),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
