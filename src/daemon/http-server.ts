/**
 * The daemon's one HTTP port: /healthz, /readyz, /metrics, the events endpoint and the
 * statuses endpoint. Every request is answered, whatever it carries; nothing a client sends
 * can crash the process.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log/logger.js';
import { closeConnection, enforceDeadlines, type ConnectionLimits } from './connection-deadlines.js';

export const MAX_EVENT_BYTES = 256 * 1024;

export interface HttpLimits extends ConnectionLimits {
  /** Connections beyond this many open ones are closed as soon as they are accepted. */
  readonly maxConnections: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 1_000,
};

export interface HttpServerOptions {
  readonly port: number;
  readonly host: string;
  /** Each one missing takes its value from DEFAULT_HTTP_LIMITS. */
  readonly limits?: Partial<HttpLimits>;
}

/** At most one warning per this long about refused connections, with the count since the last. */
const DROP_WARNING_MS = 60_000;

export interface Readiness {
  readonly ready: boolean;
  readonly reason?: string;
  readonly [key: string]: unknown;
}

export interface EventAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

export interface HttpHandlers {
  readiness(): Readiness;
  metrics(): Promise<{ contentType: string; text: string }>;
  /** The events path, when the endpoint is configured. */
  eventsPath(): string | undefined;
  /** False while shutting down: events then get 503 so the sender retries elsewhere. */
  acceptingEvents(): boolean;
  authorize(headers: IncomingHttpHeaders): boolean;
  /** Must answer at once; the work happens afterwards. */
  onEvent(body: string): EventAnswer;
  /** Requests refused before reaching onEvent, by reason (for metrics). */
  onRejected(reason: string): void;
  /** More POST endpoints (statuses, registry events), when configured: authenticated and answered as the events one. */
  endpoints?(): readonly PostEndpoint[];
}

export interface PostEndpoint {
  readonly path: string;
  authorize(headers: IncomingHttpHeaders): boolean;
  /** Must answer at once; the work happens afterwards. */
  onEvent(body: string): EventAnswer;
  onRejected(reason: string): void;
}

export interface HttpServer {
  readonly port: number;
  readonly url: string;
  close(graceMs?: number): Promise<void>;
}

export async function startHttpServer(
  options: HttpServerOptions,
  handlers: HttpHandlers,
  logger: Logger,
): Promise<HttpServer> {
  const limits = httpLimits(options.limits);
  // Node's own timeouts stay set as a backstop; the per-socket deadlines are what act in time.
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
    },
    (req, res) => {
      route(req, res, handlers).catch((error: unknown) => {
        logger.error({ err: error, path: req.url }, 'HTTP request failed');
        if (!res.headersSent) send(res, 500, { error: 'internal error' });
        else res.destroy();
      });
    },
  );
  server.maxConnections = limits.maxConnections;
  enforceDeadlines(server, limits, (socket, reason) => {
    logger.debug({ reason, remoteAddress: socket.remoteAddress }, 'HTTP connection closed: deadline passed');
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') closeConnection(socket, 408);
    else if (error.code === 'HPE_HEADER_OVERFLOW') closeConnection(socket, 431);
    else if (error.code === 'ECONNRESET') socket.destroy();
    else closeConnection(socket, 400);
  });
  let dropped = 0;
  let warnedAt = -Infinity;
  server.on('drop', () => {
    dropped += 1;
    if (performance.now() - warnedAt < DROP_WARNING_MS) return;
    logger.warn(
      { refused: dropped, maxConnections: limits.maxConnections },
      'HTTP connections refused: too many open',
    );
    warnedAt = performance.now();
    dropped = 0;
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const displayHost = host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host;
  return {
    port: address.port,
    url: `http://${displayHost}:${address.port}`,
    close(graceMs = 2_000) {
      return new Promise((resolve) => {
        const force = setTimeout(() => server.closeAllConnections(), graceMs);
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      });
    },
  };
}

export function httpLimits(overrides: Partial<HttpLimits> = {}): HttpLimits {
  const limits = { ...DEFAULT_HTTP_LIMITS, ...overrides };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new RangeError(`HTTP limit ${name} must be a positive integer, not ${value}`);
    }
  }
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    throw new RangeError('HTTP limit headersTimeoutMs must not exceed requestTimeoutMs');
  }
  return limits;
}

