import type { FastifyInstance } from 'fastify';

/**
 * The 4.x SDK sends `Content-Type: application/json` with no body on DELETE and body-less POST calls
 * (cancel, delete), which Fastify would reject as an empty JSON body. A request without a body has
 * no content type to honour: dropping the header lets those calls through.
 */
export function emptyBodyHook(app: FastifyInstance): void {
  app.addHook('onRequest', (req, _reply, done) => {
    const h = req.headers;
    if (h['content-type'] !== undefined && h['transfer-encoding'] === undefined && (h['content-length'] === undefined || h['content-length'] === '0'))
      delete h['content-type'];
    done();
  });
}
