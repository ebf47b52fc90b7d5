/**
 * Deadlines for every connection of the daemon's HTTP server, kept per socket.
 *
 * Node's own `headersTimeout` and `requestTimeout` are not enough on their own: they are
 * checked only every `connectionsCheckingInterval` (30 s by default), an expired connection
 * is reported once to the 'clientError' listener and dropped from Node's list, and an HTTP
 * server allows half-open sockets, so a listener that answers with `socket.end()` leaves a
 * client that keeps sending connected for good. Here every socket gets timers of its own,
 * and a deadline that passes destroys the socket.
 *
 * The clock for a request starts when the connection is accepted, or when the previous answer
 * on a kept-alive connection has been sent and its request fully read: Node tells JavaScript
 * nothing about a request before its headers are complete, so "from its first byte" cannot
 * be measured without parsing the stream twice.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

export interface ConnectionLimits {
  /** Headers of the next request are due this long after the connection or the previous answer. */
  readonly headersTimeoutMs: number;
  /** The whole request (headers and body) and its answer are due within this. */
  readonly requestTimeoutMs: number;
  /** A kept-alive connection on which nothing arrives for this long is closed. */
  readonly keepAliveTimeoutMs: number;
}

export type DeadlineReason = 'headers' | 'request' | 'keep-alive';

interface Connection {
  /** Requests whose headers arrived and whose exchange is not finished. */
  inFlight: number;
  headers?: NodeJS.Timeout;
  request?: NodeJS.Timeout;
  keepAlive?: NodeJS.Timeout;
}

/** How long a refusal may take to flush before the socket is destroyed regardless. */
const FLUSH_MS = 1_000;

export function enforceDeadlines(
  server: Server,
  limits: ConnectionLimits,
  onExpired: (socket: Socket, reason: DeadlineReason) => void,
): void {
  const connections = new WeakMap<Socket, Connection>();

  function expire(socket: Socket, connection: Connection, reason: DeadlineReason): void {
    clear(connection);
    onExpired(socket, reason);
    // No answer has begun while no request is in flight, so the client may still be told why.
    if (reason !== 'keep-alive' && connection.inFlight === 0) closeConnection(socket, 408);
    else socket.destroy();
  }

  function awaitRequest(socket: Socket, connection: Connection, keptAlive: boolean): void {
    clear(connection);
    const after = (ms: number, action: () => void): NodeJS.Timeout => setTimeout(action, ms).unref();
    connection.headers = after(limits.headersTimeoutMs, () => expire(socket, connection, 'headers'));
    connection.request = after(limits.requestTimeoutMs, () => expire(socket, connection, 'request'));
    if (!keptAlive) return;
    const bytesRead = socket.bytesRead;
    connection.keepAlive = after(limits.keepAliveTimeoutMs, () => {
      // Bytes since the answer mean a request is arriving; its headers deadline runs already.
      if (socket.bytesRead === bytesRead) expire(socket, connection, 'keep-alive');
    });
  }

  server.on('connection', (socket: Socket) => {
    const connection: Connection = { inFlight: 0 };
    connections.set(socket, connection);
    awaitRequest(socket, connection, false);
    socket.once('close', () => clear(connection));
  });

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    const connection = connections.get(socket);
    if (!connection) return;
    connection.inFlight += 1;
    clearTimeout(connection.headers);
    clearTimeout(connection.keepAlive);
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      connection.inFlight -= 1;
      if (connection.inFlight === 0 && !socket.destroyed) awaitRequest(socket, connection, true);
    };
    // The exchange ends when the answer is sent and the body fully read (Node drains an
    // unread body after the answer; a client that dribbles it stays on the request deadline).
    res.once('finish', () => {
      if (req.complete) finish();
      else req.once('end', finish);
    });
  });
}

/**
 * Answers a connection that cannot carry on (`408`, `400`, `431`) and destroys it once the
 * answer is flushed: `end()` alone would leave a half-open socket to a client that keeps sending.
 */
export function closeConnection(socket: Duplex, status: 400 | 408 | 431): void {
  if (socket.destroyed) return;
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const text = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' }[status];
  socket.end(`HTTP/1.1 ${status} ${text}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
  const timer = setTimeout(() => socket.destroy(), FLUSH_MS).unref();
  socket.once('finish', () => {
    clearTimeout(timer);
    socket.destroy();
  });
}

function clear(connection: Connection): void {
  clearTimeout(connection.headers);
  clearTimeout(connection.request);
  clearTimeout(connection.keepAlive);
}
