import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { KeyCache } from '../deps.js';
import { invalidApiKey } from '../errors.js';
import { metrics } from '../telemetry/metrics.js';

/** True when the request's bearer secret hashes to `keyHash` (compared in constant time). */
function hasKey(req: FastifyRequest, keyHash: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  if (!m) return false;
  const given = createHash('sha256').update(m[1]!).digest();
  return timingSafeEqual(given, Buffer.from(keyHash, 'hex'));
}

/** True when the request carries an organization admin key. */
async function hasAdminKey(req: FastifyRequest, keys: Pick<KeyCache, 'resolve'>): Promise<boolean> {
  const header = req.headers.authorization;
  return header !== undefined && (await keys.resolve(header))?.admin === true;
}

/**
 * `GET /metrics`: the Prometheus text exposition (outside /v1), while metrics are on (`metrics.enabled`, which a
 * reload may change: off, the route answers as an unknown one). With a metrics key configured
 * (SWITCHBOARD_METRICS_KEY, `metrics.key`) or `metrics.require_key`, a scrape without that key or an admin key
 * gets OpenAI's 401.
 */
export function metricsRoutes(keys: Pick<KeyCache, 'resolve'>): FastifyPluginAsync {
  return async (app) => {
    app.get('/metrics', async (req, reply) => {
      if (!metrics.enabled) return reply.callNotFound();
      const { keyHash, requireKey } = metrics.access;
      const admitted = !requireKey || (keyHash !== null && hasKey(req, keyHash)) || (await hasAdminKey(req, keys));
      if (!admitted) throw invalidApiKey('This endpoint needs the metrics key or an admin key as a Bearer token.');
      const text = await metrics.render();
      return reply.type(metrics.contentType).send(text);
    });
  };
}
