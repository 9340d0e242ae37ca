import type { FastifyInstance, FastifyRequest } from 'fastify';
import { invalidRequest, notFound, type ApiError } from '../../errors.js';

const hasNul = (v: unknown): boolean => (typeof v === 'string' ? v.includes('\0') : Array.isArray(v) && v.some(hasNul));

/** `assistant_id` → 'assistant', `vector_store_id` → 'vector store'. */
const kindOf = (param: string) => param.replace(/_id$/, '').replaceAll('_', ' ');

function nulProblem(req: FastifyRequest): ApiError | undefined {
  const params = (req.params ?? {}) as Record<string, unknown>;
  for (const [name, value] of Object.entries(params))
    if (typeof value === 'string' && value.includes('\0')) return notFound(kindOf(name), value);
  const query = (req.query ?? {}) as Record<string, unknown>;
  for (const [name, value] of Object.entries(query))
    if (hasNul(value))
      return invalidRequest(`Invalid '${name}': strings may not contain the null character (\\u0000).`, name, 'invalid_value');
  return undefined;
}

/**
 * A NUL in a path id answers 404 and one in a query parameter 400, on every store: PostgreSQL's text cannot hold
 * a NUL and failed the query with a 500 where SQLite answered. A NUL reaches the URL only as `%00`, so other
 * requests pass after one string search. (NULs in JSON bodies are refused by the JSON parser, json-body.ts.)
 */
export function nulInUrlHook(app: FastifyInstance): void {
  app.addHook('onRequest', (req, _reply, done) => {
    if (!req.url.includes('%00')) return done();
    const problem = nulProblem(req);
    done(problem);
  });
}
