import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Llama, LlamaLogLevel } from 'node-llama-cpp';
import { ApiError } from '../../errors.js';

/**
 * node-llama-cpp, loaded on demand from the optional `local-inference/` part (its own package.json
 * and lock, installed by `npm run local:install`), so a server without local models never needs it.
 * Only its types are imported statically; they are erased at run time.
 */
export type NodeLlamaCpp = typeof import('node-llama-cpp');

/** The part's folder in this repository (SWITCHBOARD_LOCAL_INFERENCE_DIR names another). */
export const DEFAULT_RUNTIME_DIR = fileURLToPath(new URL('../../../local-inference', import.meta.url));

const entryOf = (dir: string) => join(dir, 'node_modules', 'node-llama-cpp', 'dist', 'index.js');

export function installHint(dir = DEFAULT_RUNTIME_DIR): string {
  const where = dir === DEFAULT_RUNTIME_DIR ? '' : ` (looked in ${dir}, from SWITCHBOARD_LOCAL_INFERENCE_DIR)`;
  return (
    `Local models need the optional local-inference part (node-llama-cpp, ~80 MB)${where}: ` +
    'run `npm run local:install` (or `npx switchboard local install`) in the Switchboard folder, then restart.'
  );
}

/** 503 with code `local_runtime_missing`: the part is not installed. */
export const runtimeMissing = (dir: string, detail?: string) =>
  new ApiError({
    status: 503,
    type: 'server_error',
    code: 'local_runtime_missing',
    message: detail ? `${installHint(dir)} (${detail})` : installHint(dir),
  });

export function isRuntimeInstalled(dir = DEFAULT_RUNTIME_DIR): boolean {
  return existsSync(entryOf(dir));
}

const modules = new Map<string, Promise<NodeLlamaCpp>>();

interface TerminalModule {
  [name: string]: { prototype: { getGrammar(this: { allowFractional?: boolean }): string } } | undefined;
}

async function terminal(dir: string, name: string) {
  const file = join(dir, 'node_modules', 'node-llama-cpp', 'dist', 'utils', 'gbnfJson', 'terminals', `${name}.js`);
  const found = ((await import(pathToFileURL(file).href)) as TerminalModule)[name];
  if (!found) throw new Error(`${name} not found`);
  return found;
}

interface ParamsGrammarModule {
  FunctionCallParamsGrammar?: { prototype: { parseParams(callText: string): unknown } };
}

/**
 * Fixes to node-llama-cpp 3.21.1's JSON grammar, made by replacing methods of its classes (they are
 * not exported, so they are reached by their files in the pinned version):
 * - numbers: integers could carry an exponent (`5e-3` for an "integer", `1e999999` = Infinity) and
 *   16 digits (past 2^53); now integers are plain with at most 15 digits, exponents at most 2 digits;
 * - string characters: a character outside the BMP counted as one toward maxLength, but node-llama-cpp's
 *   own validator (and JavaScript) count it as two, so a forced call could fail validation after it
 *   was generated; such characters now come only as `\u` escape pairs, counted as two. Surrogates and
 *   code points past U+10FFFF (which a byte-token sequence can spell, but which do not decode) are
 *   left out of raw string text as well;
 * - invalid UTF-8: llama.cpp's grammar decodes byte tokens leniently (an overlong sequence counts as
 *   the character it spells), while detokenizing turns each of its bytes into U+FFFD; a
 *   generated call could then fail node-llama-cpp's own validation (a string over maxLength) and the
 *   whole generation with it. Function-call params drop U+FFFD before they are parsed and validated
 *   (the text of a grammar-constrained answer drops it too, in chat-model.ts).
 */
