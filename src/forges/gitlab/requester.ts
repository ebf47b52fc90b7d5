/**
 * The HTTP requester gitbeaker's resources call through (their public `requesterFn`
 * option), in place of @gitbeaker/rest's own: one fetch per call and no retries of its own
 * (its 429/502 loop waits 0.25 ms, 0.5 ms … and ignores Retry-After), so retries, waits and
 * error hints stay in calls.ts. It does what gitbeaker's default does to a request
 * (snake_case keys, `key[]=` arrays, the auth header) and reads at most BODY_LIMIT bytes of
 * an answer. A failed answer becomes a GitLabHttpError holding only what GitLab said (status,
 * message, rate-limit headers), never the request or its headers, so no token rides along.
 * Redirects are not followed: fetch keeps custom headers across origins, token included.
 */
import type { MergeRequests } from '@gitbeaker/rest';

type ResourceConfig = NonNullable<ConstructorParameters<typeof MergeRequests>[0]>;
export type RequesterFn = NonNullable<ResourceConfig['requesterFn']>;
type Requester = ReturnType<RequesterFn>;
type RequestOptions = NonNullable<Parameters<Requester['get']>[1]>;
type FormattedResponse = Awaited<ReturnType<Requester['get']>>;

const BODY_LIMIT = 64 * 1024 * 1024;

/** GitLab answered with a status outside 2xx. */
export class GitLabHttpError extends Error {
  constructor(
    readonly status: number,
    /** GitLab's `message` / `error` text, on one line, as it sent it (not yet escaped). */
    readonly detail: string,
    /** `insufficient_scope` and the like, from `{"error": …}`. */
    readonly code: string | undefined,
    readonly retryAfter: string | undefined,
    readonly rateLimitReset: string | undefined,
  ) {
    super(`GitLab answered ${status}`);
    this.name = 'GitLabHttpError';
  }
}

export function fetchRequester(fetchFn: typeof fetch = fetch): RequesterFn {
  return (service) => {
    const base = service.url.endsWith('/') ? service.url : `${service.url}/`;
    const send =
      (method: string) =>
      async (endpoint: string, options: RequestOptions = {}): Promise<FormattedResponse> => {
        if (options.asStream) throw new TypeError('the GitLab forge reads no streams');
        const url = new URL(endpoint, base);
        url.search = queryString(options.searchParams ?? {});
        const headers: Record<string, string> = { accept: 'application/json', ...service.headers };
        for (const [name, value] of Object.entries(service.authHeaders)) headers[name] = await value();
        if (options.sudo !== undefined) headers['sudo'] = String(options.sudo);
        let body: string | undefined;
        if (options.body !== undefined) {
          if (options.body instanceof FormData) throw new TypeError('the GitLab forge sends no forms');
          body = JSON.stringify(snakeKeys(options.body));
          headers['content-type'] = 'application/json';
        }
        const response = await fetchFn(url, {
          method,
          headers,
          // fetch would resend PRIVATE-TOKEN to wherever a redirect points; a 3xx is an error here.
          redirect: 'manual',
          ...(body === undefined ? {} : { body }),
          ...(options.signal === undefined ? {} : { signal: options.signal }),
        });
        const text = await boundedText(response);
        const type = (response.headers.get('content-type') ?? '').split(';')[0]!.trim();
        const parsed = type === 'application/json' ? parseJson(text) : text;
        if (!response.ok) throw failure(response, parsed);
        return {
          body: parsed as FormattedResponse['body'],
          headers: Object.fromEntries(response.headers),
          status: response.status,
        };
      };
    // gitbeaker types each method generic in the body it returns; bodies are checked by the forge.
    return {
      get: send('GET'),
      post: send('POST'),
      put: send('PUT'),
      patch: send('PATCH'),
      delete: send('DELETE'),
    } as Requester;
  };
}

/** `perPage` → `per_page`, as gitbeaker's xcase decamelize does for these keys. */
function snakeCase(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

function snakeKeys(body: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(body)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => [snakeCase(key), value]),
  );
}

function queryString(params: Readonly<Record<string, unknown>>): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null) continue;
    const name = snakeCase(key);
    if (Array.isArray(value)) for (const item of value) query.append(`${name}[]`, scalar(name, item));
    else query.append(name, scalar(name, value));
  }
  return query.toString();
}

function scalar(name: string, value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return String(value);
  throw new TypeError(`query parameter ${name} is not a string, number or boolean`);
}

async function boundedText(response: Response): Promise<string> {
  if (response.body === null) return '';
  // Node's fetch types the body loosely; it is bytes.
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > BODY_LIMIT) {
      await reader.cancel();
      throw new GitLabHttpError(
        response.status,
        `an answer larger than ${BODY_LIMIT} bytes`,
        undefined,
        undefined,
        undefined,
      );
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  if (text === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function failure(response: Response, body: unknown): GitLabHttpError {
  const { detail, code } = describe(body);
  return new GitLabHttpError(
    response.status,
    detail,
    code,
    response.headers.get('retry-after') ?? undefined,
    response.headers.get('ratelimit-reset') ?? undefined,
  );
}

/**
 * GitLab's error bodies: `{"message": "404 Project Not Found"}`, `{"message": ["…"]}`,
 * `{"message": {"source_branch": ["does not exist"]}}`, `{"error": "title is missing"}`,
 * OAuth's `{"error": "insufficient_scope", "error_description": "…"}`, or text/HTML.
 */
function describe(body: unknown): { detail: string; code: string | undefined } {
  if (typeof body === 'string') return { detail: textOf(body), code: undefined };
  if (body === null || typeof body !== 'object') return { detail: '', code: undefined };
  const { message, error, error_description: description } = body as Record<string, unknown>;
  const code = typeof error === 'string' ? error : undefined;
  const text = flatten(message);
  if (text !== '') return { detail: text, code };
  if (typeof description === 'string')
    return { detail: code ? `${code}: ${description}` : description, code };
  return { detail: code ?? '', code };
}

/** A text or HTML error page, as one short line. */
function textOf(body: string): string {
  return body
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 300);
}

function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(flatten).join('; ');
  if (value !== null && typeof value === 'object')
    return Object.entries(value)
      .map(([field, problems]) => `${field} ${flatten(problems)}`)
      .join('; ');
  return '';
}
