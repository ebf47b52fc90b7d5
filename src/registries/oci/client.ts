/**
 * One registry host's HTTP client (the OCI Distribution API): authentication as the registry
 * asks for it (Basic, or the Bearer token flow of realm/service/scope with tokens cached per
 * scope until they expire), a bound on requests in flight, 429 and 5xx retried after
 * `Retry-After` or a backoff, Docker Hub's `ratelimit-remaining` kept, and every body read
 * with a size cap. Plain HTTP only for a host configured `insecure`.
 */
import { RegistryError, NETWORK_ERROR_CODES } from '../../errors.js';
import type { Logger } from '../../log/logger.js';
import { printable } from '../../log/printable.js';
import { parseChallenge, type Challenge } from './challenge.js';
import type { RegistryCredentials } from './credentials.js';

export type RequestKind = 'tags' | 'head' | 'manifest' | 'blob' | 'token';

export interface RegistryRequest {
  readonly kind: Exclude<RequestKind, 'token'>;
  readonly method: 'GET' | 'HEAD';
  /** `/v2/…`, with its query. */
  readonly path: string;
  readonly accept?: string;
  /** `repository:<path>:pull` */
  readonly scope: string;
  /** Bodies larger than this are refused. */
  readonly maxBytes: number;
}

export interface RegistryResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Buffer;
}

export interface RegistryClientOptions {
  /** As images name it: `docker.io`, `ghcr.io`, `127.0.0.1:5000`. */
  readonly host: string;
  /** Where its API answers (`registry-1.docker.io` for Docker Hub). */
  readonly apiHost: string;
  readonly insecure: boolean;
  readonly maxConcurrency: number;
  readonly credentials: () => Promise<RegistryCredentials>;
  readonly logger: Logger;
  readonly userAgent: string;
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Every response (and failure, status 0), for metrics and the benchmark's request count. */
  readonly onRequest?: (kind: RequestKind, status: number) => void;
  /** Attempts per request for 429, 5xx and network failures; default 4. */
  readonly maxAttempts?: number;
  readonly timeoutMs?: number;
}

export interface RegistryClient {
  request(request: RegistryRequest): Promise<RegistryResponse>;
  /** Docker Hub's `ratelimit-remaining` as last answered; undefined when the host sends none. */
  rateLimitRemaining(): number | undefined;
}

/** A Retry-After longer than this fails the request (retryable) instead of holding a pass. */
const MAX_RETRY_AFTER_MS = 60_000;
const TOKEN_MAX_BYTES = 64 * 1024;
const TOKEN_MAX_LENGTH = 16 * 1024;
/** Docker's token spec: a token without expires_in lives 60 seconds. */
const DEFAULT_TOKEN_SECONDS = 60;
const TOKEN_SLACK_MS = 10_000;
const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
]);