async function route(req: IncomingMessage, res: ServerResponse, handlers: HttpHandlers): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  const read = req.method === 'GET' || req.method === 'HEAD';
  if (path === '/healthz') {
    if (!read) return methodNotAllowed(req, res, 'GET, HEAD');
    return send(res, 200, { status: 'ok' });
  }
  if (path === '/readyz') {
    if (!read) return methodNotAllowed(req, res, 'GET, HEAD');
    const readiness = handlers.readiness();
    return send(res, readiness.ready ? 200 : 503, {
      ...readiness,
      status: readiness.ready ? 'ready' : 'not ready',
    });
  }
  if (path === '/metrics') {
    if (!read) return methodNotAllowed(req, res, 'GET, HEAD');
    const { contentType, text } = await handlers.metrics();
    res.writeHead(200, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
    res.end(text);
    return;
  }
  const accepting = () => handlers.acceptingEvents();
  if (path === handlers.eventsPath()) return events(req, res, accepting, handlers);
  const endpoint = handlers.endpoints?.().find((candidate) => candidate.path === path);
  if (endpoint !== undefined) return events(req, res, accepting, endpoint);
  send(res, 404, { error: `no route ${path}` });
}

/** One authenticated POST endpoint (the ECR events', the statuses'): checks, body, answer. */
async function events(
  req: IncomingMessage,
  res: ServerResponse,
  accepting: () => boolean,
  endpoint: Pick<PostEndpoint, 'authorize' | 'onEvent' | 'onRejected'>,
): Promise<void> {
  if (req.method !== 'POST') return methodNotAllowed(req, res, 'POST');
  if (!accepting()) {
    endpoint.onRejected('shutting-down');
    res.setHeader('retry-after', '5');
    return send(res, 503, { error: 'shutting down' }, true);
  }
  if (!endpoint.authorize(req.headers)) {
    endpoint.onRejected('unauthorized');
    res.setHeader('www-authenticate', 'Basic realm="drawbridge"');
    return send(res, 401, { error: 'unauthorized' }, true);
  }
  const declared = Number(req.headers['content-length'] ?? 0);
  // An oversized body is drained unread (not buffered) so the client gets its answer cleanly.
  if (declared > MAX_EVENT_BYTES) {
    endpoint.onRejected('too-large');
    req.resume();
    return send(res, 413, { error: `body over ${MAX_EVENT_BYTES} bytes` });
  }
  const body = await readLimited(req, MAX_EVENT_BYTES);
  if (body === undefined) {
    endpoint.onRejected('too-large');
    return send(res, 413, { error: `body over ${MAX_EVENT_BYTES} bytes` });
  }
  const answer = endpoint.onEvent(body);
  send(res, answer.status, answer.body);
}

/** The body, or undefined once it passes the limit (the rest is not read). */
function readLimited(req: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!over) resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', (error) => {
      if (!over) reject(error);
    });
  });
}

function methodNotAllowed(req: IncomingMessage, res: ServerResponse, allow: string): void {
  res.setHeader('allow', allow);
  send(
    res,
    405,
    { error: `method ${req.method ?? ''} not allowed` },
    req.method === 'POST' || req.method === 'PUT',
  );
}

/** `close`: the request body may be unread, so do not keep the connection for another request. */
function send(res: ServerResponse, status: number, payload: Record<string, unknown>, close = false): void {
  const text = JSON.stringify(payload);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...(close ? { connection: 'close' } : {}),
  });
  res.end(text);
}
