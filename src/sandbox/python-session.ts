import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { constants } from 'node:os';
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import type { Writable } from 'node:stream';
import { bwrapArgs, RUNNER_FD, RUNNER_HOST_PATH, type SandboxLimits } from './bwrap.js';
import { diffSnapshots, dirBytes, removeFiles, snapshotDir } from './session-files.js';
import { childPids, isDead, killAllBut } from './process-tree.js';
import type { SessionCgroup } from './cgroups.js';

export interface SessionOptions {
  bwrap: string;
  python: string;
  /** The session's host directory, seen as /mnt/data inside. */
  dir: string;
  limits: SandboxLimits;
  /** The host user the sandbox runs as (when the server runs as root). */
  uid?: number;
  gid?: number;
  /** Output of one call beyond this ends the session (a flood, not a result). */
  maxOutputBytes: number;
  /** Output of one call kept for the model and the run step; the rest is cut with a note. */
  keptOutputBytes: number;
  /** Bytes /mnt/data may hold; a call that writes more is stopped. */
  maxDiskBytes: number;
  startTimeoutMs?: number;
  /** The session's control group: its processes join it before any code runs. */
  cgroup?: SessionCgroup;
  /** How often the disk use of /mnt/data is checked while a call runs. */
  diskCheckMs?: number;
}

export interface ExecOptions {
  /** Wall time of the call; the runner raises a timeout in the code, the server kills it a little later. */
  timeoutMs: number;
  onOutput?: (text: string) => void;
  signal?: AbortSignal;
}

export interface ExecResult {
  /** stdout and stderr, in order, cut to keptOutputBytes. */
  output: string;
  /** The exception the code raised, if any (its traceback is in `output`). */
  error: { name: string; message: string } | null;
  /** Figures the code left open (matplotlib), as PNG bytes. */
  images: Buffer[];
  /** Files under /mnt/data the call created or changed, relative paths. */
  files: string[];
  /** Set when the session had to be ended (timeout past the grace, crash, a limit): its variables are gone. */
  ended?: string;
}

export class SandboxStartError extends Error {
  override name = 'SandboxStartError';
}

let runnerSource: Buffer | undefined;

/**
 * Where output can be passed on up to: everything but a tail that may be the start of the end
 * marker (it is completed, or not, by the next chunk).
 */
export function heldBack(buf: Buffer, marker: Buffer): number {
  for (let i = Math.max(0, buf.length - marker.length + 1); i < buf.length; i++)
    if (buf[i] === marker[0] && marker.subarray(0, buf.length - i).equals(buf.subarray(i))) return i;
  return buf.length;
}

/** bubblewrap exits 128+N when the code's process died of signal N. */
function exitReason(code: number | null, signal: NodeJS.Signals | null): string {
  const sig = signal ?? (code !== null && code > 128 ? Object.entries(constants.signals).find(([, n]) => n === code - 128)?.[0] : undefined);
  return sig ? `the Python process was killed (${sig})` : `the Python process exited (exit code ${code})`;
}
const GRACE_MS = 3000;

interface Pending {
  id: string;
  marker: Buffer;
  chunks: Buffer[];
  keptBytes: number;
  totalBytes: number;
  truncated: boolean;
  decoder: StringDecoder;
  text: string;
  onOutput?: (text: string) => void;
  sawMarker: boolean;
  reply?: { error: ExecResult['error']; images: string[] };
  resolve: (r: { reason?: string }) => void;
}

/**
 * One Python process in its bubblewrap sandbox, keeping its variables between calls like a
 * Jupyter kernel. Calls run one at a time. Output streams through `onOutput`; a call ends when the
 * runner's reply and its end marker on the output pipe have both arrived.
 */
export class PythonSession {
  readonly #opts: SessionOptions;
  readonly #child: ChildProcess;
  readonly #control: Socket;
  #controlBuf = '';
  #pending: Pending | undefined;
  #exited = false;
  #exitReason: string | undefined;
  #stderr = '';
  #ready: Promise<string>;
  /** Resolves once the sandbox's processes are all gone (after exit). */
  #gone: Promise<void> = Promise.resolve();
  /** Host pids of bubblewrap's init in the sandbox (pid 1 there) and of the runner below it. */
  #init: number | undefined;
  #runner: number | undefined;
  /** Python's version, once started. */
  python = '';

