import type { FastifyInstance, FastifyRequest } from 'fastify';
import { hashKey, type Config } from '../../config.js';
import type { Caller } from '../../deps.js';
import { invalidApiKey } from '../../errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller;
  }
}

const OPEN_CALLER: Caller = Object.freeze({ tenantId: 'default', apiKeyId: 'key_open' });

/** Bearer key → tenant. Keys are compared by their sha256, so the lookup takes the same time for any key. */
export function authHook(app: FastifyInstance, config: Pick<Config, 'keys' | 'openMode'>): void {
  const byHash = new Map(config.keys.map((k) => [k.hash, { tenantId: k.tenant, apiKeyId: k.id }]));
  // Keys already verified skip the hash; only configured keys ever enter, so it stays small.
  const verified = new Map<string, Caller>();
  app.decorateRequest('caller', null as unknown as Caller);
  function callerOf(req: FastifyRequest): Caller {
    if (config.openMode) return OPEN_CALLER;
    const header = req.headers.authorization;
    if (!header)
      throw invalidApiKey(
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
      );
    const known = verified.get(header);
    if (known) return known;
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const caller = m ? byHash.get(hashKey(m[1]!)) : undefined;
    if (!caller) throw invalidApiKey();
    if (verified.size < 10_000) verified.set(header, caller);
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
