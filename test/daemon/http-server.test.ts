import { get } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { eventsAuth, isAuthorized } from '../../src/daemon/http-auth.js';
import {
  DEFAULT_HTTP_LIMITS,
  httpLimits,
  startHttpServer,
  type HttpLimits,
  type HttpServer,
} from '../../src/daemon/http-server.js';
import { silentLogger } from '../../src/log/logger.js';

const TOKEN = 'http-server-test-token-0123456789abcdef';

let server: HttpServer | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await server?.close(100);
  server = undefined;
});

async function start(limits: Partial<HttpLimits>): Promise<HttpServer> {
  const auth = eventsAuth({ path: '/events/ecr', header: 'x-drawbridge-token', tokenEnv: 'T' }, { T: TOKEN });
  server = await startHttpServer(
    { port: 0, host: '127.0.0.1', limits },
    {
      readiness: () => ({ ready: true }),
      metrics: async () => ({ contentType: 'text/plain', text: 'metrics\n' }),
      eventsPath: () => '/events/ecr',
      acceptingEvents: () => true,
      authorize: (headers) => isAuthorized(auth, headers),
      onEvent: (body) => ({ status: 202, body: { status: 'accepted', bytes: body.length } }),
      onRejected: () => undefined,
    },
    silentLogger(),
  );
  return server;
}

interface Client {
  readonly socket: Socket;
  /** ms after `since` at which the server closed the connection. */
  readonly closed: Promise<number>;
  /** Everything the server sent. */
  received(): string;
  /** When the server last sent something (performance.now()). */
  lastDataAt(): number;
}

/**
 * A raw client that, like many attack tools, does not close its side when the server's FIN
 * arrives, and keeps writing afterwards: only a server that really closes the connection (not
 * one that merely half-closes it with end()) makes it see 'close'.
 */
function client(port: number, since: number): Client {
  const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  sockets.push(socket);
  socket.once('end', () => {
    const probe = setInterval(() => socket.write('x'), 20);
    socket.once('close', () => clearInterval(probe));
  });
  let text = '';
  let lastDataAt = Number.NaN;
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    text += chunk;
    lastDataAt = performance.now();
  });
  // Writes racing the server's close fail with EPIPE or ECONNRESET: that is the close itself.
  socket.on('error', () => undefined);
  const closed = new Promise<number>((resolve) =>
    socket.once('close', () => resolve(performance.now() - since)),
  );
  return { socket, closed, received: () => text, lastDataAt: () => lastDataAt };
}

/** Writes `text` one byte at a time, every `everyMs`, until the socket closes. */
function dribble(socket: Socket, text: string, everyMs: number): void {
  let at = 0;
  const timer = setInterval(() => {
    if (socket.destroyed) {
      clearInterval(timer);
      return;
    }
    socket.write(text[at % text.length] ?? 'x');
    at += 1;
  }, everyMs);
  socket.once('close', () => clearInterval(timer));
}

function healthz(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get(`${url}/healthz`, { agent: false }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
    }).once('error', reject);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Resolves with 'open' when `closed` has not settled within `ms`. */
const within = <T>(closed: Promise<T>, ms: number) =>
  Promise.race([closed, sleep(ms).then(() => 'open' as const)]);

