// The web console (console/, built into console/dist by scripts/build-console.mjs), served outside /v1 and without
// auth: the page is public, and every data call it makes carries the user's key to /v1 like any other client.
//   /console/assets/*  content-hashed files, pre-compressed (.br/.gz), cached for a year as immutable
//   /, /console, /console/*  index.html (no-cache), which routes in the browser
//   /console/mode.json  { open_mode }: whether the server takes calls without a key, so the page can skip the sign-in
//                       form without first provoking a 401 (which the browser would log as an error)
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { consoleNotBuilt } from '../errors.js';

export const CONSOLE_DIST = fileURLToPath(new URL('../../console/dist/', import.meta.url));
const ONE_YEAR_MS = 365 * 24 * 3600 * 1000;
const PAGE_PATHS = ['/', '/console', '/console/*'];

export function consoleRoutes(opts: { log: Pick<Logger, 'warn'>; openMode: () => boolean | Promise<boolean>; distDir?: string }): FastifyPluginAsync {
  const distDir = opts.distDir ?? CONSOLE_DIST;
  return async (app) => {
    app.get('/console/mode.json', async (_req, reply) => reply.header('cache-control', 'no-store').send({ open_mode: await opts.openMode() }));
    if (!existsSync(`${distDir}/index.html`)) {
      opts.log.warn(`the web console is not built (${distDir} is missing): run \`npm run build:console\``);
      for (const url of PAGE_PATHS) app.get(url, async () => Promise.reject(consoleNotBuilt()));
      return;
    }
    await app.register(fastifyStatic, {
      root: `${distDir}/assets`,
      prefix: '/console/assets/',
      preCompressed: true,
      immutable: true,
      maxAge: ONE_YEAR_MS,
      index: false,
    });
    const page = (_req: unknown, reply: FastifyReply) =>
      reply.header('cache-control', 'no-cache').sendFile('index.html', distDir, { cacheControl: false });
    for (const url of PAGE_PATHS) app.get(url, page);
  };
}
