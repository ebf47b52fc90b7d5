/**
 * The Octokit drawbridge talks to GitHub through: @octokit/rest with the throttling plugin
 * (rate limits waited out per rate-limits.ts), the credentials attached to every attempt
 * (so a retry after a wait carries a current installation token), and a fetch that only
 * ever calls the configured API's origin and gives up on an attempt after a timeout.
 */
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import type { Logger } from '../../log/logger.js';
import { printable } from '../../log/printable.js';
import type { Redactor } from '../../log/redact.js';
import type { Credentials, TokenRequest } from './credentials.js';
import { RATE_LIMIT_POLICY, throttleOptions, type RateLimitPolicy } from './rate-limits.js';

const ThrottledOctokit = Octokit.plugin(throttling);
export type GitHubClient = InstanceType<typeof ThrottledOctokit>;

/** One attempt's limit; a hung connection fails as a network failure (retryable). */
const ATTEMPT_TIMEOUT_MS = 30_000;

export interface ClientOptions {
  readonly apiUrl: string;
  readonly credentials: Credentials;
  readonly logger: Logger;
  readonly redactor: Redactor;
  readonly sleep: (ms: number) => Promise<void>;
  readonly userAgent: string;
  readonly policy?: RateLimitPolicy;
  /** Space writes as GitHub asks (default true). */
  readonly paceWrites?: boolean;
}

type OctokitRequest = Octokit['request'];

/** A fetch that refuses other origins than the API's and bounds each attempt. */
function apiOnlyFetch(apiUrl: string): typeof fetch {
  const origin = new URL(apiUrl).origin;
  return async (input, init) => {
    const target = new URL(input instanceof Request ? input.url : String(input));
    if (target.origin !== origin)
      throw new Error(`refused to send a request to ${target.origin}: drawbridge only calls ${origin}`);
    const timeout = AbortSignal.timeout(ATTEMPT_TIMEOUT_MS);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    return fetch(input, { ...init, signal });
  };
}

/** Octokit's own log lines, reduced to fixed messages with the (redacted) text as a field. */
function octokitLog(logger: Logger, redactor: Redactor) {
  const detail = (message: unknown) => ({ detail: printable(redactor.redact(String(message)), 300) });
  return {
    debug: () => undefined,
    info: () => undefined,
    warn: (message: unknown) => logger.warn(detail(message), 'github client warning'),
    // Failed requests: drawbridge reports them itself, as ForgeErrors.
    error: (message: unknown) => logger.debug(detail(message), 'github request failed'),
  };
}

/** An Octokit auth strategy: the credentials' current token on every attempt, never exposed. */
function credentialsAuth({ credentials }: { readonly credentials: Credentials }) {
  const auth = async () => ({ type: 'drawbridge-credentials' as const });
  // Octokit calls the hook with the call's merged endpoint options (method, url, parameters).
  const hook = async (request: OctokitRequest, options: { url: string } & Record<string, unknown>) => {
    const endpoint = request.endpoint.merge(options);
    endpoint.headers.authorization = `token ${await credentials.token()}`;
    try {
      return await request(endpoint);
    } catch (error) {
      if ((error as { status?: unknown }).status === 401) credentials.refused();
      throw error;
    }
  };
  return Object.assign(auth, { hook });
}

export function createGitHubClient(options: ClientOptions): GitHubClient {
  const { apiUrl, credentials, logger, redactor } = options;
  const source = credentials.source;
  const identity =
    source.kind === 'token' ? `env:${source.tokenEnv}` : `app:${source.appId}:${source.installationId}`;
  return new ThrottledOctokit({
    baseUrl: apiUrl,
    userAgent: options.userAgent,
    authStrategy: credentialsAuth,
    auth: { credentials },
    log: octokitLog(logger, redactor),
    request: { fetch: apiOnlyFetch(apiUrl) },
    throttle: throttleOptions({
      policy: options.policy ?? RATE_LIMIT_POLICY,
      sleep: options.sleep,
      logger,
      id: `drawbridge ${apiUrl} ${identity}`,
      paceWrites: options.paceWrites ?? true,
    }),
  });
}

/** The unauthenticated request a GitHub App's token request goes through (auth-app adds the JWT). */
export function createTokenRequest(options: {
  readonly apiUrl: string;
  readonly logger: Logger;
  readonly redactor: Redactor;
  readonly userAgent: string;
}): TokenRequest {
  const octokit = new Octokit({
    baseUrl: options.apiUrl,
    userAgent: options.userAgent,
    log: octokitLog(options.logger, options.redactor),
    request: { fetch: apiOnlyFetch(options.apiUrl) },
  });
  return octokit.request;
}
