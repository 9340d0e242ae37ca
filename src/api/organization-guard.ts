import type { FastifyInstance } from 'fastify';
import { insufficientPermissions } from '../errors.js';
import { OPEN_CALLER } from './middleware/auth.js';

/**
 * Projects and keys are for admin keys: the auth hook refuses project keys by the matched route already; this
 * hook, on the organization plugins' own routes, holds whatever path reached them.
 */
export function adminOnly(app: FastifyInstance): void {
  app.addHook('onRequest', async (req) => {
    if (req.caller.admin || req.caller === OPEN_CALLER) return;
    throw insufficientPermissions(`api.management.${req.method === 'GET' ? 'read' : 'write'}`);
  });
}