async function fixJsonGrammar(dir: string): Promise<void> {
  const number = await terminal(dir, 'GbnfNumber');
  number.prototype.getGrammar = function getGrammar() {
    const integer = '"-"? ("0" | [1-9] [0-9]{0,14})';
    return this.allowFractional ? `${integer} ("." [0-9]{1,15})? ([eE] [-+]? [0-9]{1,2})?` : integer;
  };
  const stringChar = await terminal(dir, 'GbnfInsideStringChar');
  stringChar.prototype.getGrammar = () =>
    ['[^"\\\\\\x7F\\x00-\\x1F\\uD800-\\uDFFF\\U00010000-\\U001FFFFF]', '"\\\\" ["\\\\/bfnrt]', '"\\\\u" [0-9a-fA-F]{4}'].join(' | ');
  const file = join(dir, 'node_modules', 'node-llama-cpp', 'dist', 'evaluator', 'LlamaChat', 'utils', 'FunctionCallParamsGrammar.js');
  const { FunctionCallParamsGrammar } = (await import(pathToFileURL(file).href)) as ParamsGrammarModule;
  if (!FunctionCallParamsGrammar) throw new Error('FunctionCallParamsGrammar not found');
  const parseParams = FunctionCallParamsGrammar.prototype.parseParams;
  FunctionCallParamsGrammar.prototype.parseParams = function (this: unknown, callText: string) {
    return parseParams.call(this, callText.replace(/\uFFFD/g, ''));
  };
}

/** The node-llama-cpp module; rejects with `runtimeMissing()` when the part is not installed. */
export function loadNodeLlamaCpp(dir = DEFAULT_RUNTIME_DIR): Promise<NodeLlamaCpp> {
  let loading = modules.get(dir);
  if (!loading) {
    loading = (async () => {
      if (!isRuntimeInstalled(dir)) throw runtimeMissing(dir);
      try {
        const nlc = (await import(pathToFileURL(entryOf(dir)).href)) as NodeLlamaCpp;
        await fixJsonGrammar(dir);
        return nlc;
      } catch (err) {
        throw runtimeMissing(dir, `loading it failed: ${(err as Error).message}`);
      }
    })();
    modules.set(dir, loading);
    // A failed load is retried on the next call (the part may have been installed meanwhile).
    loading.catch(() => modules.delete(dir));
  }
  return loading;
}

export interface RuntimeLog {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

interface Shared {
  llama: Promise<Llama>;
  users: number;
}
const shared = new Map<string, Shared>();

function createLlama(dir: string, log: RuntimeLog): Promise<Llama> {
  return (async () => {
    const { getLlama, LlamaLogLevel: Level } = await loadNodeLlamaCpp(dir);
    const logger = (level: LlamaLogLevel, message: string) => {
      const text = message.trim();
      if (!text) return;
      if (level === Level.error || level === Level.fatal) log.error({ source: 'llama.cpp' }, text);
      else if (level === Level.warn) log.warn({ source: 'llama.cpp' }, text);
      else log.debug({ source: 'llama.cpp' }, text);
    };
    try {
      return await getLlama({ gpu: 'auto', build: 'never', logLevel: Level.warn, logger, progressLogs: false });
    } catch (err) {
      throw runtimeMissing(dir, `no usable prebuilt llama.cpp binary: ${(err as Error).message}`);
    }
  })();
}

/**
 * The native backend, shared by every local model of every server in the process (tests start
 * several) and disposed when its last user releases it. Only prebuilt binaries are used
 * (`build: 'never'`): building llama.cpp from source needs a download.
 */
export function acquireLlama(log: RuntimeLog, dir = DEFAULT_RUNTIME_DIR): { llama: Promise<Llama>; release(): Promise<void> } {
  let entry = shared.get(dir);
  if (!entry) {
    const created: Shared = { llama: createLlama(dir, log), users: 0 };
    shared.set(dir, created);
    // A failed start is retried by the next user (the part may have been installed meanwhile).
    created.llama.catch(() => {
      if (shared.get(dir) === created) shared.delete(dir);
    });
    entry = created;
  }
  const current = entry;
  current.users++;
  let released = false;
  return {
    llama: current.llama,
    async release() {
      if (released) return;
      released = true;
      if (--current.users > 0) return;
      if (shared.get(dir) === current) shared.delete(dir);
      try {
        await (await current.llama).dispose();
      } catch {
        // It never started; nothing to free.
      }
    },
  };
}
