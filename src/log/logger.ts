/**
 * Logging: a fixed message plus structured fields. JSON lines for machines, pino-pretty on a
 * TTY. Every line passes through the Redactor, so a registered secret never reaches output.
 */
import { Writable } from 'node:stream';
import { pino, type Logger as PinoLogger } from 'pino';
import pinoPretty from 'pino-pretty';
import { Redactor } from './redact.js';

export type Logger = PinoLogger;
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

export interface LoggerOptions {
  readonly level?: LogLevel;
  /** Human-readable output (default: when the destination is a TTY). */
  readonly pretty?: boolean;
  /** Where lines go; default stderr. */
  readonly destination?: NodeJS.WritableStream & { isTTY?: boolean };
  readonly redactor?: Redactor;
  readonly base?: Record<string, unknown>;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const destination = options.destination ?? process.stderr;
  const redactor = options.redactor ?? new Redactor();
  const pretty = options.pretty ?? Boolean(destination.isTTY);
  const sink = pretty ? prettySink(destination) : destination;
  const redacting = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      sink.write(redactor.redact(chunk.toString()), () => callback());
    },
  });
  return pino(
    {
      level: options.level ?? 'info',
      base: options.base ?? {},
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
    },
    redacting,
  );
}

function prettySink(destination: NodeJS.WritableStream): NodeJS.WritableStream {
  // pino-pretty as a stream (not a worker transport) so redaction happens before formatting.
  return pinoPretty({ destination, colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' });
}

/** A logger that drops everything, for tests and library callers that pass none. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
