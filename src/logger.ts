import { pino, type Logger } from 'pino';

/** One structured (JSON) logger; request lines carry `reqId`. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'switchboard' },
    // No redaction pass per line: nothing logs request headers or bodies, and the effective
    // configuration is masked by redactConfig() before it is logged.
  });
}