  private constructor(opts: SessionOptions) {
    this.#opts = opts;
    runnerSource ??= readFileSync(RUNNER_HOST_PATH);
    this.#child = spawn(opts.bwrap, bwrapArgs({ python: opts.python, dataDir: opts.dir, limits: opts.limits }), {
      stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'],
      env: {},
      detached: true,
      ...(opts.uid !== undefined ? { uid: opts.uid, gid: opts.gid ?? opts.uid } : {}),
    });
    const runnerIn = this.#child.stdio[RUNNER_FD] as Writable;
    runnerIn.on('error', () => {});
    runnerIn.end(runnerSource);
    this.#control = this.#child.stdio[3] as Socket;
    this.#control.setEncoding('utf8');
    this.#control.on('error', () => {});
    this.#child.stdout!.on('data', (chunk: Buffer) => this.#onOutput(chunk));
    this.#child.stderr!.on('data', (chunk: Buffer) => {
      if (this.#stderr.length < 4096) this.#stderr += chunk.toString('utf8');
    });
    this.#ready = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.kill('start timeout');
        reject(new SandboxStartError('The Python sandbox did not start in time.'));
      }, opts.startTimeoutMs ?? 30_000);
      const onLine = (msg: { op?: string; python?: string }) => {
        if (msg.op !== 'ready') return;
        clearTimeout(timer);
        // No code has run yet: the tree is bubblewrap → its init → the runner, nothing else.
        this.#init = childPids(this.#child.pid!)[0];
        this.#runner = this.#init === undefined ? undefined : childPids(this.#init)[0];
        const tree = [this.#child.pid!, this.#init, this.#runner].filter((p): p is number => p !== undefined);
        void (opts.cgroup?.add(tree) ?? Promise.resolve()).then(
          () => resolve(msg.python ?? ''),
          (err: unknown) => {
            this.kill('its control group could not be joined');
            reject(new SandboxStartError(`The Python sandbox could not join its control group: ${(err as Error).message}`));
          },
        );
      };
      this.#control.on('data', (text: string) => this.#onControl(text, onLine));
      this.#child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(
          new SandboxStartError(
            `The Python sandbox exited while starting (${signal ?? `exit ${code}`}): ${this.#stderr.trim().slice(0, 500) || 'no output'}`,
          ),
        );
      });
    });
    this.#ready.catch(() => {});
    this.#child.once('exit', (code, signal) => {
      this.#exited = true;
      if ((signal === 'SIGKILL' || code === 128 + constants.signals.SIGKILL) && opts.cgroup?.oomKills())
        this.#exitReason ??= `its processes together used more than the session's ${Math.round(opts.limits.memoryBytes / 2 ** 20)} MB of memory`;
      this.#exitReason ??= exitReason(code, signal);
      this.#finish({ reason: this.#exitReason });
      this.#gone = this.#drain();
    });
    this.#child.on('error', (err) => {
      this.#exitReason ??= err.message;
    });
  }

  static async start(opts: SessionOptions): Promise<PythonSession> {
    const session = new PythonSession(opts);
    session.python = await session.#ready;
    return session;
  }

  get alive(): boolean {
    return !this.#exited;
  }

  #onControl(text: string, onReady: (msg: { op?: string; python?: string }) => void): void {
    this.#controlBuf += text;
    if (this.#controlBuf.length > 64 * 1024 * 1024) return this.kill('control channel overflow');
    let nl: number;
    while ((nl = this.#controlBuf.indexOf('\n')) >= 0) {
      const line = this.#controlBuf.slice(0, nl);
      this.#controlBuf = this.#controlBuf.slice(nl + 1);
      let msg: { op?: string; id?: string; python?: string; error?: ExecResult['error']; images?: unknown };
      try {
        msg = JSON.parse(line) as typeof msg;
      } catch {
        continue;
      }
      if (msg.op === 'ready') onReady(msg);
      else if (msg.op === 'done' && this.#pending && msg.id === this.#pending.id) {
        const images = Array.isArray(msg.images) ? msg.images.filter((i): i is string => typeof i === 'string') : [];
        this.#pending.reply = { error: msg.error ?? null, images };
        if (this.#pending.sawMarker) this.#finish({});
      }
    }
  }

  #onOutput(chunk: Buffer): void {
    const p = this.#pending;
    if (!p || p.sawMarker) return; // output between calls (a stray thread) is dropped
    p.chunks.push(chunk);
    let buf = p.chunks.length === 1 ? chunk : Buffer.concat(p.chunks);
    const at = buf.indexOf(p.marker);
    const end = at >= 0 ? at : heldBack(buf, p.marker);
    this.#take(p, buf.subarray(0, end));
    buf = buf.subarray(end);
    if (at >= 0) {
      p.sawMarker = true;
      p.chunks = [];
      if (p.reply) this.#finish({});
      return;
    }
    p.chunks = buf.length ? [buf] : [];
    if (p.totalBytes > this.#opts.maxOutputBytes)
      this.kill(`the code wrote more than ${this.#opts.maxOutputBytes} bytes of output`);
  }

  /** Counts output, keeps the first keptOutputBytes of it, and streams what is kept. */
  #take(p: Pending, bytes: Buffer): void {
    if (bytes.length === 0) return;
    p.totalBytes += bytes.length;
    const room = this.#opts.keptOutputBytes - p.keptBytes;
    if (room <= 0) {
      p.truncated = true;
      return;
    }
    const kept = bytes.length > room ? bytes.subarray(0, room) : bytes;
    if (kept.length < bytes.length) p.truncated = true;
    p.keptBytes += kept.length;
    const text = p.decoder.write(kept);
    if (text) {
      p.text += text;
      p.onOutput?.(text);
    }
  }

  #finish(r: { reason?: string }): void {
    const p = this.#pending;
    if (!p) return;
    this.#pending = undefined;
    p.resolve(r);
  }

  /** Runs one cell. Never rejects for the code's own failures: they come back in the result. */
  async exec(code: string, opts: ExecOptions): Promise<ExecResult> {
    if (this.#pending) throw new Error('PythonSession.exec: a call is already running');
    if (this.#exited) return { output: '', error: null, images: [], files: [], ended: this.#exitReason ?? 'the session has ended' };
    const before = await snapshotDir(this.#opts.dir);
    const id = randomBytes(12).toString('hex');
    const pending: Pending = {
      id,
      marker: Buffer.from(`\x1e${id}\x1e`),
      chunks: [],
      keptBytes: 0,
      totalBytes: 0,
      truncated: false,
      decoder: new StringDecoder('utf8'),
      text: '',
      onOutput: opts.onOutput,
      sawMarker: false,
      resolve: () => {},
    };
    const done = new Promise<{ reason?: string }>((resolve) => (pending.resolve = resolve));
    this.#pending = pending;
    this.#control.write(JSON.stringify({ op: 'exec', id, code, timeout: Math.max(1, Math.ceil(opts.timeoutMs / 1000)) }) + '\n');

    const hardTimer = setTimeout(() => this.kill(`the code ran past its time limit of ${Math.ceil(opts.timeoutMs / 1000)} s`), opts.timeoutMs + GRACE_MS);
    let diskBusy = false;
    const diskTimer = setInterval(() => {
      if (diskBusy) return;
      diskBusy = true;
      void dirBytes(this.#opts.dir, this.#opts.maxDiskBytes + 1)
        .then((bytes) => {
          if (bytes > this.#opts.maxDiskBytes) this.kill(`the code wrote more than ${this.#opts.maxDiskBytes} bytes to /mnt/data`);
        })
        .finally(() => (diskBusy = false));
    }, this.#opts.diskCheckMs ?? 250);
    const onAbort = () => this.kill('the run was cancelled');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.signal?.aborted) onAbort();

    let { reason } = await done;
    clearTimeout(hardTimer);
    clearInterval(diskTimer);
    opts.signal?.removeEventListener('abort', onAbort);
    reason ??= await this.#endStragglers();

    const tail = pending.decoder.end();
    if (tail) {
      pending.text += tail;
      opts.onOutput?.(tail);
    }
    let output = pending.text;
    if (pending.truncated) {
      const note = `\n[output truncated: ${pending.totalBytes} bytes in all, the first ${this.#opts.keptOutputBytes} shown]\n`;
      output += note;
      opts.onOutput?.(note);
    }
    let changed = diffSnapshots(before, await snapshotDir(this.#opts.dir));
    if (reason && (await dirBytes(this.#opts.dir, this.#opts.maxDiskBytes + 1)) > this.#opts.maxDiskBytes) {
      // A call that filled the disk leaves nothing half-written behind.
      await removeFiles(this.#opts.dir, changed);
      changed = [];
    }
    const reply = pending.reply;
    return {
      output,
      error: reply?.error ?? null,
      images: (reply?.images ?? []).map((b64) => Buffer.from(b64, 'base64')),
      files: changed,
      ...(reason ? { ended: reason } : {}),
    };
  }

  /**
   * Ends every process the cell started (the runner does so itself, but the code can turn that off):
   * between calls only the runner lives. A reason when they could not all be stopped (the session ends).
   */
  async #endStragglers(): Promise<string | undefined> {
    if (this.#init === undefined || this.#runner === undefined) {
      this.kill('the sandbox\'s processes could not be found');
      return this.#exitReason;
    }
    if (await killAllBut({ init: this.#init, keep: this.#runner, timeoutMs: 2000 })) return undefined;
    const why = 'processes the code started did not stop';
    this.kill(why);
    return why;
  }

  /** Ends the sandbox: the whole process tree goes (bubblewrap's PID namespace dies with it). */
  kill(reason = 'the session was closed'): void {
    this.#exitReason ??= reason;
    if (this.#exited) return;
    // Killing the sandbox's init ends its PID namespace with every process in it; bubblewrap then
    // reaps it and exits (no zombie is left to the host's init, and the control group empties).
    if (this.#init !== undefined && !isDead(this.#init)) {
      try {
        process.kill(this.#init, 'SIGKILL');
        setTimeout(() => this.#killGroup(), 2000).unref();
        return;
      } catch {
        // gone meanwhile
      }
    }
    this.#killGroup();
  }

  #killGroup(): void {
    if (this.#exited) return;
    try {
      process.kill(-this.#child.pid!, 'SIGKILL');
    } catch {
      this.#child.kill('SIGKILL');
    }
  }

  /**
   * Once bubblewrap has exited: waits until every process of the sandbox is gone (its PID
   * namespace's init ends last), then removes the session's control group.
   */
  async #drain(): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (this.#init !== undefined && !isDead(this.#init) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await this.#opts.cgroup?.remove();
  }

  /** Resolves once the sandbox and every process in it are gone. */
  async close(): Promise<void> {
    if (!this.#exited) {
      const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
      this.kill();
      await exited;
    }
    await this.#gone;
  }
}
