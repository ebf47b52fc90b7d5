/**
 * What drawbridge authenticates to GitHub with: a token from the environment, or a GitHub
 * App whose installation tokens are obtained with @octokit/auth-app and replaced before they
 * expire. Every token is registered with the Redactor before it is handed out, and nothing
 * here ever puts a token in a message or a log line.
 */
import { createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createAppAuth, type StrategyOptions } from '@octokit/auth-app';
import { ForgeError, messageOf } from '../../errors.js';
import type { Logger } from '../../log/logger.js';
import { printable } from '../../log/printable.js';
import type { Redactor } from '../../log/redact.js';
import { httpFailureOf } from './http-failure.js';

export type CredentialSource =
  | { readonly kind: 'token'; readonly tokenEnv: string }
  | {
      readonly kind: 'app';
      readonly appId: number;
      readonly installationId: number;
      readonly privateKeyFile: string;
    };

export interface Credentials {
  readonly source: CredentialSource;
  /** A token for the next call, already registered with the Redactor. */
  token(): Promise<string>;
  /** GitHub refused the last token (401): forget it, so the next call obtains another. */
  refused(): void;
}

/** Printable ASCII without spaces: what a token is, and all an HTTP header may carry. */
const TOKEN_SHAPE = /^[\x21-\x7e]{4,2048}$/;

/** Installation tokens are replaced this long before they expire, at most. */
const REFRESH_MARGIN_MAX_MS = 5 * 60 * 1000;

export function environmentToken(tokenEnv: string, env: NodeJS.ProcessEnv, redactor: Redactor): Credentials {
  const token = env[tokenEnv]?.trim();
  if (token === undefined || token === '')
    throw new ForgeError(
      `the environment variable ${tokenEnv} that should hold the GitHub token is not set`,
      {
        retryable: false,
        hint: `put a fine-grained token with "Pull requests: write" and "Contents: write" (or a classic token with the repo scope) in ${tokenEnv}, or configure forge.app`,
      },
    );
  if (!TOKEN_SHAPE.test(token))
    throw new ForgeError(`the environment variable ${tokenEnv} does not hold a GitHub token`, {
      retryable: false,
      hint: 'a token is one word of printable characters: check for a pasted line break or quotes',
    });
  redactor.add(token);
  const source = { kind: 'token', tokenEnv } as const;
  return { source, token: async () => token, refused: () => undefined };
}

/** The token request's signature, as @octokit/auth-app calls it. */
export type TokenRequest = NonNullable<StrategyOptions['request']>;

export interface AppCredentialOptions {
  readonly app: { readonly appId: number; readonly installationId: number; readonly privateKeyFile: string };
  /** Where a relative `privateKeyFile` resolves from. */
  readonly baseDir: string;
  /** Sends the installation token request to the configured API (not api.github.com). */
  readonly request: TokenRequest;
  readonly redactor: Redactor;
  readonly logger: Logger;
  readonly now: () => Date;
}

interface HeldToken {
  readonly token: string;
  readonly refreshAt: number;
}

export function appInstallationTokens(options: AppCredentialOptions): Credentials {
  const { app, redactor, logger, now } = options;
  const source = { kind: 'app', ...app } as const;
  const keyPath = resolve(options.baseDir, app.privateKeyFile);
  let auth: Promise<ReturnType<typeof createAppAuth>> | undefined;
  let held: HeldToken | undefined;
  let pending: Promise<string> | undefined;

  const appAuth = (): Promise<ReturnType<typeof createAppAuth>> => {
    if (auth === undefined) {
      auth = readPrivateKey(keyPath, app.privateKeyFile).then((privateKey) =>
        createAppAuth({
          appId: app.appId,
          privateKey,
          installationId: app.installationId,
          request: options.request,
          log: {
            warn: (message: string) =>
              logger.warn(
                { detail: printable(redactor.redact(String(message)), 300) },
                'github app auth warning',
              ),
          },
        }),
      );
      // A key that could not be read is read again on the next call (it may have been mounted since).
      auth.catch(() => {
        auth = undefined;
      });
    }
    return auth;
  };

  const obtain = async (): Promise<string> => {
    let answer: { token: unknown; expiresAt: unknown };
    try {
      answer = await (await appAuth())({ type: 'installation', refresh: true });
    } catch (error) {
      throw installationTokenFailure(error, source, redactor);
    }
    const { token, expiresAt } = answer;
    const expires = typeof expiresAt === 'string' ? Date.parse(expiresAt) : Number.NaN;
    if (typeof token !== 'string' || !TOKEN_SHAPE.test(token) || Number.isNaN(expires))
      throw new ForgeError(
        'GitHub answered the installation token request with something that is not a token',
        {
          retryable: true,
          hint: 'drawbridge ignores the answer; check the GitHub API URL, or a proxy in between',
        },
      );
    redactor.add(token);
    const obtainedAt = now().getTime();
    const margin = Math.min(REFRESH_MARGIN_MAX_MS, Math.max(0, expires - obtainedAt) / 4);
    held = { token, refreshAt: expires - margin };
    logger.debug(
      { appId: app.appId, installationId: app.installationId, expiresAt: new Date(expires).toISOString() },
      'github app installation token obtained',
    );
    return token;
  };

  return {
    source,
    async token() {
      if (held !== undefined && now().getTime() < held.refreshAt) return held.token;
      pending ??= obtain().finally(() => {
        pending = undefined;
      });
      return pending;
    },
    refused() {
      held = undefined;
    },
  };
}

async function readPrivateKey(path: string, configured: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ForgeError(`could not read the GitHub App's private key ${path}`, {
      retryable: false,
      hint: `check forge.app.privateKeyFile (${configured}); a relative path is relative to the config file`,
      context: { reason: printable(messageOf(error), 200) },
    });
  }
  try {
    createPrivateKey(text);
  } catch {
    throw new ForgeError(`the GitHub App's private key ${path} is not a PEM private key`, {
      retryable: false,
      hint: "download a private key in the App's settings (General → Private keys) and point forge.app.privateKeyFile at the .pem file",
    });
  }
  return text;
}

type AppSource = Extract<CredentialSource, { kind: 'app' }>;

function installationTokenFailure(error: unknown, source: AppSource, redactor: Redactor): ForgeError {
  if (error instanceof ForgeError) return error;
  const failure = httpFailureOf(error);
  const said = printable(redactor.redact(failure?.message ?? messageOf(error)), 300);
  const who = `GitHub App ${source.appId}, installation ${source.installationId}`;
  if (failure?.status === 401)
    return new ForgeError(`GitHub refused the JWT of ${who}: ${said}`, {
      status: 401,
      retryable: false,
      hint: `check that forge.app.privateKeyFile holds a current private key of App ${source.appId} and that the clock is right`,
    });
  if (failure?.status === 404)
    return new ForgeError(`GitHub knows no installation ${source.installationId} of App ${source.appId}`, {
      status: 404,
      retryable: false,
      hint: 'check forge.app.installationId: the number at the end of the installation settings URL (…/settings/installations/<id>)',
    });
  if (failure === undefined)
    return new ForgeError(`could not sign a JWT for ${who}: ${said}`, {
      retryable: false,
      hint: "forge.app.privateKeyFile must hold the App's RSA private key, as GitHub generated it",
    });
  const retryable = !failure.answered || failure.status >= 500 || failure.rateLimited !== undefined;
  return new ForgeError(`could not obtain an installation token for ${who}: ${said}`, {
    ...(failure.answered ? { status: failure.status } : {}),
    retryable,
    hint: retryable ? 'a transient failure; the next pass retries' : 'check the App and its installation',
  });
}
