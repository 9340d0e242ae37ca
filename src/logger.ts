import { pino, stdSerializers, type DestinationStream, type Logger } from 'pino';
import { PinoPretty } from 'pino-pretty';

/**
 * Readable lines for a terminal: pino-pretty as an in-process stream rather than a transport, so no
 * worker thread, and `sync` so the lines written just before process.exit() (shutdown) are not lost.
 */
export function prettyDestination(colorize: boolean): DestinationStream {
  return PinoPretty({ colorize, sync: true, destination: 1, ignore: 'pid,hostname,service', translateTime: 'SYS:HH:MM:ss.l' });
}

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
  const line: Record<string, unknown> = { ...out, message };
  if (typeof out.stack === 'string') line.stack = framesOnly(out.stack);
  // An upstream's error body whose message the line already says (a ProviderError's responseBody).
  if (typeof line.responseBody === 'string' && saysBodyMessage(message, line.responseBody)) delete line.responseBody;
  return line;
}

/**
 * A stack without the messages in it (the line's `message` says them, once): each layer's frames,
 * each cause marked by its type. pino's stack repeats every layer's message, which for an upstream
 * failure put the upstream's text in the line two or three times.
 */
function framesOnly(stack: string): string {
  return stack
    .split('\n')
    .flatMap((line, i) => {
      if (/^\s+at /.test(line)) return [line];
      const cause = i > 0 ? /^caused by: ([\w$.]+)/.exec(line) : null;
      return cause ? [`caused by: ${cause[1]}`] : [];
    })
    .join('\n');
}

function saysBodyMessage(message: string, body: string): boolean {
  try {
    const said = (JSON.parse(body) as { error?: { message?: unknown } }).error?.message;
    return typeof said === 'string' && said !== '' && message.includes(said);
  } catch {
    return message.includes(body);
  }
}
