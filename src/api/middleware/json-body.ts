import { errorCodes, type FastifyInstance } from 'fastify';
import { invalidRequest, type ApiError } from '../../errors.js';
import { zodPath } from '../schemas/zod-to-api-error.js';

/**
 * Arrays and objects nested deeper than this are refused. JSON.parse itself copes with any depth, but
 * JSON.stringify, zod and every other recursive walk over a body overflow the stack somewhere near
 * 10,000 levels; real bodies (JSON schemas included) stay far below 128.
 */
export const MAX_JSON_DEPTH = 128;

type Path = Array<string | number>;

const tooDeep = () =>
  invalidRequest(`The JSON body is nested too deeply: at most ${MAX_JSON_DEPTH} levels of arrays and objects are accepted.`);

const prototypeKey = (path: Path) =>
  invalidRequest(
    `Invalid key in the JSON body at '${zodPath(path)}': '__proto__' and 'constructor.prototype' are not accepted as keys.`,
    zodPath(path),
    'invalid_value',
  );

const nulCharacter = (path: Path) =>
  invalidRequest(
    `Invalid '${zodPath(path) ?? 'body'}': strings may not contain the null character (\\u0000).`,
    zodPath(path),
    'invalid_value',
  );

const isContainer = (v: unknown): v is object => typeof v === 'object' && v !== null;

/**
 * The first reason to refuse a parsed JSON body: nesting deeper than MAX_JSON_DEPTH, a `__proto__` key or a
 * `constructor` object with a `prototype` key (what Fastify's own parser refuses, so that no copy of the body
 * can reach a prototype), or, when `nul` is set, a NUL in a string or key (PostgreSQL's text cannot hold one).
 * Primitives are never visited one by one, so a long array of numbers costs one loop.
 */
export function jsonBodyProblem(root: unknown, opts: { nul: boolean }): ApiError | undefined {
  return new BodyWalk(opts.nul).visit(root);
}

/**
 * One walk over a parsed body, with the path to where it is. Methods, not closures: every request's body is walked,
 * and under tsx (`npm start`) each closure a call makes is also named with an Object.defineProperty (~0.3 µs).
 */
class BodyWalk {
  readonly #path: Path = [];
  readonly #nul: boolean;

  constructor(nul: boolean) {
    this.#nul = nul;
  }

  visit(node: unknown): ApiError | undefined {
    const path = this.#path;
    if (typeof node === 'string') return this.#nul && node.includes('\0') ? nulCharacter(path) : undefined;
    if (!isContainer(node)) return undefined;
    if (path.length >= MAX_JSON_DEPTH) return tooDeep();
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) if (this.#worthVisiting(node[i])) {
        const problem = this.#child(i, node[i]);
        if (problem) return problem;
      }
      return undefined;
    }
    for (const [key, value] of Object.entries(node)) {
      if (key === '__proto__' || (key === 'constructor' && isContainer(value) && Object.hasOwn(value, 'prototype')))
        return prototypeKey([...path, key]);
      if (this.#nul && key.includes('\0')) return nulCharacter(path);
      const problem = this.#worthVisiting(value) ? this.#child(key, value) : undefined;
      if (problem) return problem;
    }
    return undefined;
  }

  #worthVisiting(v: unknown): boolean {
    return isContainer(v) || (this.#nul && typeof v === 'string');
  }

  #child(key: string | number, value: unknown): ApiError | undefined {
    this.#path.push(key);
    const problem = this.visit(value);
    this.#path.pop();
    return problem;
  }
}

/**
 * Replaces Fastify's JSON parser: the body is parsed with JSON.parse, then refused (400, OpenAI's shape) for
 * what jsonBodyProblem() finds. A NUL can only be written `\u0000` in JSON text, so strings are looked
 * at only when the text holds that escape.
 */
export function jsonBodyParser(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = body as string;
    if (text.length === 0) return done(new errorCodes.FST_ERR_CTP_EMPTY_JSON_BODY(), undefined);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return done(new errorCodes.FST_ERR_CTP_INVALID_JSON_BODY(), undefined);
    }
    const problem = jsonBodyProblem(parsed, { nul: text.includes('\\u0000') });
    if (problem) return done(problem, undefined);
    done(null, parsed);
  });
}
