import { chmod, chown, mkdir, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import type { Logger } from 'pino';
import { randomToken } from '../ids.js';
import { probeSandbox, type SandboxLimits } from './bwrap.js';
import { PythonSession, type ExecResult } from './python-session.js';
import { restoreSessionFiles, writeSessionFile } from './session-writes.js';
import { removeSessionDir } from './session-files.js';
import { detectCgroups, logLimits, thisHost, type SessionLimiter } from './cgroups.js';

export interface SandboxConfig {
  enabled: boolean;
  bwrap: string;
  python: string;
  /** Sessions alive at once; a new one beyond this replaces the least recently used idle one. */
  maxSessions: number;
  /** A session unused this long ends (OpenAI: one hour). */
  idleTimeoutMs: number;
  /** Wall time of one call. */
  callTimeoutMs: number;
  /** How long a call waits for a free session slot before it fails. */
  queueTimeoutMs: number;
  limits: SandboxLimits;
  maxOutputBytes: number;
  keptOutputBytes: number;
  maxDiskBytes: number;
  /** Where session directories live on the host (default: a fresh folder under the OS temp dir). */
  workDir: string | null;
  /** When the server runs as root, session N runs as host user uidBase + N. */
  uidBase: number;
  /**
   * Keep one sandbox started ahead (once code_interpreter has been used), so a new thread's first
   * call does not wait for bubblewrap and Python to start.
   */
  prestart: boolean;
  /** 'auto': a control group per session where the host allows it (v2, else v1); 'off': rlimits only. */
  cgroups: 'auto' | 'off';
}

/** A started sandbox not yet given to a thread. */
interface Spare {
  slot: number;
  uid?: number;
  ready: Promise<{ dir: string; session: PythonSession } | undefined>;
}

/** A file the session should see at /mnt/data/<name>. */
export interface InputFile {
  fileId: string;
  name: string;
  read: () => Promise<Buffer>;
}

/** Thrown when code_interpreter cannot run here at all: the run fails with this message. */
export class SandboxUnavailableError extends Error {
  override name = 'SandboxUnavailableError';
}

/** Every session slot stayed busy for the queue timeout: a tool error the model can report. */
export class SandboxBusyError extends Error {
  override name = 'SandboxBusyError';
}

interface Entry {
  key: string;
  slot: number;
  dir: string;
  uid?: number;
  session?: PythonSession;
  /** file id → name under /mnt/data, for the inputs already copied in. */
  inputs: Map<string, string>;
  lastUsedMs: number;
  /** The chain of calls on this session: one runs at a time. */
  tail: Promise<unknown>;
  busy: number;
  closed: boolean;
  /** A call has run on the session (false: it is still as it started). */
  used?: boolean;
  /** The thread's earlier files were put back in /mnt/data (once, when the entry is new). */
  restored?: boolean;
}

/** A name safe as one path segment: the file's base name, without control characters or a leading dot. */
export function safeFileName(filename: string, fallback: string): string {
  const base = filename.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\x00-\x1f\x7f]/g, '').replace(/^\.+/, '').trim().slice(0, 200);
  return clean || fallback;
}

/**
 * The names input files get under /mnt/data: their own file name, or — when two different files
 * share a name — the later one with its file id added (`data-file-abc.csv`). The same list always
 * gets the same names, so the model is told exactly where each file is.
 */
export function inputFileNames(files: ReadonlyArray<{ fileId: string; filename: string }>): Map<string, string> {
  const names = new Map<string, string>();
  const taken = new Set<string>();
  for (const f of files) {
    if (names.has(f.fileId)) continue;
    let name = safeFileName(f.filename, f.fileId);
    if (taken.has(name)) {
      const ext = extname(name);
      name = `${name.slice(0, name.length - ext.length)}-${f.fileId}${ext}`;
    }
    taken.add(name);
    names.set(f.fileId, name);
  }
  return names;
}

/**
 * RLIMIT_NPROC counts every task of a host user. Sessions of a root server each have a user of
 * their own; a server that is not root shares its user with its sandboxes, so their limit is the
 * configured one on top of the tasks that user already runs.
 */
export async function processLimit(configured: number, ownUser: boolean): Promise<number> {
  if (ownUser) return configured;
  const uid = process.getuid?.();
  let tasks = 0;
  for (const name of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const status = await readFile(`/proc/${name}/status`, 'utf8');
      const m = /^Uid:\s+(\d+)/m.exec(status);
      const threads = /^Threads:\s+(\d+)/m.exec(status);
      if (m && Number(m[1]) === uid) tasks += Number(threads?.[1] ?? 1);
    } catch {
      // gone meanwhile
    }
  }
  return configured + tasks;
}

