/**
 * GitLab (gitlab.com or self-managed) as a forge: `forge.repository` is the project path
 * (`group/subgroup/project`) or its numeric id, `forge.apiUrl` the API root ending in
 * `/api/v4` (default https://gitlab.com/api/v4), the token is read from the environment
 * variable `forge.tokenEnv` (default GITLAB_TOKEN) and registered with the redactor before
 * any call. Calls go through @gitbeaker/rest's resources over requester.ts.
 */
import { ForgeError } from '../../errors.js';
import type { ForgeFactory } from '../../forge.js';
import { printable } from '../../log/printable.js';
import { gitLabApi } from './api.js';
import { gitLabCaller } from './calls.js';
import { gitLabClient } from './client.js';
import { gitLabForge } from './forge.js';
import { fetchRequester } from './requester.js';

export const DEFAULT_API_URL = 'https://gitlab.com/api/v4';
export const DEFAULT_TOKEN_ENV = 'GITLAB_TOKEN';

/** A project path (`group/project`, subgroups allowed) or a numeric project id. */
const PROJECT = /^(?:\d+|[\w.-]+(?:\/[\w.-]+)+)$/;

export const createGitLabForge: ForgeFactory = (options) => {
  const { settings, env, redactor } = options;
  const repository = settings.repository;
  if (!PROJECT.test(repository) || repository.endsWith('.git') || repository.length > 255)
    throw new ForgeError(
      `forge.repository ${JSON.stringify(printable(repository, 120))} is not a GitLab project path`,
      {
        retryable: false,
        hint: 'the project path as in its URL (group/project, or group/subgroup/project), or its numeric id; not the clone URL',
      },
    );
  const tokenEnv = settings.tokenEnv ?? DEFAULT_TOKEN_ENV;
  const token = env[tokenEnv];
  if (token === undefined || token.trim() === '')
    throw new ForgeError(`GitLab needs a token in ${tokenEnv}`, {
      retryable: false,
      hint: `put a personal, project or group access token with the api scope (and at least the Developer role on ${repository}) in ${tokenEnv}`,
      context: { repository },
    });
  const secret = token.trim();
  redactor.add(secret);
  const host = gitLabHost(settings.apiUrl ?? DEFAULT_API_URL, (text) => redactor.redact(text));
  const client = gitLabClient({ host, token: secret, requesterFn: fetchRequester() });
  const call = gitLabCaller({
    scope: { repository, tokenEnv, host },
    logger: options.logger,
    sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    now: options.now ?? (() => new Date()),
    redact: (text) => redactor.redact(text),
  });
  return gitLabForge(gitLabApi(client, call, repository), repository);
};

/**
 * `https://gitlab.example.com/gitlab/api/v4` → `https://gitlab.example.com/gitlab`: gitbeaker
 * adds `/api/v4` itself. `redact` scrubs credentials from the URL quoted in the error.
 */
export function gitLabHost(apiUrl: string, redact: (text: string) => string): string {
  let url: URL | undefined;
  try {
    url = new URL(apiUrl);
  } catch {
    url = undefined;
  }
  const path = url?.pathname.replace(/\/+$/, '') ?? '';
  if (
    url === undefined ||
    (url.protocol !== 'https:' && url.protocol !== 'http:') ||
    url.username !== '' ||
    url.password !== '' ||
    url.search !== '' ||
    url.hash !== '' ||
    !path.endsWith('/api/v4')
  )
    throw new ForgeError(
      `forge.apiUrl ${JSON.stringify(printable(redact(apiUrl), 120))} is not a GitLab API root`,
      {
        retryable: false,
        hint: 'the http(s) URL of the API, ending in /api/v4 (https://gitlab.example.com/api/v4), without credentials',
      },
    );
  return `${url.origin}${path.slice(0, -'/api/v4'.length)}`;
}
