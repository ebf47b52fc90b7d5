/**
 * Every GitLab call goes through here: retried when GitLab asks (429: after Retry-After, or
 * RateLimit-Reset, else a doubling backoff) and, for reads only, after a 5xx or a network
 * failure; at most `attempts` tries and never a single wait above `maxWaitMs` (a longer
 * Retry-After is left to the daemon's next pass). Waits go through the `sleep` it is given.
 * What still fails becomes a ForgeError saying what to fix, with GitLab's own words escaped,
 * capped and redacted.
 */
import { ForgeError, messageOf } from '../../errors.js';
import type { Logger } from '../../log/logger.js';
import { printable } from '../../log/printable.js';
import { GitLabHttpError } from './requester.js';

export interface Retrying {
  readonly attempts: number;
  readonly maxWaitMs: number;
  readonly backoffMs: number;
}

export const RETRYING: Retrying = { attempts: 4, maxWaitMs: 60_000, backoffMs: 1_000 };

export interface CallScope {
  /** The project path. */
  readonly repository: string;
  /** The environment variable the token came from (named in hints; the token never is). */
  readonly tokenEnv: string;
  /** `https://gitlab.example.com` */
  readonly host: string;
}

export interface CallOptions {
  /** A read: safe to send again after a 5xx or a network failure. */
  readonly idempotent: boolean;
  readonly pullRequest?: number;
  /** Hints by HTTP status for this operation, over the general ones. */
  readonly hints?: Readonly<Partial<Record<number, string>>>;
  /** A 409 means the source branch moved under the call: worth the next pass. */
  readonly conflictIsTransient?: boolean;
}

export type GitLabCall = <T>(operation: string, options: CallOptions, work: () => Promise<T>) => Promise<T>;

export interface CallerDependencies {
  readonly scope: CallScope;
  readonly logger: Logger;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => Date;
  /** Scrubs registered secrets (the token) from text GitLab sent. */
  readonly redact: (text: string) => string;
  readonly retrying?: Retrying;
}

export function gitLabCaller(deps: CallerDependencies): GitLabCall {
  const retrying = deps.retrying ?? RETRYING;
  return async (operation, options, work) => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await work();
      } catch (error) {
        const wait =
          attempt < retrying.attempts ? retryDelay(error, attempt, options, deps.now(), retrying) : undefined;
        if (wait === undefined) throw toForgeError(error, operation, options, deps);
        deps.logger.warn(
          {
            forge: 'gitlab',
            repository: deps.scope.repository,
            operation,
            status: error instanceof GitLabHttpError ? error.status : undefined,
            attempt,
            waitMs: wait,
          },
          'gitlab: call failed, retrying after a wait',
        );
        await deps.sleep(wait);
      }
    }
  };
}

/** How long to wait before the next try, or undefined when this failure is not retried now. */
function retryDelay(
  error: unknown,
  attempt: number,
  options: CallOptions,
  now: Date,
  retrying: Retrying,
): number | undefined {
  const backoff = retrying.backoffMs * 2 ** (attempt - 1);
  if (error instanceof GitLabHttpError) {
    if (error.status === 429) {
      const wait = requestedWait(error, now) ?? backoff;
      return wait <= retrying.maxWaitMs ? wait : undefined;
    }
    return error.status >= 500 && options.idempotent ? Math.min(backoff, retrying.maxWaitMs) : undefined;
  }
  return isNetworkFailure(error) && options.idempotent ? Math.min(backoff, retrying.maxWaitMs) : undefined;
}

/** Retry-After (seconds or an HTTP date), else RateLimit-Reset (Unix seconds), in ms from now. */
export function requestedWait(error: GitLabHttpError, now: Date): number | undefined {
  const retryAfter = error.retryAfter?.trim();
  if (retryAfter !== undefined && retryAfter !== '') {
    if (/^\d+$/.test(retryAfter)) return Number(retryAfter) * 1000;
    const at = Date.parse(retryAfter);
    if (!Number.isNaN(at)) return Math.max(0, at - now.getTime());
  }
  const reset = error.rateLimitReset?.trim();
  if (reset !== undefined && /^\d+$/.test(reset)) return Math.max(0, Number(reset) * 1000 - now.getTime());
  return undefined;
}

function isNetworkFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return (
    error.name === 'TimeoutError' ||
    error.name === 'AbortError' ||
    (error instanceof TypeError && error.message === 'fetch failed')
  );
}

function toForgeError(
  error: unknown,
  operation: string,
  options: CallOptions,
  deps: CallerDependencies,
): ForgeError {
  if (error instanceof ForgeError) return error;
  const { repository, tokenEnv, host } = deps.scope;
  const context = {
    repository,
    operation,
    ...(options.pullRequest === undefined ? {} : { pullRequest: options.pullRequest }),
  };
  const what = `GitLab ${operation} failed for ${repository}`;
  if (!(error instanceof GitLabHttpError)) {
    const network = isNetworkFailure(error);
    const code = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code;
    const reason = printable(
      deps.redact(typeof code === 'string' ? `${messageOf(error)} (${code})` : messageOf(error)),
      200,
    );
    return new ForgeError(`${what}: ${reason}`, {
      retryable: network,
      ...(network
        ? {
            hint: `GitLab at ${host} did not answer: check forge.apiUrl and the network; drawbridge tries again on its next pass`,
          }
        : {}),
      context,
      cause: error,
    });
  }
  const { status } = error;
  const detail = printable(deps.redact(error.detail), 300);
  const retryable =
    status === 429 || status >= 500 || (status === 409 && options.conflictIsTransient === true);
  const hint = options.hints?.[status] ?? generalHint(error, deps.scope);
  return new ForgeError(`${what}: ${status}${detail === '' ? '' : ` ${detail}`}`, {
    status,
    retryable,
    ...(hint === undefined ? {} : { hint }),
    context: {
      ...context,
      status,
      ...(error.retryAfter === undefined ? {} : { retryAfter: printable(error.retryAfter, 40) }),
    },
    cause: error,
  });

  function generalHint(failure: GitLabHttpError, scope: CallScope): string | undefined {
    switch (failure.status) {
      case 401:
        return `the token in ${tokenEnv} is invalid or expired: create a token with the api scope and put it in ${tokenEnv}`;
      case 403:
        return failure.code === 'insufficient_scope'
          ? `the token in ${tokenEnv} lacks the api scope: it needs the api scope and at least the Developer role on ${scope.repository}`
          : `the token in ${tokenEnv} needs the api scope and at least the Developer role on ${scope.repository}`;
      case 404:
        return `project ${scope.repository} not found or not visible to the token in ${tokenEnv}: check forge.repository (the project path, e.g. group/project) and the token's access`;
      case 429:
        return 'GitLab kept rate limiting after retries: drawbridge tries again on its next pass';
      default:
        if (failure.status >= 300 && failure.status < 400)
          return 'GitLab answered a redirect, which drawbridge does not follow with the token: set forge.apiUrl to the address it redirects to';
        return failure.status >= 500
          ? 'a transient GitLab failure: drawbridge tries again on its next pass'
          : undefined;
    }
  }
}
