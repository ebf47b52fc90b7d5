/**
 * The HTTP side of the GitLab emulator: `/api/v4` routes on loopback, each call counted by
 * route (`GET /projects/:id/merge_requests`), faults answered first, then authentication,
 * then the route's handler. Bodies are read as JSON (what gitbeaker sends) or as a form.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { GitLabApiError, type Answer } from './answers.js';
import type { Route } from './api.js';
import type { TokenTable } from './auth.js';
import type { FaultPlan } from './faults.js';
import { Params } from './params.js';

export const API_PREFIX = '/api/v4';
const BODY_MAX = 16 * 1024 * 1024;

export interface ServerDependencies {
  readonly routes: readonly Route[];
  readonly tokens: TokenTable;
  readonly faults: FaultPlan;
  readonly port?: number;
}

export interface RunningServer {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly port: number;
  /** Calls of one route (`PUT /projects/:id/merge_requests/:iid`), or of every route. */
  calls(route?: string): number;
  resetCalls(): void;
  close(): Promise<void>;
}

interface Matched {
  readonly route: Route;
  readonly key: string;
  readonly path: Record<string, string>;
}

export async function startServer(deps: ServerDependencies): Promise<RunningServer> {
  const counts = new Map<string, number>();
  let url = '';

  const server = createServer((req, res) => {
    respond(req)
      .catch((error: unknown) =>
        error instanceof GitLabApiError
          ? error.answer()
          : { status: 500, body: { message: '500 Internal Server Error' } },
      )
      .then((answer) => send(res, answer))
      .catch(() => res.destroy());
  });

  async function respond(req: IncomingMessage): Promise<Answer> {
    const requestUrl = new URL(req.url ?? '/', url);
    const method = req.method ?? 'GET';
    const matched = match(deps.routes, method, requestUrl.pathname);
    if (matched === undefined) {
      await drain(req);
      throw new GitLabApiError(404, { error: '404 Not Found' });
    }
    counts.set(matched.key, (counts.get(matched.key) ?? 0) + 1);
    const body = await readBody(req);
    const fault = deps.faults.take(matched.key);
    if (fault) return fault;
    const caller = deps.tokens.authenticate(req.headers, method, matched.key);
    return matched.route.handle({
      params: Params.from(requestUrl.searchParams, parseBody(body, req.headers['content-type'])),
      path: matched.path,
      caller,
      url: requestUrl,
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(deps.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  url = `http://127.0.0.1:${port}`;

  return {
    url,
    port,
    calls(route) {
      if (route !== undefined) return counts.get(route) ?? 0;
      return [...counts.values()].reduce((sum, n) => sum + n, 0);
    },
    resetCalls() {
      counts.clear();
    },
    close() {
      return new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

function match(routes: readonly Route[], method: string, pathname: string): Matched | undefined {
  if (!pathname.startsWith(`${API_PREFIX}/`)) return undefined;
  const segments = pathname.slice(API_PREFIX.length + 1).split('/');
  for (const route of routes) {
    if (route.method !== method) continue;
    const pattern = route.pattern.slice(1).split('/');
    if (pattern.length !== segments.length) continue;
    const path: Record<string, string> = {};
    const fits = pattern.every((part, i) => {
      const segment = segments[i] ?? '';
      if (!part.startsWith(':')) return part === segment;
      if (segment === '') return false;
      try {
        path[part.slice(1)] = decodeURIComponent(segment);
        return true;
      } catch {
        return false;
      }
    });
    if (fits) return { route, key: `${route.method} ${route.pattern}`, path };
  }
  return undefined;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > BODY_MAX) reject(new GitLabApiError(413, { message: '413 Request Entity Too Large' }));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function drain(req: IncomingMessage): Promise<void> {
  await readBody(req).catch(() => undefined);
}

function parseBody(body: string, contentType: string | undefined): Record<string, unknown> {
  if (body === '') return {};
  if ((contentType ?? '').startsWith('application/x-www-form-urlencoded')) {
    const form = new URLSearchParams(body);
    const values: Record<string, unknown> = {};
    for (const key of new Set(form.keys()))
      values[key.replace(/\[\]$/, '')] = key.endsWith('[]') ? form.getAll(key) : form.get(key);
    return values;
  }
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new GitLabApiError(400, { message: '400 Bad request - body is not a JSON object' });
}

function send(res: ServerResponse, answer: Answer): void {
  const contentType = answer.contentType ?? 'application/json';
  const text =
    contentType === 'application/json'
      ? JSON.stringify(answer.body ?? null)
      : typeof answer.body === 'string'
        ? answer.body
        : '';
  res.writeHead(answer.status, {
    ...answer.headers,
    'content-type': contentType === 'application/json' ? 'application/json' : `${contentType}; charset=utf-8`,
    'content-length': Buffer.byteLength(text),
    'x-request-id': randomUUID(),
    'cache-control': 'no-cache',
  });
  res.end(text);
}
