import type { FastifyPluginAsync } from 'fastify';
import type { Deps } from '../deps.js';
import { readiness } from '../services/health.service.js';

/**
 * Probes, outside /v1 and without a key: `/health` says the process answers (no database touched:
 * a liveness probe must not fail because PostgreSQL is slow); `/ready` says it can serve (the
 * database reachable within a second, migrations applied), else 503.
 */
export function healthRoutes(deps: Pick<Deps, 'store'>): FastifyPluginAsync {
  return async (app) => {
    app.get('/health', async () => ({ status: 'ok' }));
    app.get('/ready', async (_req, reply) => {
      const r = await readiness(deps);
      return r.ready
        ? { status: 'ready', database: r.database }
        : reply.code(503).send({ status: 'not_ready', database: r.database, detail: r.detail });
    });
  };
}
