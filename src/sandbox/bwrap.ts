import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Where the runner script sits on the host, and where the sandbox sees it. */
export const RUNNER_HOST_PATH = fileURLToPath(new URL('./runner.py', import.meta.url));
export const RUNNER_SANDBOX_PATH = '/opt/switchboard/runner.py';
/** The child's fd that carries the runner's source into bubblewrap (fd 3 is the control socket). */
export const RUNNER_FD = 4;

/** The limits one sandboxed session runs under. */
export interface SandboxLimits {
  /** Address space of each process (RLIMIT_AS). */
  memoryBytes: number;
  /** Processes and threads of the session's user (RLIMIT_NPROC). */
  maxProcesses: number;
  /** Largest file the code may write (RLIMIT_FSIZE). */
  maxFileBytes: number;
  /** CPU seconds one call may use (a soft RLIMIT_CPU the runner moves per call). */
  cpuSecondsPerCall: number;
  /** CPU seconds the whole session may use (the hard RLIMIT_CPU). */
  cpuSecondsTotal: number;
  /** Size of the session's private /tmp, and of its /dev/shm (each memory-backed). */
  tmpBytes: number;
}

/**
 * Host paths under /etc the runtime needs: the dynamic linker's cache, Debian's alternatives
 * (libblas.so.3 for numpy), fonts and matplotlib's config. Nothing else of /etc is visible:
 * no passwd, no hosts, no ssl keys.
 */
const ETC_PATHS = ['/etc/ld.so.cache', '/etc/alternatives', '/etc/fonts', '/etc/matplotlibrc', '/etc/localtime', '/etc/mime.types'];

/** The namespaces, user and read-only host trees every sandbox (and the start-up probe) has. */
function isolationArgs(): string[] {
  return [
    '--unshare-all',
    '--unshare-user',
    '--disable-userns',
    '--die-with-parent',
    '--new-session',
    '--clearenv',
    '--uid', '65534',
    '--gid', '65534',
    '--hostname', 'sandbox',
    '--ro-bind', '/usr', '/usr',
    '--symlink', 'usr/bin', '/bin',
    '--symlink', 'usr/sbin', '/sbin',
    '--symlink', 'usr/lib', '/lib',
    '--symlink', 'usr/lib64', '/lib64',
    ...ETC_PATHS.filter((p) => existsSync(p)).flatMap((p) => ['--ro-bind', p, p]),
    '--proc', '/proc',
    '--dev', '/dev',
  ];
}

/**
 * bubblewrap's arguments for one session: a new user, PID, network, IPC, UTS and cgroup namespace
 * (no network at all, loopback only), `/usr` read-only, the runner read-only, the session's
 * directory as `/mnt/data`, a small private `/tmp` and `/dev/shm`, everything else read-only, an
 * empty environment, uid 65534, and no way to make further user namespaces. The process dies with
 * the server.
 */
export function bwrapArgs(opts: { python: string; dataDir: string; limits: SandboxLimits }): string[] {
  return [
    ...isolationArgs(),
    '--size', String(opts.limits.tmpBytes), '--tmpfs', '/tmp',
    '--size', String(opts.limits.tmpBytes), '--tmpfs', '/dev/shm',
    // The runner's source comes in on fd 4 (RUNNER_FD): no host path has to be readable by the sandbox's user.
    '--perms', '0444', '--ro-bind-data', String(RUNNER_FD), RUNNER_SANDBOX_PATH,
    '--bind', opts.dataDir, '/mnt/data',
    // bubblewrap's own tmpfs mounts (/ with /etc, /mnt, /opt; /dev) have no size: nothing may be written there.
    '--remount-ro', '/dev',
    '--remount-ro', '/',
    '--chdir', '/mnt/data',
    '--setenv', 'HOME', '/tmp',
    '--setenv', 'PATH', '/usr/local/bin:/usr/bin:/bin',
    '--setenv', 'LANG', 'C.UTF-8',
    '--setenv', 'MPLBACKEND', 'Agg',
    '--setenv', 'MPLCONFIGDIR', '/tmp/.matplotlib',
    '--setenv', 'OPENBLAS_NUM_THREADS', '1',
    '--setenv', 'OMP_NUM_THREADS', '1',
    '--setenv', 'PYTHONDONTWRITEBYTECODE', '1',
    opts.python, '-I', '-u', RUNNER_SANDBOX_PATH,
    JSON.stringify({
      memory_bytes: opts.limits.memoryBytes,
      max_processes: opts.limits.maxProcesses,
      max_file_bytes: opts.limits.maxFileBytes,
      cpu_seconds_per_call: opts.limits.cpuSecondsPerCall,
      cpu_seconds_total: opts.limits.cpuSecondsTotal,
    }),
  ];
}

export interface SandboxProbe {
  ok: boolean;
  /** Why the sandbox cannot run here (ok: false). */
  reason?: string;
  bwrap?: string;
  python?: string;
  /** Packages the sandboxed Python can import, of numpy, pandas, matplotlib. */
  packages: string[];
}

function run(file: string, args: string[], timeoutMs: number, ids: { uid?: number; gid?: number } = {}): Promise<{ ok: boolean; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs, env: {}, ...ids }, (err, stdout, stderr) =>
      resolve({ ok: !err, stdout: String(stdout), stderr: String(stderr) || (err?.message ?? '') }),
    );
  });
}

/**
 * Checks once, at start, that bubblewrap can build the sandbox here and that the Python inside it
 * runs: code_interpreter is enabled only when this succeeds, and never runs without the sandbox.
 */
export async function probeSandbox(opts: { bwrap: string; python: string; uid?: number; gid?: number }): Promise<SandboxProbe> {
  const ids = { uid: opts.uid, gid: opts.gid };
  const version = await run(opts.bwrap, ['--version'], 10_000);
  if (!version.ok)
    return {
      ok: false,
      packages: [],
      reason:
        `bubblewrap (${opts.bwrap}) is not installed or does not run: ${version.stderr.trim()}. ` +
        'Install it (Debian/Ubuntu: apt-get install bubblewrap).',
    };
  if (!opts.python.startsWith('/usr/'))
    return { ok: false, packages: [], reason: `code_interpreter.python must be under /usr (the sandbox sees only /usr): ${opts.python}` };
  const check = await run(
    opts.bwrap,
    [
      ...isolationArgs(),
      '--tmpfs', '/tmp',
      opts.python, '-I', '-c',
      'import sys, importlib.util as u; print(sys.version.split()[0]); print(",".join(m for m in ("numpy", "pandas", "matplotlib") if u.find_spec(m)))',
    ],
    20_000,
    ids,
  );
  if (!check.ok)
    return {
      ok: false,
      packages: [],
      reason: `bubblewrap could not start Python in a sandbox: ${check.stderr.trim().split('\n').slice(-3).join(' ') }`,
    };
  const [python = '', packages = ''] = check.stdout.trim().split('\n');
  return { ok: true, bwrap: version.stdout.trim(), python, packages: packages.split(',').filter(Boolean) };
}