/** Session folders left by a server that died without closing (kill -9), removed without following links. */
async function removeStaleRoots(base: string): Promise<void> {
  const names = await readdir(base).catch(() => [] as string[]);
  for (const name of names) {
    const m = /^switchboard-sandbox-(\d+)-/.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    let alive = pid === process.pid;
    try {
      if (!alive) process.kill(pid, 0);
      alive = true;
    } catch (err) {
      alive = (err as NodeJS.ErrnoException).code === 'EPERM';
    }
    if (!alive) await removeSessionDir(join(base, name));
  }
}

/**
 * code_interpreter's sessions: one sandboxed Python per thread, kept between calls until it idles
 * out, at most `maxSessions` at once. The pool checks at start that the sandbox works here and
 * refuses every call otherwise: code never runs outside bubblewrap.
 */
export class SessionPool {
  readonly #cfg: SandboxConfig;
  readonly #now: () => number;
  readonly #log: Logger;
  readonly #entries = new Map<string, Entry>();
  readonly #freeSlots: number[];
  readonly #waiters: Array<() => void> = [];
  #root = '';
  #available = false;
  #reason = 'code_interpreter has not started';
  #reaper: NodeJS.Timeout | undefined;
  #closed = false;
  #started: Promise<void> | undefined;
  #spare: Spare | undefined;
  #limiter: SessionLimiter | undefined;
  /** Sessions being ended: their slots free up shortly. */
  #ending = 0;

  constructor(cfg: SandboxConfig, opts: { now: () => number; log: Logger }) {
    this.#cfg = cfg;
    this.#now = opts.now;
    this.#log = opts.log;
    this.#freeSlots = Array.from({ length: cfg.maxSessions }, (_, i) => i);
  }

  get available(): boolean {
    return this.#available;
  }

  /** Why code_interpreter is unavailable (when it is). */
  get unavailableReason(): string {
    return this.#reason;
  }

