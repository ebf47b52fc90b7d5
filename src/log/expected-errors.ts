/**
 * Expected failures in logs: their text, code and hint, not their stack.
 */
import { pino } from 'pino';
import { RegistryError } from '../errors.js';
import type { Logger } from './logger.js';

/**
 * A registry failure (no credentials, access denied, no such repository, unreachable) is a
 * problem to fix, not a bug: its log line keeps the message, code and hint, and drops the
 * stack, which only names drawbridge's own call path. At debug and trace the stack stays.
 */
export function withoutExpectedStacks(logger: Logger): Logger {
  if (logger.isLevelEnabled('debug')) return logger;
  const serialize = (error: unknown): unknown => {
    if (!(error instanceof Error)) return error;
    const full = pino.stdSerializers.err(error) as unknown as Record<string, unknown>;
    if (!(error instanceof RegistryError)) return full;
    const { stack: _stack, ...rest } = full;
    return rest;
  };
  return logger.child({}, { serializers: { err: serialize, error: serialize } });
}
