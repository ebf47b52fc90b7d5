/**
 * Authentication of the events endpoint: the API-key header of an EventBridge connection,
 * or basic auth. Secrets come from environment variables; comparisons hash both sides first
 * so timingSafeEqual always sees equal lengths and the time taken says nothing about the secret.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Config } from '../config/schema.js';
import { ConfigError } from '../errors.js';

/** `events.http` and `events.statuses` have the same shape. */
type HttpEventsConfig = NonNullable<NonNullable<Config['events']>['http']>;

/** Shortest events token or basic-auth password accepted, in UTF-8 bytes. */
export const MIN_SECRET_BYTES = 32;

/**
 * Placeholder values this repository has published, compared ignoring case and surrounding
 * space. config/kubernetes once shipped a Secret holding the first one (32 bytes, so long
 * enough), and a cluster may still run it. test/ship/config-files.test.ts checks that every
 * `REPLACE-WITH-…` value in config/ and the README is listed here.
 */
export const PLACEHOLDER_SECRETS: readonly string[] = [
  'REPLACE-WITH-A-LONG-RANDOM-TOKEN',
  'REPLACE-WITH-THE-DEPLOY-KEY',
  'REPLACE-WITH-THE-HOST-KEY-FROM-ssh-keyscan',
];

const hint = `use at least ${MIN_SECRET_BYTES} random bytes, e.g. openssl rand -hex 32`;

export interface EventsAuth {
  /** Header names are lower case in Node. */
  readonly header: string;
  readonly token?: Buffer;
  readonly basic?: Buffer;
  /** The secrets, to register with the log redactor. */
  readonly secrets: readonly string[];
}

const ENDPOINT_NAMES = {
  'events.http': 'events',
  'events.statuses': 'statuses',
  'events.registry': 'registry events',
} as const;

/**
 * Reads the secrets. A configured secret that is unset, shorter than MIN_SECRET_BYTES or a
 * published placeholder is a config error, as is no auth at all.
 */
export function eventsAuth(
  http: HttpEventsConfig,
  env: NodeJS.ProcessEnv,
  file = 'drawbridge.yaml',
  at: 'events.http' | 'events.statuses' | 'events.registry' = 'events.http',
): EventsAuth {
  const problems: { message: string; hint?: string }[] = [];
  const secrets: string[] = [];
  let token: Buffer | undefined;
  let basic: Buffer | undefined;
  if (http.tokenEnv !== undefined) {
    const value = env[http.tokenEnv];
    const weak = value ? weakness(value) : 'is not set';
    if (value) secrets.push(value);
    if (weak) {
      const what = value ? `the token in ${http.tokenEnv}` : `environment variable ${http.tokenEnv}`;
      problems.push({ message: `${at}.tokenEnv: ${what} ${weak}`, ...(value ? { hint } : {}) });
    } else if (value) token = digest(value);
  }
  if (http.basicAuth) {
    const user = env[http.basicAuth.usernameEnv];
    const password = env[http.basicAuth.passwordEnv];
    if (!user || !password) {
      problems.push({
        message: `${at}.basicAuth: set ${http.basicAuth.usernameEnv} and ${http.basicAuth.passwordEnv} in the environment`,
      });
    } else {
      secrets.push(password);
      const weak = weakness(password);
      if (weak) {
        problems.push({
          message: `${at}.basicAuth: the password in ${http.basicAuth.passwordEnv} ${weak}`,
          hint,
        });
      } else basic = digest(`${user}:${password}`);
    }
  }
  if (http.tokenEnv === undefined && !http.basicAuth) {
    problems.push({
      message: `${at} needs tokenEnv or basicAuth: the endpoint never runs unauthenticated`,
    });
  }
  if (problems.length > 0) {
    throw new ConfigError(
      `the ${ENDPOINT_NAMES[at]} endpoint has no usable credentials`,
      problems.map((problem) => ({ file, line: 1, column: 1, path: at, ...problem })),
    );
  }
  return {
    header: http.header.toLowerCase(),
    ...(token ? { token } : {}),
    ...(basic ? { basic } : {}),
    secrets,
  };
}

export function isAuthorized(auth: EventsAuth, headers: IncomingHttpHeaders): boolean {
  let ok = false;
  const presented = headers[auth.header];
  if (auth.token && typeof presented === 'string') ok = timingSafeEqual(digest(presented), auth.token) || ok;
  const authorization = headers.authorization;
  if (auth.basic && typeof authorization === 'string') {
    const match = /^basic\s+(\S+)\s*$/i.exec(authorization);
    if (match?.[1]) {
      const decoded = Buffer.from(match[1], 'base64').toString('utf8');
      ok = timingSafeEqual(digest(decoded), auth.basic) || ok;
    }
  }
  return ok;
}

/** Why a secret read from the environment is refused (never quoting it), or undefined. */
function weakness(secret: string): string | undefined {
  const normalised = secret.trim().toLowerCase();
  if (PLACEHOLDER_SECRETS.some((placeholder) => placeholder.toLowerCase() === normalised)) {
    return "is a placeholder published in drawbridge's repository: set a random one";
  }
  const bytes = Buffer.byteLength(secret, 'utf8');
  if (bytes < MIN_SECRET_BYTES) return `is shorter than ${MIN_SECRET_BYTES} bytes (${bytes})`;
  return undefined;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