  #uidFor(slot: number): number | undefined {
    return process.geteuid?.() === 0 ? this.#cfg.uidBase + slot : undefined;
  }

  /** Checks the sandbox in the background; calls wait for the check. */
  start(): Promise<void> {
    this.#started ??= this.#start().catch((err: unknown) => {
      this.#available = false;
      this.#reason = `code_interpreter is unavailable on this server: ${(err as Error).message}`;
      this.#log.error({ err }, 'code_interpreter disabled: the sandbox could not be prepared');
    });
    return this.#started;
  }

  async #start(): Promise<void> {
    if (!this.#cfg.enabled) {
      this.#reason = 'code_interpreter is disabled in this server\'s configuration (code_interpreter.enabled: false).';
      return;
    }
    const uid = this.#uidFor(0);
    const probe = await probeSandbox({ bwrap: this.#cfg.bwrap, python: this.#cfg.python, uid, gid: uid });
    if (!probe.ok) {
      this.#reason = `code_interpreter is unavailable on this server: ${probe.reason}`;
      this.#log.error({ reason: probe.reason }, 'code_interpreter disabled: the sandbox cannot run here (runs that call it will fail)');
      return;
    }
    const base = this.#cfg.workDir ?? tmpdir();
    await removeStaleRoots(base);
    this.#root = join(base, `switchboard-sandbox-${process.pid}-${randomToken(6)}`);
    await mkdir(this.#root, { recursive: true, mode: 0o711 });
    await chmod(this.#root, 0o711);
    this.#limiter =
      this.#cfg.cgroups === 'off'
        ? { kind: 'none', detail: 'code_interpreter.cgroups is off', create: async () => undefined, close: async () => {} }
        : await detectCgroups(thisHost(), randomToken(6));
    logLimits(this.#log, this.#limiter, this.#cfg.limits);
    this.#available = true;
    const missing = ['numpy', 'pandas', 'matplotlib'].filter((p) => !probe.packages.includes(p));
    this.#log.info(
      { bwrap: probe.bwrap, python: probe.python, packages: probe.packages, sandboxUser: uid ?? process.geteuid?.() },
      'code_interpreter ready (bubblewrap sandbox)',
    );
    if (missing.length)
      this.#log.warn({ missing }, 'code_interpreter: the sandboxed Python lacks some packages (Debian: apt-get install python3-numpy python3-pandas python3-matplotlib)');
    this.#reaper = setInterval(() => this.reap(), Math.min(60_000, Math.max(1000, this.#cfg.idleTimeoutMs / 4)));
    this.#reaper.unref();
  }

  /** Ends the sessions idle past the idle timeout. */
  reap(): void {
    const now = this.#now();
    for (const e of this.#entries.values())
      if (e.busy === 0 && now - e.lastUsedMs > this.#cfg.idleTimeoutMs) void this.#end(e, 'idle');
  }

  async #end(e: Entry, why: string): Promise<void> {
    if (e.closed) return;
    e.closed = true;
    this.#entries.delete(e.key);
    this.#log.debug({ session: e.key, why }, 'code_interpreter session ended');
    await this.#release(e.slot, e.dir, e.session);
  }

  /** A slot for a new session: a free one, the least recently used idle session's, or wait. */
  async #slot(signal?: AbortSignal): Promise<number> {
    const deadline = Date.now() + this.#cfg.queueTimeoutMs;
    for (;;) {
      const free = this.#freeSlots.pop();
      if (free !== undefined) return free;
      if (this.#spare) {
        await this.#dropSpare();
        continue;
      }
      const idle = [...this.#entries.values()].filter((e) => e.busy === 0).sort((a, b) => a.lastUsedMs - b.lastUsedMs)[0];
      if (idle) {
        await this.#end(idle, 'evicted for a new session');
        continue;
      }
      const left = deadline - Date.now();
      // A slot whose session is being ended is about to be free, whatever the queue timeout.
      if ((left <= 0 && this.#ending === 0) || signal?.aborted)
        throw new SandboxBusyError(
          `All ${this.#cfg.maxSessions} code interpreter sessions of this server are busy; the call waited ${Math.round(this.#cfg.queueTimeoutMs / 1000)} s. Try again later.`,
        );
      await new Promise<void>((resolve) => {
        const timer = left > 0 ? setTimeout(resolve, left) : undefined;
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async #entryFor(key: string, signal?: AbortSignal): Promise<Entry> {
    const existing = this.#entries.get(key);
    if (existing) {
      if (existing.busy > 0 || this.#now() - existing.lastUsedMs <= this.#cfg.idleTimeoutMs) return existing;
      await this.#end(existing, 'idle');
    }
    const spare = await this.#takeSpare();
    const slot = spare?.slot ?? (await this.#slot(signal));
    const again = this.#entries.get(key);
    if (again) {
      // Another call for this thread made the session while this one waited.
      if (spare) await this.#release(spare.slot, spare.dir, spare.session);
      else this.#releaseSlot(slot);
      return again;
    }
    const uid = this.#uidFor(slot);
    const dir = spare?.dir ?? (await this.#makeDir(slot));
    const entry: Entry = {
      key,
      slot,
      dir,
      uid,
      session: spare?.session,
      inputs: new Map(),
      lastUsedMs: this.#now(),
      tail: Promise.resolve(),
      busy: 0,
      closed: false,
    };
    this.#entries.set(key, entry);
    if (this.#cfg.prestart) setImmediate(() => this.#fillSpare());
    return entry;
  }

  async #makeDir(slot: number): Promise<string> {
    const uid = this.#uidFor(slot);
    const dir = join(this.#root, `s${slot}-${randomToken(8)}`);
    await mkdir(dir, { mode: 0o700 });
    if (uid !== undefined) await chown(dir, uid, uid);
    return dir;
  }

  async #startSession(dir: string, uid: number | undefined, maxProcesses: number): Promise<PythonSession> {
    const limits = { memoryBytes: this.#cfg.limits.memoryBytes, maxProcesses: this.#cfg.limits.maxProcesses };
    const cgroup = await this.#limiter?.create(`s-${randomToken(8)}`, limits);
    return PythonSession.start({
      cgroup,
      bwrap: this.#cfg.bwrap,
      python: this.#cfg.python,
      dir,
      limits: { ...this.#cfg.limits, maxProcesses },
      uid,
      gid: uid,
      maxOutputBytes: this.#cfg.maxOutputBytes,
      keptOutputBytes: this.#cfg.keptOutputBytes,
      maxDiskBytes: this.#cfg.maxDiskBytes,
    });
  }

  #releaseSlot(slot: number): void {
    this.#freeSlots.push(slot);
    this.#waiters.shift()?.();
  }

  async #release(slot: number, dir: string, session: PythonSession | undefined): Promise<void> {
    this.#ending++;
    try {
      await session?.close();
      await removeSessionDir(dir);
    } finally {
      this.#ending--;
      this.#releaseSlot(slot);
    }
  }

  /** Starts the spare sandbox, on a free slot only: it never takes a slot from a thread. */
  #fillSpare(): void {
    if (!this.#cfg.prestart || this.#spare || this.#closed || this.#waiters.length > 0) return;
    const slot = this.#freeSlots.pop();
    if (slot === undefined) return;
    const uid = this.#uidFor(slot);
    const ready = (async () => {
      const dir = await this.#makeDir(slot);
      try {
        const limit = await processLimit(this.#cfg.limits.maxProcesses, uid !== undefined);
        return { dir, session: await this.#startSession(dir, uid, limit) };
      } catch (err) {
        this.#log.warn({ err }, 'code_interpreter: could not start a spare sandbox');
        await removeSessionDir(dir);
        return undefined;
      }
    })();
    this.#spare = { slot, uid, ready };
  }

  async #takeSpare(): Promise<{ slot: number; dir: string; session: PythonSession } | undefined> {
    const spare = this.#spare;
    if (!spare) return undefined;
    this.#spare = undefined;
    const started = await spare.ready;
    if (started?.session.alive) return { slot: spare.slot, ...started };
    if (started) await this.#release(spare.slot, started.dir, started.session);
    else this.#releaseSlot(spare.slot);
    return undefined;
  }

  async #dropSpare(): Promise<void> {
    const spare = this.#spare;
    if (!spare) return;
    this.#spare = undefined;
    const started = await spare.ready;
    if (started) await this.#release(spare.slot, started.dir, started.session);
    else this.#releaseSlot(spare.slot);
  }

  /** Copies new input files in: written beside, then renamed over whatever the code left at that name. */
  async #syncInputs(e: Entry, files: InputFile[]): Promise<void> {
    for (const f of files) {
      if (e.inputs.get(f.fileId) === f.name) continue;
      await writeSessionFile({ root: e.dir, dir: e.dir, name: f.name, bytes: await f.read(), uid: e.uid });
      e.inputs.set(f.fileId, f.name);
    }
  }

  /**
   * Runs code in the session of `key` (a thread), starting it when needed, with the input files in
   * /mnt/data. A session that had to end during the call (timeout, crash, a limit) is replaced by a
   * fresh one on the next call; its files stay.
   */
  async exec(
    key: string,
    code: string,
    opts: {
      inputs: InputFile[];
      /** The thread's earlier files (`name` a path under /mnt/data), asked for only when the session is new here. */
      restore?: () => Promise<InputFile[]>;
      onOutput?: (text: string) => void;
      signal?: AbortSignal;
    },
  ): Promise<ExecResult & { dir: string; fresh: boolean }> {
    await this.start();
    if (!this.#available || this.#closed) throw new SandboxUnavailableError(this.#reason);
    const entry = await this.#entryFor(key, opts.signal);
    entry.busy++;
    const prev = entry.tail;
    let release!: () => void;
    entry.tail = new Promise<void>((resolve) => (release = resolve));
    try {
      await prev;
      if (!entry.restored) {
        entry.restored = true;
        const files = (await opts.restore?.()) ?? [];
        const warn = (err: unknown, f: { fileId: string }) =>
          this.#log.warn({ err, session: key, file: f.fileId }, 'code_interpreter: could not restore a file of the thread');
        await restoreSessionFiles({ root: entry.dir, uid: entry.uid, files, warn });
      }
      await this.#syncInputs(entry, opts.inputs);
      let fresh = !entry.used;
      entry.used = true;
      if (!entry.session?.alive) {
        fresh = true;
        const limit = await processLimit(this.#cfg.limits.maxProcesses, entry.uid !== undefined);
        entry.session = await this.#startSession(entry.dir, entry.uid, limit);
      }
      const result = await entry.session.exec(code, { timeoutMs: this.#cfg.callTimeoutMs, onOutput: opts.onOutput, signal: opts.signal });
      return { ...result, dir: entry.dir, fresh };
    } finally {
      entry.lastUsedMs = this.#now();
      entry.busy--;
      release();
    }
  }

  /** Resolves once the sandbox started ahead is ready: true, or false when there is none. */
  async prestarted(): Promise<boolean> {
    return Boolean(await this.#spare?.ready);
  }

  /** Sessions alive now (for tests and logs). */
  get size(): number {
    return this.#entries.size;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#started;
    clearInterval(this.#reaper);
    await this.#dropSpare();
    await Promise.all([...this.#entries.values()].map((e) => this.#end(e, 'shutdown')));
    await this.#limiter?.close();
    if (this.#root) await removeSessionDir(this.#root);
  }
}
