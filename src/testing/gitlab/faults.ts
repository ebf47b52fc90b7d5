/**
 * Faults a test asks for, answered before authentication as GitLab's front end does:
 * rate limiting (Rack::Attack's 429: plain text `Retry later`, Retry-After and RateLimit-*
 * headers) and server failures (a JSON 500 from the API, an HTML 502/503/504 from the proxy
 * in front). Each applies to the next N matching calls, optionally of one route
 * (`PUT /projects/:id/merge_requests/:iid/merge`).
 */
import type { Answer } from './answers.js';

export interface RateLimitFault {
  /** Retry-After in seconds; default 1. */
  readonly retryAfterSeconds?: number;
  /** Only calls of this route; default every route. */
  readonly route?: string;
}

export interface FailureFault {
  /** Default 500. */
  readonly status?: 500 | 502 | 503 | 504;
  readonly route?: string;
}

export interface GitLabFaults {
  /** Answer the next `count` matching calls with 429. */
  rateLimit(count: number, fault?: RateLimitFault): void;
  /** Answer the next `count` matching calls with a server error. */
  fail(count: number, fault?: FailureFault): void;
  clear(): void;
}

interface Pending<F> {
  remaining: number;
  readonly fault: F;
}

const RATE_LIMIT_PER_MINUTE = 2000;

export class FaultPlan implements GitLabFaults {
  private limits: Pending<RateLimitFault>[] = [];
  private failures: Pending<FailureFault>[] = [];

  constructor(private readonly now: () => Date) {}

  rateLimit(count: number, fault: RateLimitFault = {}): void {
    this.limits.push({ remaining: count, fault });
  }

  fail(count: number, fault: FailureFault = {}): void {
    this.failures.push({ remaining: count, fault });
  }

  clear(): void {
    this.limits = [];
    this.failures = [];
  }

  /** The fault answer for this call, if one is due; rate limits come first. */
  take(route: string): Answer | undefined {
    const limit = takeFrom(this.limits, route);
    if (limit) return this.rateLimited(limit.retryAfterSeconds ?? 1);
    const failure = takeFrom(this.failures, route);
    if (failure) return failed(failure.status ?? 500);
    return undefined;
  }

  private rateLimited(retryAfterSeconds: number): Answer {
    const resetAt = new Date(this.now().getTime() + retryAfterSeconds * 1000);
    return {
      status: 429,
      body: 'Retry later\n',
      contentType: 'text/plain',
      headers: {
        'retry-after': String(retryAfterSeconds),
        'ratelimit-name': 'throttle_authenticated_api',
        'ratelimit-limit': String(RATE_LIMIT_PER_MINUTE),
        'ratelimit-observed': String(RATE_LIMIT_PER_MINUTE + 1),
        'ratelimit-remaining': '0',
        'ratelimit-reset': String(Math.ceil(resetAt.getTime() / 1000)),
        'ratelimit-resettime': resetAt.toUTCString(),
      },
    };
  }
}

function takeFrom<F extends { readonly route?: string }>(queue: Pending<F>[], route: string): F | undefined {
  const due = queue.find((p) => p.remaining > 0 && (p.fault.route === undefined || p.fault.route === route));
  if (due === undefined) return undefined;
  due.remaining -= 1;
  return due.fault;
}

function failed(status: number): Answer {
  if (status === 500) return { status, body: { message: '500 Internal Server Error' } };
  return {
    status,
    body: `<!DOCTYPE html><html><head><title>GitLab is not responding (${status})</title></head><body><h1>${status}</h1></body></html>\n`,
    contentType: 'text/html',
  };
}
