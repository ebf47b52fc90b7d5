/**
 * Authentication of the events endpoint: the API-key header of an EventBridge connection,
 * or basic auth. Secrets come from environment variables; comparisons hash both sides first
 * so timingSafeEqual always sees equal lengths and the time taken says nothing about the secret.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Config } from '../config/schema.js';
import { ConfigError } from '../errors.js';

type HttpEventsConfig = NonNullable<NonNullable<Config['events']>['http']>;

export interface EventsAuth {
  /** Header names are lower case in Node. */
  readonly header: string;
  readonly token?: Buffer;
  readonly basic?: Buffer;
  /** The secrets, to register with the log redactor. */
  readonly secrets: readonly string[];
}

/** Reads the secrets; a configured but empty secret is a config error, as is no auth at all. */
export function eventsAuth(
  http: HttpEventsConfig,
  env: NodeJS.ProcessEnv,
  file = 'drawbridge.yaml',
): EventsAuth {
  const problems: string[] = [];
  const secrets: string[] = [];
  let token: Buffer | undefined;
  let basic: Buffer | undefined;
  if (http.tokenEnv !== undefined) {
    const value = env[http.tokenEnv];
    if (!value) problems.push(`events.http.tokenEnv: environment variable ${http.tokenEnv} is not set`);
    else {
      token = digest(value);
      secrets.push(value);
    }
  }
  if (http.basicAuth) {
    const user = env[http.basicAuth.usernameEnv];
    const password = env[http.basicAuth.passwordEnv];
    if (!user || !password) {
      problems.push(
        `events.http.basicAuth: set ${http.basicAuth.usernameEnv} and ${http.basicAuth.passwordEnv} in the environment`,
      );
    } else {
      basic = digest(`${user}:${password}`);
      secrets.push(password);
    }
  }
  if (http.tokenEnv === undefined && !http.basicAuth) {
    problems.push('events.http needs tokenEnv or basicAuth: the endpoint never runs unauthenticated');
  }
  if (problems.length > 0) {
    throw new ConfigError(
      'the events endpoint has no usable credentials',
      problems.map((message) => ({ file, line: 1, column: 1, path: 'events.http', message })),
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

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
