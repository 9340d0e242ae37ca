import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface SpawnedServer {
  child: ChildProcess;
  /** http://127.0.0.1:port/v1 */
  baseURL: string;
  /** Every log line so far (parsed JSON where possible, else `{ text }`). */
  logs: Array<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs `node --import tsx src/main.ts` (what `npm start` runs) as a real process, and waits until it listens. */
export async function spawnServer(env: Record<string, string>): Promise<SpawnedServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  const logs: Array<Record<string, unknown>> = [];
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const listening = new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const parsed = JSON.parse(line) as unknown;
        // A JSON log line is an object; a pretty line can parse too (`    "matplotlib"`, an array field's item).
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON log line');
        const entry = parsed as Record<string, unknown>;
        logs.push(entry);
        if (entry.msg === 'switchboard is listening') resolve(String(entry.url));
      } catch {
        logs.push({ text: line });
        // SWITCHBOARD_LOG_FORMAT=pretty: the listening line's `url` is on a line of its own.
        const pretty = /^\s+url: "(http:\/\/[^"]+)"$/.exec(line);
        if (pretty) resolve(pretty[1]!);
      }
    });
    void exited.then(({ code }) => reject(new Error(`server exited with ${code} before listening:\n${stderr}`)));
  });
  return { child, baseURL: await listening, logs, exited };
}

/** Runs the server expecting it to refuse to start; resolves with its exit code and stderr. */
export async function runServerExpectingFailure(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const [code] = await once(child, 'exit');
  clearTimeout(timer);
  return { code: code as number | null, stderr };
}
