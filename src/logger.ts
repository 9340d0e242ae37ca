import { pino, type Logger } from 'pino';

/** One structured (JSON) logger; request lines carry `reqId`. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'switchboard' },
    redact: { paths: ['req.headers.authorization', '*.api_key', '*.apiKey'], censor: '***' },
  });
}
