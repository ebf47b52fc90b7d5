/**
 * A GitHub emulator on loopback that real @octokit/rest talks to unmodified
 * (`new Octokit({ baseUrl: emulator.apiUrl })`): the pull request, label, comment and commit
 * routes drawbridge uses, GraphQL's enablePullRequestAutoMerge, GitHub App installation
 * tokens, fine-grained permissions and injected faults. Pull requests live in memory;
 * branches and merges are real, in the bare repositories the test registers.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MergeStyle } from '../forge-remote.js';
import {
  AuthStore,
  requirePermission,
  requireRepository,
  type AppOptions,
  type IssuedToken,
  type PersonalTokenOptions,
} from './auth.js';
import { createFaultPlan, TOKEN_ROUTE, type GitHubFaults } from './faults.js';
import { executeGraphql } from './graphql.js';
import { DOCS, GitHubHttpError, notFound, parseJsonObject, readBody, sendJson } from './http.js';
import { iso, type Urls } from './render.js';
import { matchRepoRoute } from './routes.js';
import { GitHubStore, type Comment, type PullRecord, type RepositoryOptions } from './store.js';

export type { GitHubFaults } from './faults.js';
export type { AppOptions, IssuedToken, PersonalTokenOptions, Permissions } from './auth.js';
export type { Comment, RepositoryOptions } from './store.js';

export interface GitHubEmulatorOptions {
  readonly port?: number;
  /** Answer as GitHub Enterprise Server: REST under `/api/v3`, GraphQL at `/api/graphql`. */
  readonly enterprise?: boolean;
  /** Clock for timestamps, token expiry and JWT checks; default the system clock. */
  readonly now?: () => Date;
  /** Lifetime of installation tokens (default one hour, as GitHub's). */
  readonly tokenTtlMs?: number;
  /** Environment of the git processes that read and merge the bare repositories. */
  readonly gitEnv?: NodeJS.ProcessEnv;
}

/** A pull request as the test sees it. */
export interface PullRequestView {
  readonly number: number;
  readonly nodeId: string;
  readonly title: string;
  readonly body: string | null;
  readonly state: 'open' | 'closed';
  readonly merged: boolean;
  readonly draft: boolean;
  readonly head: string;
  readonly base: string;
  readonly headSha: string;
  readonly mergeCommitSha: string | null;
  readonly labels: readonly string[];
  readonly reviewers: readonly string[];
  readonly teams: readonly string[];
  readonly autoMerge: { readonly method: MergeStyle } | null;
  readonly author: string;
}

export interface GitHubEmulator {
  /** The REST root to give Octokit as `baseUrl` (and drawbridge as `forge.apiUrl`). */
  readonly apiUrl: string;
  readonly graphqlUrl: string;
  /** Where `html_url`s point. */
  readonly webUrl: string;
  readonly faults: GitHubFaults;
  addRepository(fullName: string, bareDir: string, options?: RepositoryOptions): void;
  addToken(token: string, options: PersonalTokenOptions): void;
  addApp(options: AppOptions): void;
  setTokenTtl(ms: number): void;
  /** Installation tokens handed out, oldest first. */
  issuedTokens(): readonly IssuedToken[];
  revokeToken(token: string): void;
  /** Calls answered per route name (`pulls.list`, `graphql` …), or all calls. */
  calls(route?: string): number;
  resetCalls(): void;
  /** A person merges the pull request on the website; the new commit of its base. */
  merge(repository: string, number: number, style?: MergeStyle): Promise<string>;
  /** A person edits the title or description. */
  edit(repository: string, number: number, changes: { title?: string; body?: string }): void;
  /**
   * GitHub merges every open pull request whose auto-merge is enabled (drafts and conflicting
   * ones stay open); what it merged.
   */
  runAutoMerge(): Promise<{ repository: string; number: number; sha: string }[]>;
  pullRequests(repository: string): PullRequestView[];
  comments(repository: string, number: number): readonly Comment[];
  /** With a repository and number: a person closes that pull request. */
  close(repository: string, number: number): Promise<void>;
  /** Without arguments: stops the server. */
  close(): Promise<void>;
}

