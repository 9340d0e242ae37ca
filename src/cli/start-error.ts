/** A reason not to start that the server says in one sentence, its cause included (the database unreachable). */
export class StartFailure extends Error {
  override name = 'StartFailure';
}

/**
 * The one line `npm start` prints when the server cannot start for a reason outside the program
 * (the port is taken, the address is not on this machine, a folder cannot be written, the
 * database cannot be reached). Anything else is a bug, and keeps its stack.
 */
export function startErrorLine(err: unknown): string {
  if (!(err instanceof Error)) return `switchboard: failed to start: ${String(err)}`;
  const e = err as NodeJS.ErrnoException & { address?: string; port?: number };
  const where = e.address !== undefined ? `${e.address.includes(':') ? `[${e.address}]` : e.address}:${e.port ?? ''}` : '';
  switch (e.code) {
    case 'EADDRINUSE':
      return `switchboard: cannot listen on ${where}: it is already in use (EADDRINUSE); stop the other process or set PORT to another port`;
    case 'EADDRNOTAVAIL':
      return `switchboard: cannot listen on ${where}: no such address on this machine (EADDRNOTAVAIL); check HOST`;
    case 'EACCES':
      return e.syscall === 'listen'
        ? `switchboard: cannot listen on ${where}: permission denied (EACCES); ports below 1024 need privileges, set PORT`
        : `switchboard: failed to start: ${e.message}`;
  }
  if (typeof e.code === 'string') return `switchboard: failed to start: ${e.message}`;
  if (err instanceof StartFailure) return `switchboard: ${err.message}`;
  return `switchboard: failed to start: ${e.stack ?? e.message}`;
}
