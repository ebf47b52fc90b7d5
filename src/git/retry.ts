/**
 * Bounded retries for "the remote moved": each attempt re-reads the branch and re-applies
 * its change from scratch (never rebases stale work), with exponential backoff and full jitter.
 */
import { TransientError, type ErrorContext } from '../errors.js';
import type { Logger } from '../log/logger.js';

export interface RetryOptions {
  readonly attempts: number;
  readonly logger: Logger;
  readonly context?: ErrorContext;
  /** First backoff ceiling; doubles each attempt, capped at 5 s. Default 250 ms. */
  readonly baseDelayMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

export type AttemptResult<T> =
  { readonly status: 'done'; readonly value: T } | { readonly status: 'rejected' };

export async function retryOnRejection<T>(
  options: RetryOptions,
  attempt: (attempt: number) => Promise<AttemptResult<T>>,
): Promise<{ readonly value: T; readonly attempts: number }> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  const base = options.baseDelayMs ?? 250;
  for (let n = 1; n <= options.attempts; n++) {
    const result = await attempt(n);
    if (result.status === 'done') return { value: result.value, attempts: n };
    if (n === options.attempts) break;
    const delay = Math.round(random() * Math.min(5_000, base * 2 ** (n - 1)));
    options.logger.info(
      { ...options.context, attempt: n, delayMs: delay },
      'push rejected, remote moved; retrying',
    );
    await sleep(delay);
  }
  throw new TransientError(`push rejected ${options.attempts} times: the branch keeps moving`, {
    hint: 'someone (or another drawbridge) pushes to this branch continuously; the next trigger tries again, or raise git.pushAttempts',
    context: options.context,
  });
}
