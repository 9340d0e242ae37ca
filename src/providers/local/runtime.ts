import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Llama, LlamaLogLevel } from 'node-llama-cpp';
import { ApiError } from '../../errors.js';

/**
 * node-llama-cpp, loaded on demand from the optional `local-inference/` part (its own package.json
 * and lock, installed by `npm run local:install`), so a server without local models never needs it.
 * Only its types are imported statically; they are erased at run time.
 */
export type NodeLlamaCpp = typeof import('node-llama-cpp');

const PART_DIR = fileURLToPath(new URL('../../../local-inference/', import.meta.url));
const ENTRY = `${PART_DIR}node_modules/node-llama-cpp/dist/index.js`;

export const INSTALL_HINT =
  'Local models need the optional local-inference part (node-llama-cpp, ~80 MB): run `npm run local:install` ' +
  '(or `npx switchboard local install`) in the Switchboard folder, then restart.';

/** 503 with code `local_runtime_missing`: the part is not installed. */
export const runtimeMissing = (detail?: string) =>
  new ApiError({
    status: 503,
    type: 'server_error',
    code: 'local_runtime_missing',
    message: detail ? `${INSTALL_HINT} (${detail})` : INSTALL_HINT,
  });

export function isRuntimeInstalled(): boolean {
  return existsSync(ENTRY);
}

let loading: Promise<NodeLlamaCpp> | undefined;

/** The node-llama-cpp module; rejects with `runtimeMissing()` when the part is not installed. */
export function loadNodeLlamaCpp(): Promise<NodeLlamaCpp> {
  loading ??= (async () => {
    if (!isRuntimeInstalled()) throw runtimeMissing();
    try {
      return (await import(pathToFileURL(ENTRY).href)) as NodeLlamaCpp;
    } catch (err) {
      throw runtimeMissing(`loading it failed: ${(err as Error).message}`);
    }
  })();
  // A failed load is retried on the next call (the part may have been installed meanwhile).
  loading.catch(() => (loading = undefined));
  return loading;
}

export interface RuntimeLog {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

let shared: { llama: Promise<Llama>; users: number } | undefined;

function createLlama(log: RuntimeLog): Promise<Llama> {
  return (async () => {
    const { getLlama, LlamaLogLevel: Level } = await loadNodeLlamaCpp();
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
      throw runtimeMissing(`no usable prebuilt llama.cpp binary: ${(err as Error).message}`);
    }
  })();
}

/**
 * The native backend, shared by every local model of every server in the process (tests start
 * several) and disposed when its last user releases it. Only prebuilt binaries are used
 * (`build: 'never'`): building llama.cpp from source needs a download.
 */
export function acquireLlama(log: RuntimeLog): { llama: Promise<Llama>; release(): Promise<void> } {
  if (!shared) {
    const llama = createLlama(log);
    const entry = { llama, users: 0 };
    shared = entry;
    // A failed start is retried by the next user (the part may have been installed meanwhile).
    llama.catch(() => {
      if (shared === entry) shared = undefined;
    });
  }
  const entry = shared;
  entry.users++;
  let released = false;
  return {
    llama: entry.llama,
    async release() {
      if (released) return;
      released = true;
      if (--entry.users > 0) return;
      if (shared === entry) shared = undefined;
      try {
        await (await entry.llama).dispose();
      } catch {
        // It never started; nothing to free.
      }
    },
  };
}
