// Builds the web console (console/) into console/dist/: one minified, content-hashed script and stylesheet under
// dist/assets/, index.html pointing at them, and a .br and a .gz beside every file (served pre-compressed).
// esbuild, because it is already in the tree (tsx runs on it) and builds the console in well under a second.
// Run by `npm run build:console`, by npm's `prepare` (so `npm ci` leaves a built console), and by the test runner.
import { build } from 'esbuild';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const consoleDir = path.join(root, 'console');
const DIST = path.join(consoleDir, 'dist');
/** Built aside and swapped in, so a server (or a parallel build) never sees half a dist. */
const staging = path.join(consoleDir, `.dist-${process.pid}`);
/** Where the page asks for its assets; the server serves dist/assets there (src/api/console.ts). */
const ASSETS_URL = '/console/assets/';

function filesUnder(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)],
  );
}

/** Writes `file.br` and `file.gz` next to every built file. */
function compressAll() {
  for (const file of filesUnder(staging)) {
    const body = readFileSync(file);
    writeFileSync(`${file}.br`, brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
    writeFileSync(`${file}.gz`, gzipSync(body, { level: 9 }));
  }
}

/** The entry's script and its stylesheet, as URLs, from esbuild's metafile. */
function entryAssets(metafile) {
  const [out, meta] = Object.entries(metafile.outputs).find(([, o]) => o.entryPoint);
  const url = (file) => ASSETS_URL + path.basename(file);
  return { script: url(out), styles: meta.cssBundle ? url(meta.cssBundle) : undefined };
}

function writeIndex({ script, styles }) {
  const html = readFileSync(path.join(consoleDir, 'index.html'), 'utf8')
    .replace('<!-- build: styles -->', styles ? `<link rel="stylesheet" href="${styles}" />` : '')
    .replace('<!-- build: script -->', `<script type="module" src="${script}"></script>`);
  writeFileSync(path.join(staging, 'index.html'), html);
}

/** Replaces console/dist with the fresh build (the old one is moved aside first, then removed). */
function swapIn() {
  const old = `${staging}-old`;
  if (existsSync(DIST)) renameSync(DIST, old);
  try {
    renameSync(staging, DIST);
  } catch (err) {
    // A build running beside this one swapped its dist in first: the same sources, so the same files.
    if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
    rmSync(staging, { recursive: true, force: true });
  }
  rmSync(old, { recursive: true, force: true });
}

export async function buildConsole({ quiet = false } = {}) {
  const start = performance.now();
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    await buildInto(staging);
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }
  swapIn();
  if (!quiet) {
    const size = filesUnder(DIST)
      .filter((f) => f.endsWith('.br'))
      .reduce((sum, f) => sum + statSync(f).size, 0);
    console.log(`[build:console] console/dist in ${Math.round(performance.now() - start)} ms (${(size / 1024).toFixed(0)} kB brotli)`);
  }
}

async function buildInto(staging) {
  const result = await build({
    absWorkingDir: root,
    entryPoints: ['console/src/main.tsx'],
    outdir: path.join(staging, 'assets'),
    entryNames: '[name]-[hash]',
    assetNames: '[name]-[hash]',
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
  });
  writeIndex(entryAssets(result.metafile));
  compressAll();
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildConsole().catch((err) => {
    console.error(`[build:console] ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  });
}
