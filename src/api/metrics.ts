import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import { invalidApiKey } from '../errors.js';
import { metrics } from '../telemetry/metrics.js';

/** True when the request's bearer secret hashes to `keyHash` (compared in constant time). */
function hasKey(req: FastifyRequest, keyHash: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  if (!m) return false;
  const given = createHash('sha256').update(m[1]!).digest();
  return timingSafeEqual(given, Buffer.from(keyHash, 'hex'));
}

/**
 * `GET /metrics`: the Prometheus text exposition (outside /v1). With a metrics key configured
 * (SWITCHBOARD_METRICS_KEY, `metrics.key`), a scrape without it gets OpenAI's 401.
 */
export function metricsRoutes(config: Pick<Config, 'metrics'>): FastifyPluginAsync {
  return async (app) => {
    if (!config.metrics.enabled) return;
    const keyHash = config.metrics.keyHash;
    app.get('/metrics', async (req, reply) => {
      if (keyHash && !hasKey(req, keyHash)) throw invalidApiKey('This endpoint needs the metrics key as a Bearer token.');
      const text = await metrics.render();
      return reply.type(metrics.contentType).send(text);
    });
  };
}
