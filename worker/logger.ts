/**
 * The worker's structured logs: one JSON object per line on stdout (pino), for the SDK, the workflows (`log`
 * from @temporalio/workflow) and the activities alike. Secrets never reach a log line: any attribute whose name
 * looks like a credential is replaced before pino sees it, however deep it sits.
 */
import type { LogLevel, LogMetadata, Logger } from '@temporalio/common';
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';

const SECRET_KEY = /pass(word)?|secret|^sk$|secret_?key|api_?key|token|authorization|credential/i;
const REDACTED = '[redacted]';

/** Copies `value` with every secret-looking attribute replaced by `[redacted]`. */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return { name: value.name, message: value.message };
  if (Array.isArray(value)) return value.map((item) => redactSecrets(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value))
    out[key] = SECRET_KEY.test(key) ? REDACTED : redactSecrets(inner, depth + 1);
  return out;
}

const PINO_LEVEL: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

export type WorkerLogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

/** A Temporal `Logger` writing JSON lines through pino. `destination` defaults to stdout (tests pass a stream). */
export function createJsonLogger(
  level: WorkerLogLevel = 'info',
  destination?: DestinationStream,
): Logger & { pino: PinoLogger } {
  const base = pino(
    { level, base: { service: 'dcs-migrate-worker' }, timestamp: pino.stdTimeFunctions.isoTime },
    destination,
  );
  const log = (lvl: LogLevel, message: string, meta?: LogMetadata) => {
    base[PINO_LEVEL[lvl]](meta ? (redactSecrets(meta) as object) : {}, message);
  };
  return {
    pino: base,
    log,
    trace: (message, meta) => log('TRACE', message, meta),
    debug: (message, meta) => log('DEBUG', message, meta),
    info: (message, meta) => log('INFO', message, meta),
    warn: (message, meta) => log('WARN', message, meta),
    error: (message, meta) => log('ERROR', message, meta),
  };
}
