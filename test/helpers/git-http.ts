/**
 * A Git smart-HTTP server on 127.0.0.1 for tests: `git http-backend` behind a Node HTTP server
 * that checks the Authorization header, so token auth is tested end to end without a network.
 */
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isolatedGitEnv } from './git.js';

export type GitService = 'upload' | 'receive';

/**
 * How the server behaves: `up`; `down` resets every connection (the host is unreachable);
 * `no-push` serves fetches but resets pushes (the network fails between fetch and push).
 */
export type GitHttpMode = 'up' | 'down' | 'no-push';

export interface GitHttpServer {
  /** `http://127.0.0.1:<port>/`; append the repository path relative to the project root. */
  readonly baseUrl: string;
  /** Every Authorization header received, for assertions. */
  readonly authorizations: readonly (string | undefined)[];
  setMode(mode: GitHttpMode): void;
  close(): Promise<void>;
}

export interface GitHttpOptions {
  /** Folder whose repositories are served. */
  readonly projectRoot: string;
  /** Decides whether a request may go on; false answers 401. Default: every request. */
  readonly allow?: (authorization: string | undefined, service: GitService) => boolean;
}

export function basicAuth(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

export async function startGitHttpServer(options: GitHttpOptions): Promise<GitHttpServer> {
  const authorizations: (string | undefined)[] = [];
  let mode: GitHttpMode = 'up';
  const server = createServer((request, response) => {
    const authorization = request.headers.authorization;
    authorizations.push(authorization);
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const receive =
      url.searchParams.get('service') === 'git-receive-pack' || url.pathname.endsWith('/git-receive-pack');
    if (mode === 'down' || (mode === 'no-push' && receive)) {
      request.socket.destroy();
      return;
    }
    if (options.allow && !options.allow(authorization, receive ? 'receive' : 'upload')) {
      request.resume();
      response.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"' }).end('unauthorized\n');
      return;
    }
    backend(options.projectRoot, request, response, url);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/`,
    authorizations,
    setMode: (next) => {
      mode = next;
      // Kept-alive connections would otherwise outlive the change.
      if (next !== 'up') server.closeAllConnections();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function backend(projectRoot: string, request: IncomingMessage, response: ServerResponse, url: URL): void {
  const child = spawn('git', ['http-backend'], {
    env: isolatedGitEnv({
      GIT_PROJECT_ROOT: projectRoot,
      GIT_HTTP_EXPORT_ALL: '1',
      REMOTE_USER: 'tester',
      REMOTE_ADDR: '127.0.0.1',
      REQUEST_METHOD: request.method ?? 'GET',
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.slice(1),
      CONTENT_TYPE: request.headers['content-type'] ?? '',
      HTTP_CONTENT_ENCODING: request.headers['content-encoding'] ?? '',
      HTTP_GIT_PROTOCOL: String(request.headers['git-protocol'] ?? ''),
    }),
  });
  request.pipe(child.stdin);
  const chunks: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  child.on('close', () => {
    const output = Buffer.concat(chunks);
    const end = output.indexOf('\r\n\r\n');
    const head = output.subarray(0, end < 0 ? 0 : end).toString('latin1');
    const headers: Record<string, string> = {};
    let status = 200;
    for (const line of head.split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon < 0) continue;
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 200;
      else headers[name] = value;
    }
    response.writeHead(status, headers).end(output.subarray(end < 0 ? 0 : end + 4));
  });
}