export function createRegistryClient(options: RegistryClientOptions): RegistryClient {
  const fetcher = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const maxAttempts = options.maxAttempts ?? 4;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const base = `${options.insecure ? 'http' : 'https'}://${options.apiHost}`;
  const tokens = new Map<string, { readonly token: string; readonly expiresAt: number }>();
  const pendingTokens = new Map<string, Promise<string>>();
  let credentials: Promise<RegistryCredentials> | undefined;
  const credentialsOnce = (): Promise<RegistryCredentials> => {
    credentials ??= options.credentials();
    credentials.catch(() => (credentials = undefined));
    return credentials;
  };
  /** The registry asked for Basic once: send it up front from then on. */
  let basic = false;
  let remaining: number | undefined;
  const limit = semaphore(options.maxConcurrency);

  async function authorization(scope: string): Promise<string | undefined> {
    const creds = await credentialsOnce();
    if (creds.kind === 'token') return `Bearer ${creds.token}`;
    const cached = tokens.get(scope);
    if (cached && cached.expiresAt > now()) return `Bearer ${cached.token}`;
    if (basic && creds.kind === 'basic') return basicHeader(creds);
    return undefined;
  }

  function note(kind: RequestKind, response: Response | undefined): void {
    options.onRequest?.(kind, response?.status ?? 0);
    const header = response?.headers.get('ratelimit-remaining');
    if (header) {
      const value = Number.parseInt(header, 10);
      if (Number.isSafeInteger(value) && value >= 0) remaining = value;
    }
  }

  async function send(
    kind: RequestKind,
    url: string,
    init: { method: string; headers: Record<string, string>; body?: string },
  ): Promise<Response> {
    let response: Response | undefined;
    try {
      response = await limit(() =>
        fetcher(url, { ...init, redirect: 'follow', signal: AbortSignal.timeout(timeoutMs) }),
      );
      return response;
    } catch (error) {
      throw networkError(error, options.host, url);
    } finally {
      note(kind, response);
    }
  }

  async function token(challenge: Challenge, scope: string): Promise<string> {
    const key = challenge.params.get('scope') ?? scope;
    let pending = pendingTokens.get(key);
    if (!pending) {
      pending = fetchToken(challenge, key).finally(() => pendingTokens.delete(key));
      pendingTokens.set(key, pending);
    }
    return pending;
  }

  async function fetchToken(challenge: Challenge, scope: string): Promise<string> {
    const realm = challenge.params.get('realm') ?? '';
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw authError(options.host, `the registry's token realm \`${printable(realm, 200)}\` is not a URL`);
    }
    const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && (options.insecure || loopback)))
      throw authError(
        options.host,
        `the registry sends tokens from ${printable(url.origin, 200)}, which is not https`,
      );
    if (url.username || url.password)
      throw authError(options.host, "the registry's token realm carries credentials in its URL");
    const creds = await credentialsOnce();
    const service = challenge.params.get('service');
    const headers: Record<string, string> = { 'user-agent': options.userAgent, accept: 'application/json' };
    let response: Response;
    if (creds.kind === 'identity') {
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: creds.token,
        client_id: 'drawbridge',
        scope,
      });
      if (service) form.set('service', service);
      headers['content-type'] = 'application/x-www-form-urlencoded';
      response = await send('token', url.href, { method: 'POST', headers, body: form.toString() });
    } else {
      if (service) url.searchParams.set('service', service);
      url.searchParams.set('scope', scope);
      if (creds.kind === 'basic') headers['authorization'] = basicHeader(creds);
      response = await send('token', url.href, { method: 'GET', headers });
    }
    const body = await readBody(response, TOKEN_MAX_BYTES, options.host);
    if (response.status === 401 || response.status === 403)
      throw new RegistryError(`${options.host}'s token server refused the credentials (${response.status})`, {
        code: 'Unauthorized',
        retryable: false,
        hint: hintFor(creds, options.host),
        context: { host: options.host },
      });
    if (response.status !== 200)
      throw new RegistryError(`${options.host}'s token server answered ${response.status}`, {
        code: `Http${response.status}`,
        retryable: response.status === 429 || response.status >= 500,
        context: { host: options.host },
      });
    let answer: { token?: unknown; access_token?: unknown; expires_in?: unknown };
    try {
      answer = JSON.parse(body.toString('utf8')) as typeof answer;
    } catch {
      throw authError(options.host, "the registry's token server answered no JSON");
    }
    const value = typeof answer.token === 'string' ? answer.token : answer.access_token;
    if (
      typeof value !== 'string' ||
      value === '' ||
      value.length > TOKEN_MAX_LENGTH ||
      !/^[\x21-\x7e]+$/.test(value)
    )
      throw authError(options.host, "the registry's token server answered no usable token");
    const seconds =
      typeof answer.expires_in === 'number' && Number.isFinite(answer.expires_in) && answer.expires_in > 0
        ? Math.min(answer.expires_in, 24 * 3600)
        : DEFAULT_TOKEN_SECONDS;
    tokens.set(scope, { token: value, expiresAt: now() + Math.max(1000, seconds * 1000 - TOKEN_SLACK_MS) });
    return value;
  }

  return {
    rateLimitRemaining: () => remaining,

    async request(request) {
      // Docker Hub counts manifest GETs against the pull quota (HEADs and tag lists it does not,
      // and HEADs keep answering the count): once it says none are left, none is spent asking.
      if (remaining === 0 && request.kind === 'manifest' && request.method === 'GET')
        throw rateLimited(options.host, 429, undefined, 0);
      const url = `${base}${request.path}`;
      let authorized = false;
      for (let attempt = 1; ; attempt += 1) {
        const headers: Record<string, string> = { 'user-agent': options.userAgent };
        if (request.accept) headers['accept'] = request.accept;
        const auth = await authorization(request.scope);
        if (auth) headers['authorization'] = auth;
        const response = await send(request.kind, url, { method: request.method, headers });
        if (response.status === 401 && !authorized) {
          await response.body?.cancel();
          authorized = true;
          const challenge = parseChallenge(response.headers.get('www-authenticate'));
          const creds = await credentialsOnce();
          // Another request may have learnt the scheme or fetched the token meanwhile: use it.
          const learnt = await authorization(request.scope);
          if (learnt !== undefined && learnt !== auth) {
            attempt -= 1;
            continue;
          }
          if (challenge?.scheme === 'bearer' && creds.kind !== 'token') {
            await token(challenge, request.scope);
            attempt -= 1;
            continue;
          }
          if (challenge?.scheme === 'basic' && creds.kind === 'basic' && auth === undefined) {
            basic = true;
            attempt -= 1;
            continue;
          }
          throw unauthorized(options.host, creds, request.scope);
        }
        if (response.status === 401) {
          await response.body?.cancel();
          // A token that came back without the scope: the credentials work but may not pull this.
          const again = parseChallenge(response.headers.get('www-authenticate'));
          if (again?.params.get('error') === 'insufficient_scope')
            throw deniedScope(options.host, await credentialsOnce(), request.scope);
          throw unauthorized(options.host, await credentialsOnce(), request.scope);
        }
        const retryable =
          response.status === 429 ||
          response.status === 502 ||
          response.status === 503 ||
          response.status === 504;
        if (retryable && attempt < maxAttempts) {
          await response.body?.cancel();
          const wait = retryAfterMs(response.headers.get('retry-after'), now()) ?? 500 * 2 ** (attempt - 1);
          if (wait > MAX_RETRY_AFTER_MS) throw rateLimited(options.host, response.status, wait, remaining);
          options.logger.warn(
            { host: options.host, status: response.status, waitMs: wait, attempt },
            'registry asked to wait',
          );
          await sleep(wait);
          continue;
        }
        if (response.status === 429) {
          await response.body?.cancel();
          throw rateLimited(options.host, 429, undefined, remaining);
        }
        const body =
          request.method === 'HEAD'
            ? Buffer.alloc(0)
            : await readBody(response, request.maxBytes, options.host);
        return { status: response.status, headers: response.headers, body };
      }
    },
  };
}

