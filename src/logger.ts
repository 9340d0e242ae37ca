import { pino, stdSerializers, type DestinationStream, type Logger } from 'pino';

/** One structured (JSON) logger; request lines carry `reqId`. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'switchboard' },
      serializers: { err: serializeError },
      // No redaction pass per line: nothing logs request headers or bodies, and the effective
      // configuration is masked by redactConfig() before it is logged.
    },
    destination,
  );
}

/**
 * pino's error serializer, except that a cause's message is added only when the message does not
 * already say it: errors here are wrapped as `new X(\`context: ${cause.message}\`, { cause })` or
 * with the same message (a 502 around the ProviderError it reports), and pino would repeat the text
 * once per layer ("Could not reach the upstream 'default' (ECONNREFUSED).: Could not reach …").
 */
function serializeError(err: unknown): unknown {
  const out = stdSerializers.err(err as Error);
  if (!(err instanceof Error) || typeof out !== 'object' || out === null) return out;
  let message = err.message;
  const seen = new Set<unknown>([err]);
  for (let cause = err.cause; cause instanceof Error && !seen.has(cause); cause = cause.cause) {
    seen.add(cause);
    if (cause.message && !message.includes(cause.message)) message += `: ${cause.message}`;
  }
  return { ...out, message };
}
