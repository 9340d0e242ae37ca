import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { KeyTable } from '../../config/key-table.js';
import type { Caller } from '../../deps.js';
import { invalidApiKey } from '../../errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller;
  }
}

const OPEN_CALLER: Caller = Object.freeze({ tenantId: 'default', apiKeyId: 'key_open' });

/** Bearer key → tenant, through the key table (which a SIGHUP reload swaps). */
export function authHook(app: FastifyInstance, keys: () => KeyTable): void {
  app.decorateRequest('caller', null as unknown as Caller);
  function callerOf(req: FastifyRequest): Caller {
    if (keys().openMode) return OPEN_CALLER;
    const header = req.headers.authorization;
    if (!header)
      throw invalidApiKey(
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
      );
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const caller = m ? keys().ownerOf(m[1]!) : undefined;
    if (!caller) throw invalidApiKey();
    return caller;
  }
  app.addHook('onRequest', (req, _reply, done) => {
    if (!req.url.startsWith('/v1/')) return done();
    try {
      req.caller = callerOf(req);
      done();
    } catch (err) {
      done(err as Error);
    }
  });
}
