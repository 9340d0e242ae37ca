import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Caller, KeyCache } from '../../deps.js';
import { insufficientPermissions, invalidApiKey } from '../../errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller;
    /** The matched route's pattern, read once here (Fastify builds `req.routeOptions` afresh at each read). */
    routeUrl: string | undefined;
  }
}

/** Open mode's one caller: the tenant `default`; it may use every route, the organization's included. */
export const OPEN_CALLER: Caller = Object.freeze({ tenantId: 'default', apiKeyId: 'key_open' });

const NO_KEY =
  "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";

/** Projects and keys: admin keys only. The rest of /v1/organization (usage, costs) takes both kinds of key. */
const MANAGEMENT = /^\/v1\/organization\/(?:admin_api_keys|projects)(?:[/?]|$)/;
const ORGANIZATION = /^\/v1\/organization\//;

const access = (method: string) => (method === 'GET' || method === 'HEAD' ? 'read' : 'write');

/** The scope an admin key lacks on a project route, named as OpenAI names it. */
function projectScope(method: string, path: string): string {
  const segment = /^\/v1\/([^/?]+)/.exec(path)?.[1] ?? '';
  if (segment === 'models') return 'api.model.read';
  if (segment === 'chat' || segment === 'embeddings' || segment === 'completions') return 'model.request';
  return `api.${segment}.${access(method)}`;
}

/** The scope the caller lacks for the route (`path` is the matched route's pattern when there is one), if any. */
export function missingScope(caller: Caller, method: string, path: string): string | undefined {
  if (caller === OPEN_CALLER) return undefined;
  if (caller.admin) return ORGANIZATION.test(path) ? undefined : projectScope(method, path);
  return MANAGEMENT.test(path) ? `api.management.${access(method)}` : undefined;
}

function admitted(caller: Caller | null, req: FastifyRequest): Caller {
  if (!caller) throw invalidApiKey();
  req.routeUrl = req.routeOptions.url;
  const scope = missingScope(caller, req.method, req.routeUrl ?? req.url);
  if (scope) throw insufficientPermissions(scope);
  return caller;
}

function keyCaller(keys: KeyCache, req: FastifyRequest): Caller | Promise<Caller> {
  const header = req.headers.authorization;
  if (!header) throw invalidApiKey(NO_KEY);
  const found = keys.resolve(header);
  return found instanceof Promise ? found.then((c) => admitted(c, req)) : admitted(found, req);
}

function authenticate(keys: KeyCache, req: FastifyRequest): Caller | Promise<Caller> {
  const open = keys.openMode();
  if (open === false) return keyCaller(keys, req);
  if (open === true) return OPEN_CALLER;
  return open.then((o) => (o ? OPEN_CALLER : keyCaller(keys, req)));
}

/**
 * Bearer key → caller, through the key cache (a cached key costs no hashing and no database call), then the
 * route's rights: admin keys reach /v1/organization/… only, project keys everything but projects and keys.
 */
export function authHook(app: FastifyInstance, keys: KeyCache): void {
  app.decorateRequest('caller', null as unknown as Caller);
  app.decorateRequest('routeUrl', undefined);
  app.addHook('onRequest', (req, _reply, done) => {
    if (!req.url.startsWith('/v1/')) return done();
    try {
      const caller = authenticate(keys, req);
      if (!(caller instanceof Promise)) {
        req.caller = caller;
        return done();
      }
      caller.then(
        (c) => {
          req.caller = c;
          done();
        },
        (err: Error) => done(err),
      );
    } catch (err) {
      done(err as Error);
    }
  });
}
