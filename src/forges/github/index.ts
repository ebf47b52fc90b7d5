/**
 * The GitHub forge (SPEC §10): pull requests through GitHub's REST API and auto-merge through
 * its GraphQL API, on github.com or a GitHub Enterprise Server (`forge.apiUrl`), as a token
 * from the environment or a GitHub App installation.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { ForgeError } from '../../errors.js';
import type { Forge, ForgeFactory, ForgeOptions } from '../../forge.js';
import { printable } from '../../log/printable.js';
import { drawbridgeVersion } from '../../version.js';
import { isWebUrl } from '../../checks/web-url.js';
import { enableAutoMerge } from './auto-merge.js';
import { createGitHubClient, createTokenRequest } from './client.js';
import { commitMessage } from './commits.js';
import { commitChecks } from './statuses.js';
import { appInstallationTokens, environmentToken, type Credentials } from './credentials.js';
import {
  closePullRequest,
  listClosed,
  listOpen,
  openPullRequest,
  updatePullRequest,
} from './pull-requests.js';
import { gitHubRepository } from './repository.js';

export const GITHUB_API_URL = 'https://api.github.com';
/** The variable the token is read from when `forge.tokenEnv` names none. */
export const DEFAULT_TOKEN_ENV = 'GITHUB_TOKEN';

/** GitHub's owner (user or organization) and repository names. */
const REPOSITORY = /^([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/([A-Za-z0-9._-]{1,100})$/;

function apiRoot(apiUrl: string | undefined): string {
  const url = (apiUrl ?? GITHUB_API_URL).replace(/\/+$/, '');
  if (!isWebUrl(url))
    throw new ForgeError(`forge.apiUrl is not an http(s) URL: ${printable(url, 120)}`, {
      retryable: false,
      hint: `${GITHUB_API_URL} for github.com, https://<host>/api/v3 for GitHub Enterprise Server`,
    });
  return url;
}

function repositoryPath(repository: string): { owner: string; repo: string } {
  const match = REPOSITORY.exec(repository);
  if (match === null || match[2] === '.' || match[2] === '..')
    throw new ForgeError(`forge.repository is not a GitHub repository: ${printable(repository, 120)}`, {
      retryable: false,
      hint: 'write it as owner/name, e.g. acme/fleet',
    });
  return { owner: match[1]!, repo: match[2]! };
}

function credentialsFor(options: ForgeOptions, apiUrl: string, userAgent: string): Credentials {
  const { settings, logger, redactor } = options;
  if (settings.app === undefined)
    return environmentToken(settings.tokenEnv ?? DEFAULT_TOKEN_ENV, options.env, redactor);
  return appInstallationTokens({
    app: settings.app,
    baseDir: options.baseDir,
    request: createTokenRequest({ apiUrl, logger, redactor, userAgent }),
    redactor,
    logger,
    now: options.now ?? (() => new Date()),
  });
}

export const createGitHubForge: ForgeFactory = (options): Forge => {
  const { settings, redactor } = options;
  const apiUrl = apiRoot(settings.apiUrl);
  const { owner, repo } = repositoryPath(settings.repository);
  const logger = options.logger.child({ forge: 'github' });
  const userAgent = `drawbridge/${drawbridgeVersion()}`;
  const credentials = credentialsFor({ ...options, logger }, apiUrl, userAgent);
  const octokit = createGitHubClient({
    apiUrl,
    credentials,
    logger,
    redactor,
    sleep: options.sleep ?? ((ms) => delay(ms)),
    userAgent,
    paceWrites: options.settings.paceWrites ?? true,
  });
  const repository = gitHubRepository({
    octokit,
    owner,
    repo,
    apiUrl,
    source: credentials.source,
    redactor,
    logger,
  });
  return {
    type: 'github',
    maxBodyLength: 65_536, // GitHub's limit
    listOpen: (base) => listOpen(repository, base),
    listClosed: (base, limit) => listClosed(repository, base, limit),
    open: (request) => openPullRequest(repository, request),
    update: (pullRequest, content) => updatePullRequest(repository, pullRequest, content),
    close: (pullRequest, comment, body) => closePullRequest(repository, pullRequest, comment, body),
    autoMerge: (pullRequest, method) => enableAutoMerge(repository, pullRequest, method),
    commitMessage: (sha) => commitMessage(repository, sha),
    commitChecks: (sha) => commitChecks(repository, sha),
  };
};