const TOKEN_PATH = /^\/app\/installations\/(\d+)\/access_tokens\/?$/;

function view(pull: PullRecord): PullRequestView {
  return {
    number: pull.number,
    nodeId: pull.nodeId,
    title: pull.title,
    body: pull.body,
    state: pull.state,
    merged: pull.mergedAt !== null,
    draft: pull.draft,
    head: pull.head,
    base: pull.base,
    headSha: pull.headSha,
    mergeCommitSha: pull.mergeCommitSha,
    labels: [...pull.labels],
    reviewers: [...pull.reviewers],
    teams: [...pull.teams],
    autoMerge: pull.autoMerge === null ? null : { method: pull.autoMerge.mergeMethod },
    author: pull.author,
  };
}

export async function startGitHubEmulator(options: GitHubEmulatorOptions = {}): Promise<GitHubEmulator> {
  const now = options.now ?? (() => new Date());
  const store = new GitHubStore(now, options.gitEnv ?? process.env);
  const auth = new AuthStore(now, options.tokenTtlMs ?? 60 * 60 * 1000);
  const faults = createFaultPlan(now);
  const counts = new Map<string, number>();
  const prefix = options.enterprise ? '/api/v3' : '';
  const graphqlPath = options.enterprise ? '/api/graphql' : '/graphql';
  let urls: Urls = { api: '', web: '' };

  const count = (name: string): void => {
    counts.set(name, (counts.get(name) ?? 0) + 1);
  };

  const commonHeaders = (resource: string): Record<string, string> => ({
    'x-github-request-id': randomUUID().toUpperCase(),
    'x-github-api-version-selected': '2022-11-28',
    'x-ratelimit-limit': '5000',
    'x-ratelimit-remaining': '4999',
    'x-ratelimit-reset': String(Math.floor(now().getTime() / 1000) + 3600),
    'x-ratelimit-used': '1',
    'x-ratelimit-resource': resource,
  });

  /** POST /graphql (GHES: /api/graphql). */
  async function graphql(
    text: string,
    authorization: string | undefined,
    res: ServerResponse,
  ): Promise<void> {
    count('graphql');
    const principal = auth.authenticate(authorization);
    const fault = faults.take('graphql');
    if (fault) throw fault;
    const answer = await executeGraphql(parseJsonObject(text), { store, principal, urls });
    sendJson(res, 200, answer, commonHeaders('graphql'));
  }

  /** POST /app/installations/{id}/access_tokens, authenticated with the App's JWT. */
  function installationToken(
    installationId: number,
    authorization: string | undefined,
    res: ServerResponse,
  ): void {
    count(TOKEN_ROUTE);
    const fault = faults.take(TOKEN_ROUTE);
    if (fault) throw fault;
    const issued = auth.issueInstallationToken(authorization, installationId);
    const answer = {
      token: issued.token,
      expires_at: iso(issued.expiresAt),
      permissions: issued.principal.permissions,
      repository_selection: issued.principal.repositories === undefined ? 'all' : 'selected',
    };
    sendJson(res, 201, answer, commonHeaders('core'));
  }

  /** A `/repos/{owner}/{repo}/…` route: authenticated, visible, permitted, then answered. */
  async function rest(
    req: IncomingMessage,
    requestUrl: URL,
    text: string,
    res: ServerResponse,
  ): Promise<void> {
    const path = requestUrl.pathname.slice(prefix.length);
    const match = requestUrl.pathname.startsWith(`${prefix}/`)
      ? matchRepoRoute(req.method ?? '', path)
      : undefined;
    if (match === undefined) {
      count('unknown');
      throw notFound();
    }
    const { route, owner, repo, params } = match;
    count(route.name);
    const principal = auth.authenticate(req.headers.authorization);
    const fault = faults.take(route.name);
    if (fault) throw fault;
    const repository = store.repository(`${owner}/${repo}`);
    requireRepository(principal, repository.fullName);
    requirePermission(principal, route.permissions, route.docs);
    const answer = await route.handle({
      params,
      query: requestUrl.searchParams,
      body: req.method === 'GET' ? {} : parseJsonObject(text),
      principal,
      repository,
      store,
      urls,
      requestUrl,
    });
    sendJson(res, answer.status, answer.body, { ...commonHeaders('core'), ...answer.headers });
  }

  async function dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestUrl = new URL(req.url ?? '/', urls.web);
    const text = await readBody(req);
    const { authorization } = req.headers;
    if (req.method === 'POST' && requestUrl.pathname === graphqlPath)
      return graphql(text, authorization, res);
    const installation = TOKEN_PATH.exec(requestUrl.pathname.slice(prefix.length));
    if (req.method === 'POST' && installation && requestUrl.pathname.startsWith(`${prefix}/`))
      return installationToken(Number(installation[1]), authorization, res);
    return rest(req, requestUrl, text, res);
  }

  const server = createServer((req, res) => {
    dispatch(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof GitHubHttpError) {
        sendJson(res, error.status, error.body(), { ...commonHeaders('core'), ...error.extra.headers });
        return;
      }
      sendJson(res, 500, {
        message: 'Server Error',
        emulator_error: error instanceof Error ? error.message : String(error),
        documentation_url: DOCS,
      });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const web = `http://127.0.0.1:${port}`;
  urls = { api: `${web}${prefix}`, web };

  const pullOf = (repository: string, number: number) => {
    const record = store.repository(repository);
    return { record, pull: store.pull(record, number) };
  };

  async function stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  }

  async function close(repository?: string, number?: number): Promise<void> {
    if (repository === undefined && number === undefined) return stop();
    if (repository === undefined || number === undefined)
      throw new TypeError('close(repository, number) closes a pull request; close() stops the emulator');
    const { record, pull } = pullOf(repository, number);
    store.update(record, pull, { state: 'closed' });
  }

  return {
    apiUrl: urls.api,
    graphqlUrl: `${web}${graphqlPath}`,
    webUrl: web,
    faults,
    addRepository: (fullName, bareDir, repositoryOptions) => {
      store.addRepository(fullName, bareDir, repositoryOptions);
    },
    addToken: (token, tokenOptions) => auth.addToken(token, tokenOptions),
    addApp: (appOptions) => auth.addApp(appOptions),
    setTokenTtl: (ms) => auth.setTokenTtl(ms),
    issuedTokens: () => auth.issuedTokens(),
    revokeToken: (token) => auth.revoke(token),
    calls(name) {
      if (name === undefined) return [...counts.values()].reduce((sum, n) => sum + n, 0);
      return counts.get(name) ?? 0;
    },
    resetCalls: () => counts.clear(),
    async merge(repository, number, style = 'merge') {
      const { record, pull } = pullOf(repository, number);
      return (await store.merge(record, pull, { method: style })).sha;
    },
    edit(repository, number, changes) {
      const { record, pull } = pullOf(repository, number);
      store.update(record, pull, changes);
    },
    async runAutoMerge() {
      const merged: { repository: string; number: number; sha: string }[] = [];
      for (const record of store.allRepositories()) {
        for (const pull of [...record.pulls.values()]) {
          const request = pull.autoMerge;
          // GitHub waits for a draft to be marked ready, and leaves a conflicting one open.
          if (pull.state !== 'open' || pull.draft || request === null) continue;
          try {
            const { sha } = await store.merge(record, pull, {
              method: request.mergeMethod,
              ...(request.commitHeadline === undefined ? {} : { commitTitle: request.commitHeadline }),
              ...(request.commitBody === undefined ? {} : { commitMessage: request.commitBody }),
            });
            merged.push({ repository: record.fullName, number: pull.number, sha });
          } catch (error) {
            if (!(error instanceof GitHubHttpError)) throw error;
          }
        }
      }
      return merged;
    },
    pullRequests: (repository) => [...store.repository(repository).pulls.values()].map(view),
    comments: (repository, number) => [...pullOf(repository, number).pull.comments],
    close,
  };
}
