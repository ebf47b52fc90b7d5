/**
 * Failures the GitHub emulator injects for tests, with GitHub's own shapes: the secondary rate
 * limit (403 + `retry-after`), the primary rate limit (403 or 429 + `x-ratelimit-remaining: 0`
 * and `x-ratelimit-reset`) and server errors. Each is armed for a number of calls, on every
 * route or one route by name (`pulls.create`, `graphql` …), and consumed in arming order.
 */
import { randomUUID } from 'node:crypto';
import { GitHubHttpError } from './http.js';

const RATE_LIMIT_DOCS =
  'https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api';

export interface FaultTarget {
  /** How many calls the fault answers (default 1). */
  readonly count?: number;
  /** Only calls to this route (default: any route but the App token route). */
  readonly route?: string;
}

export interface GitHubFaults {
  /** 403 "You have exceeded a secondary rate limit" with `retry-after` (omitted when undefined). */
  secondaryRateLimit(options?: FaultTarget & { readonly retryAfterSeconds?: number }): void;
  /** 403 (or 429) "API rate limit exceeded" with the quota's reset `resetInSeconds` from now. */
  primaryRateLimit(
    options?: FaultTarget & { readonly status?: 403 | 429; readonly resetInSeconds?: number },
  ): void;
  /** `status` (default 502) answers. */
  serverErrors(options?: FaultTarget & { readonly status?: number }): void;
  clear(): void;
}

interface ArmedFault {
  remaining: number;
  readonly route: string | undefined;
  readonly answer: () => GitHubHttpError;
}

export interface FaultPlan extends GitHubFaults {
  /** The injected failure for this call to `route`, if one is armed. */
  take(route: string): GitHubHttpError | undefined;
}

export const TOKEN_ROUTE = 'apps.createInstallationAccessToken';

export function createFaultPlan(now: () => Date): FaultPlan {
  const armed: ArmedFault[] = [];
  const arm = (target: FaultTarget | undefined, answer: () => GitHubHttpError): void => {
    armed.push({ remaining: target?.count ?? 1, route: target?.route, answer });
  };
  const supportNote = () =>
    `If you reach out to GitHub Support for help, please include the request ID ${randomUUID().toUpperCase()}.`;

  return {
    secondaryRateLimit(options) {
      arm(options, () => {
        const seconds = options?.retryAfterSeconds;
        return new GitHubHttpError(
          403,
          `You have exceeded a secondary rate limit. Please wait a few minutes before you try again. ${supportNote()}`,
          {
            headers: seconds === undefined ? {} : { 'retry-after': String(seconds) },
            documentationUrl: `${RATE_LIMIT_DOCS}#about-secondary-rate-limits`,
          },
        );
      });
    },
    primaryRateLimit(options) {
      arm(options, () => {
        const reset = Math.floor(now().getTime() / 1000) + (options?.resetInSeconds ?? 60);
        return new GitHubHttpError(
          options?.status ?? 403,
          `API rate limit exceeded for user ID 1. ${supportNote()}`,
          {
            headers: {
              'x-ratelimit-limit': '5000',
              'x-ratelimit-remaining': '0',
              'x-ratelimit-used': '5000',
              'x-ratelimit-reset': String(reset),
              'x-ratelimit-resource': 'core',
            },
            documentationUrl: `${RATE_LIMIT_DOCS}#about-the-primary-rate-limit`,
          },
        );
      });
    },
    serverErrors(options) {
      arm(options, () => new GitHubHttpError(options?.status ?? 502, 'Server Error'));
    },
    clear() {
      armed.length = 0;
    },
    take(route) {
      const fault = armed.find(
        (entry) =>
          entry.remaining > 0 && (entry.route === undefined ? route !== TOKEN_ROUTE : entry.route === route),
      );
      if (fault === undefined) return undefined;
      fault.remaining -= 1;
      if (fault.remaining === 0) armed.splice(armed.indexOf(fault), 1);
      return fault.answer();
    },
  };
}