describe('the HTTP server closes clients that do not finish in time', () => {
  it('disconnects slow-header clients at the headers deadline while /healthz answers', async () => {
    const { port, url } = await start({ headersTimeoutMs: 600, requestTimeoutMs: 3_000 });
    const since = performance.now();
    const slow = Array.from({ length: 50 }, () => client(port, since));
    for (const { socket } of slow) {
      socket.write('GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\n');
      // A header line that never ends, one byte every 100 ms: every byte is "activity".
      dribble(socket, 'x-slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 100);
    }
    await sleep(200);
    expect(await healthz(url)).toBe(200);
    const closedAt = await Promise.all(slow.map(({ closed }) => closed));
    expect(Math.min(...closedAt)).toBeGreaterThanOrEqual(550);
    expect(Math.max(...closedAt)).toBeLessThan(2_000);
    expect(slow[0]?.received()).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(await healthz(url)).toBe(200);
  });

  it('disconnects slow-body clients at the request deadline while /healthz answers', async () => {
    const { port, url } = await start({ headersTimeoutMs: 500, requestTimeoutMs: 1_200 });
    const since = performance.now();
    const slow = Array.from({ length: 20 }, () => client(port, since));
    for (const { socket } of slow) {
      socket.write(
        `POST /events/ecr HTTP/1.1\r\nhost: 127.0.0.1\r\nx-drawbridge-token: ${TOKEN}\r\n` +
          'content-type: application/json\r\ncontent-length: 10000\r\n\r\n{',
      );
      dribble(socket, ' ', 100);
    }
    await sleep(700);
    // Past the headers deadline, so only the request deadline can close them.
    expect(await Promise.all(slow.map(({ closed }) => within(closed, 0)))).toEqual(slow.map(() => 'open'));
    expect(await healthz(url)).toBe(200);
    const closedAt = await Promise.all(slow.map(({ closed }) => closed));
    expect(Math.min(...closedAt)).toBeGreaterThanOrEqual(1_150);
    expect(Math.max(...closedAt)).toBeLessThan(2_700);
    expect(await healthz(url)).toBe(200);
  });

  it('closes a slow body sent to a route that answered at once', async () => {
    const { port } = await start({ headersTimeoutMs: 400, requestTimeoutMs: 1_000 });
    const since = performance.now();
    const slow = client(port, since);
    slow.socket.write('POST /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: 10000\r\n\r\n');
    dribble(slow.socket, 'b', 100);
    expect(await slow.closed).toBeLessThan(2_500);
    expect(slow.received()).toMatch(/^HTTP\/1\.1 405 /);
  });

  it('closes idle kept-alive connections, and a next request whose headers dribble in', async () => {
    const { port } = await start({ headersTimeoutMs: 800, requestTimeoutMs: 2_000, keepAliveTimeoutMs: 300 });
    const idle = client(port, performance.now());
    idle.socket.write('GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n');
    await sleep(100);
    expect(idle.received()).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(idle.received()).toMatch(/keep-alive/i);
    await idle.closed;
    const idleFor = performance.now() - idle.lastDataAt();
    expect(idleFor).toBeGreaterThanOrEqual(250);
    expect(idleFor).toBeLessThan(1_300);

    const second = client(port, performance.now());
    second.socket.write('GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n');
    await sleep(100);
    const answeredAt = second.lastDataAt();
    second.socket.write('GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\n');
    dribble(second.socket, 'x-slow: aaaaaaaaaaaaaaaaaaaa', 50);
    await second.closed;
    const slowFor = performance.now() - answeredAt;
    expect(slowFor).toBeGreaterThanOrEqual(750);
    expect(slowFor).toBeLessThan(2_200);
    expect(second.received().match(/HTTP\/1\.1 200 OK/g)).toHaveLength(1);
  });

  it('keeps serving a client that sends requests in time, past any single deadline', async () => {
    const { port } = await start({ headersTimeoutMs: 400, requestTimeoutMs: 800, keepAliveTimeoutMs: 300 });
    const steady = client(port, performance.now());
    for (let round = 0; round < 8; round += 1) {
      steady.socket.write('GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n');
      await sleep(200);
    }
    expect(steady.received().match(/HTTP\/1\.1 200 OK/g)).toHaveLength(8);
    expect(steady.socket.destroyed).toBe(false);
  });

  it('refuses connections over the cap at once and serves again once slots free up', async () => {
    const { port, url } = await start({
      headersTimeoutMs: 1_500,
      requestTimeoutMs: 3_000,
      maxConnections: 10,
    });
    const since = performance.now();
    const held = Array.from({ length: 10 }, () => client(port, since));
    for (const { socket } of held) socket.write('GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\n');
    await sleep(300);
    const extraSince = performance.now();
    const extra = Array.from({ length: 40 }, () => client(port, extraSince));
    const extraClosedAt = await Promise.all(extra.map(({ closed }) => closed));
    // Refused on accept, long before the held ones' headers deadline.
    expect(Math.max(...extraClosedAt)).toBeLessThan(700);
    expect(extra.map((refused) => refused.received())).toEqual(extra.map(() => ''));
    expect(await Promise.all(held.map(({ closed }) => within(closed, 0)))).toEqual(held.map(() => 'open'));
    const heldClosedAt = await Promise.all(held.map(({ closed }) => closed));
    expect(Math.min(...heldClosedAt)).toBeGreaterThanOrEqual(1_400);
    expect(Math.max(...heldClosedAt)).toBeLessThan(3_000);
    expect(await healthz(url)).toBe(200);
  });
});

describe('httpLimits', () => {
  it('fills in the defaults and refuses limits Node cannot honour', () => {
    expect(httpLimits()).toEqual(DEFAULT_HTTP_LIMITS);
    expect(DEFAULT_HTTP_LIMITS).toEqual({
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      keepAliveTimeoutMs: 5_000,
      maxConnections: 1_000,
    });
    expect(httpLimits({ maxConnections: 5 })).toMatchObject({ maxConnections: 5, headersTimeoutMs: 10_000 });
    expect(() => httpLimits({ headersTimeoutMs: 0 })).toThrow(/headersTimeoutMs must be a positive integer/);
    expect(() => httpLimits({ maxConnections: 1.5 })).toThrow(/maxConnections/);
    expect(() => httpLimits({ headersTimeoutMs: 5_000, requestTimeoutMs: 1_000 })).toThrow(
      /must not exceed requestTimeoutMs/,
    );
  });
});