function basicHeader(creds: { readonly username: string; readonly password: string }): string {
  return `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
}

/** Retry-After as seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, nowMs: number): number | undefined {
  if (!header) return undefined;
  const text = header.trim();
  if (/^\d{1,7}$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

async function readBody(response: Response, maxBytes: number, host: string): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw tooLarge(host, declared, maxBytes);
  }
  const reader = (response.body as ReadableStream<Uint8Array> | null)?.getReader();
  if (!reader) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge(host, size, maxBytes);
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks);
}

function tooLarge(host: string, size: number, maxBytes: number): RegistryError {
  return new RegistryError(`${host} answered more than ${maxBytes} bytes (${size})`, {
    code: 'ResponseTooLarge',
    retryable: false,
    hint: 'a registry answer this size is not a tag list, manifest or image config; check the host',
    context: { host },
  });
}

function authError(host: string, message: string): RegistryError {
  return new RegistryError(`cannot authenticate to ${host}: ${message}`, {
    code: 'AuthChallenge',
    retryable: false,
    hint: 'the registry must answer 401 with a WWW-Authenticate Bearer realm on https (or Basic)',
    context: { host },
  });
}

function hintFor(creds: RegistryCredentials, host: string): string {
  if (creds.kind === 'anonymous')
    return `the repository is private or the name is wrong: give credentials under registries.${host} (usernameEnv and passwordEnv) or docker login to ${host}`;
  return `check the credentials from ${creds.from}: they may be wrong, expired or lack pull access`;
}

function unauthorized(host: string, creds: RegistryCredentials, scope: string): RegistryError {
  return new RegistryError(`${host} refused access to ${printable(scope, 300)}`, {
    code: 'Unauthorized',
    retryable: false,
    hint: hintFor(creds, host),
    context: { host },
  });
}

function deniedScope(host: string, creds: RegistryCredentials, scope: string): RegistryError {
  return new RegistryError(`${host} granted no ${printable(scope, 300)}`, {
    code: 'Denied',
    retryable: false,
    hint:
      creds.kind === 'anonymous'
        ? `the repository is private or the name is wrong: give credentials under registries.${host}`
        : `the credentials from ${creds.from} lack pull access to it: grant it (a GHCR token needs read:packages), or check the name`,
    context: { host },
  });
}

function rateLimited(
  host: string,
  status: number,
  waitMs: number | undefined,
  remaining: number | undefined,
): RegistryError {
  const after = waitMs === undefined ? '' : `; it asks to wait ${Math.ceil(waitMs / 1000)}s`;
  return new RegistryError(`${host} is rate limiting (${status})${after}`, {
    code: 'RateLimited',
    retryable: true,
    hint:
      remaining === 0
        ? `the pull quota is spent (ratelimit-remaining: 0): log in (registries.${host}) for a larger quota, or mirror the image`
        : `lower registries.${host}.maxConcurrency, or log in for a larger quota`,
    context: { host },
  });
}

function networkError(error: unknown, host: string, url: string): RegistryError {
  const cause = (error as { cause?: { code?: string } }).cause;
  const code = cause?.code ?? (error as { name?: string }).name ?? 'Error';
  if (TLS_CODES.has(code))
    return new RegistryError(`TLS failed talking to ${host}: ${code}`, {
      code: 'TlsError',
      retryable: false,
      hint:
        code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'EPROTO'
          ? `${host} may speak plain HTTP: set registries.${host}.insecure: true for a local registry`
          : 'trust its CA with NODE_EXTRA_CA_CERTS=<pem file>, or fix the certificate',
      context: { host },
      cause: error,
    });
  const timeout = code === 'TimeoutError' || code === 'AbortError';
  const detail =
    cause?.code === undefined && cause instanceof Error ? `: ${printable(cause.message, 120)}` : '';
  return new RegistryError(`cannot reach ${host} (${printable(code, 60)}${detail})`, {
    code: timeout ? 'Timeout' : printable(code, 60),
    retryable: timeout || NETWORK_ERROR_CODES.has(code) || code === 'UND_ERR_SOCKET' || code === 'Error',
    hint:
      code === 'ENOTFOUND' || code === 'EAI_AGAIN'
        ? `check the host name and the daemon's DNS: ${new URL(url).hostname} does not resolve`
        : `check that ${new URL(url).origin} is reachable from the daemon (network policy, proxy, firewall)`,
    context: { host },
    cause: error,
  });
}

function semaphore(size: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (active >= size) await new Promise<void>((resolve) => waiting.push(resolve));
    active += 1;
    try {
      return await task();
    } finally {
      active -= 1;
      waiting.shift()?.();
    }
  };
}
