/**
 * How drawbridge waits out GitHub's rate limits, as @octokit/plugin-throttling options: the
 * plugin reads `retry-after` (secondary limit) or `x-ratelimit-reset` (primary limit) and
 * asks; drawbridge waits that long through the injected sleep, a bounded number of times and
 * never longer than a maximum per wait. Beyond those bounds the call fails with the rate
 * limit, which errors.ts marks retryable for the next pass.
 */
import Bottleneck from 'bottleneck';
import type { Logger } from '../../log/logger.js';

export interface RateLimitPolicy {
  /** Retries of one call after rate limits. */
  readonly retries: number;
  /** The longest single wait; a longer `retry-after` or reset is not waited for. */
  readonly maxWaitMs: number;
}

export const RATE_LIMIT_POLICY: RateLimitPolicy = { retries: 3, maxWaitMs: 60_000 };

export interface ThrottleSettings {
  readonly policy: RateLimitPolicy;
  readonly sleep: (ms: number) => Promise<void>;
  readonly logger: Logger;
  /** Groups calls that share GitHub's limits (one API and credential). */
  readonly id: string;
  /**
   * GitHub asks integrations to space writes (1 s; 3 s for those that notify people), and
   * the plugin does by default. false: no spacing (`forge.paceWrites: false`, for an emulator).
   */
  readonly paceWrites: boolean;
}

/** Groups for the plugin's write spacing with none (the plugin's own limiter library). */
const unpaced = (): Bottleneck.Group => new Bottleneck.Group({ minTime: 0, maxConcurrent: null });

type LimitHandler = (
  retryAfterSeconds: number,
  options: { readonly method?: string; readonly url?: string },
  octokit: unknown,
  retryCount: number,
) => Promise<boolean>;

export interface ThrottleOptions {
  readonly id: string;
  /** 0: the plugin retries at once after the handler, which has already waited. */
  readonly retryAfterBaseValue: number;
  readonly onRateLimit: LimitHandler;
  readonly onSecondaryRateLimit: LimitHandler;
  readonly write?: Bottleneck.Group;
  readonly notifications?: Bottleneck.Group;
}

export function throttleOptions(settings: ThrottleSettings): ThrottleOptions {
  const { policy, sleep, logger } = settings;
  const handler =
    (limit: 'primary' | 'secondary'): LimitHandler =>
    async (retryAfterSeconds, options, _octokit, retryCount) => {
      const waitMs = Math.max(0, retryAfterSeconds) * 1000;
      const fields = { limit, method: options.method, route: options.url, waitMs, attempt: retryCount + 1 };
      if (retryCount >= policy.retries || waitMs > policy.maxWaitMs) {
        logger.warn(
          { ...fields, retries: policy.retries, maxWaitMs: policy.maxWaitMs },
          'github rate limit: not waiting',
        );
        return false;
      }
      logger.warn(fields, 'github rate limit: waiting');
      await sleep(waitMs);
      return true;
    };
  return {
    id: settings.id,
    retryAfterBaseValue: 0,
    onRateLimit: handler('primary'),
    onSecondaryRateLimit: handler('secondary'),
    ...(settings.paceWrites ? {} : { write: unpaced(), notifications: unpaced() }),
  };
}
