import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync } from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import { consoleRoutes } from './console.js';
import { errorHandlers } from './error-handler.js';

const INDEX = '<!doctype html><title>console</title>';
const SCRIPT = 'console.log("app")';

/** A dist folder as scripts/build-console.mjs writes it: index.html and a hashed, pre-compressed asset. */
function fakeDist(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sb-console-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), INDEX);
  writeFileSync(join(dir, 'assets', 'main-ABC123.js'), SCRIPT);
  writeFileSync(join(dir, 'assets', 'main-ABC123.js.br'), brotliCompressSync(SCRIPT));
  return dir;
}

async function appOver(distDir: string, warnings: string[] = [], openMode = false): Promise<FastifyInstance> {
  const app = Fastify();
  errorHandlers(app, 1024);
  await app.register(consoleRoutes({ log: { warn: (msg: string) => void warnings.push(msg) }, openMode: () => openMode, distDir }));
  return app;
}

describe('consoleRoutes', () => {
  it('should answer / and every /console/… page with index.html, not cached', async () => {
    const app = await appOver(fakeDist());
    for (const url of ['/', '/console', '/console/threads/thread_abc']) {
      const res = await app.inject({ url });
      assert.equal(res.statusCode, 200, url);
      assert.equal(res.body, INDEX);
      assert.match(String(res.headers['content-type']), /^text\/html/);
      assert.equal(res.headers['cache-control'], 'no-cache');
    }
  });

  it('should serve hashed assets pre-compressed and immutable for a year', async () => {
    const app = await appOver(fakeDist());
    const res = await app.inject({ url: '/console/assets/main-ABC123.js', headers: { 'accept-encoding': 'br, gzip' } });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-encoding'], 'br');
    assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.deepEqual(res.rawPayload, brotliCompressSync(SCRIPT));
  });

  it('should answer a missing asset and paths outside the console with OpenAI-shaped 404s', async () => {
    const app = await appOver(fakeDist());
    const asset = await app.inject({ url: '/console/assets/nope.js' });
    assert.equal(asset.statusCode, 404);
    assert.equal(asset.json().error.message, 'Invalid URL (GET /console/assets/nope.js)');
    const other = await app.inject({ url: '/elsewhere' });
    assert.deepEqual(other.json(), {
      error: { message: 'Invalid URL (GET /elsewhere)', type: 'invalid_request_error', param: null, code: null },
    });
  });

  it('should tell the page whether the server is in open mode, built or not', async () => {
    for (const openMode of [true, false])
      for (const dist of [fakeDist(), join(tmpdir(), 'sb-console-missing-dist')]) {
        const res = await (await appOver(dist, [], openMode)).inject({ url: '/console/mode.json' });
        assert.deepEqual(res.json(), { open_mode: openMode });
        assert.equal(res.headers['cache-control'], 'no-store');
      }
  });

  it('should log once and answer 404 saying to build it when the console is not built', async () => {
    const warnings: string[] = [];
    const app = await appOver(join(tmpdir(), 'sb-console-missing-dist'), warnings);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /npm run build:console/);
    const res = await app.inject({ url: '/console/usage' });
    assert.equal(res.statusCode, 404);
    assert.deepEqual(res.json(), {
      error: {
        message: 'The web console is not built: run `npm run build:console` and restart the server.',
        type: 'invalid_request_error',
        param: null,
        code: 'console_not_built',
      },
    });
  });
});
