/**
 * Who is calling. GitLab reads a personal, project or group access token from the
 * `PRIVATE-TOKEN` header or from `Authorization: Bearer`; an unknown token answers
 * 401 `{"message":"401 Unauthorized"}`. A token without the scope a route needs answers 403
 * with OAuth's `insufficient_scope` body and WWW-Authenticate header (`read_api` reads,
 * `api` reads and writes); a member below Developer answers 403 Forbidden on writes.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { GitLabApiError } from './answers.js';
import type { GitLabUser, UserDirectory } from './users.js';

export type TokenScope = 'api' | 'read_api' | 'read_user' | 'read_repository' | 'write_repository';
export type ProjectRole = 'guest' | 'reporter' | 'developer' | 'maintainer' | 'owner';

export interface TokenOptions {
  /** Default `drawbridge-bot`. */
  readonly username?: string;
  /** Default `['api']`. */
  readonly scopes?: readonly TokenScope[];
  /** The token user's role on every project; default `developer`. */
  readonly role?: ProjectRole;
}

export interface Caller {
  readonly user: GitLabUser;
  readonly scopes: readonly TokenScope[];
  readonly role: ProjectRole;
}

const WRITERS: readonly ProjectRole[] = ['developer', 'maintainer', 'owner'];
const SCOPE_DESCRIPTION = 'The request requires higher privileges than provided by the access token.';

export class TokenTable {
  private readonly tokens = new Map<string, Caller>();

  constructor(private readonly users: UserDirectory) {}

  add(token: string, options: TokenOptions = {}): void {
    this.tokens.set(token, {
      user: this.users.add(options.username ?? 'drawbridge-bot'),
      scopes: options.scopes ?? ['api'],
      role: options.role ?? 'developer',
    });
  }

  /** The caller, or a GitLabApiError with GitLab's 401 or 403 answer. */
  authenticate(headers: IncomingHttpHeaders, method: string, route: string): Caller {
    const caller = this.tokens.get(tokenOf(headers) ?? '');
    if (caller === undefined) throw new GitLabApiError(401, { message: '401 Unauthorized' });
    const writes = method !== 'GET' && method !== 'HEAD';
    const scoped =
      caller.scopes.includes('api') ||
      (!writes && caller.scopes.includes('read_api')) ||
      (!writes && route === 'GET /users' && caller.scopes.includes('read_user'));
    if (!scoped) {
      throw new GitLabApiError(
        403,
        { error: 'insufficient_scope', error_description: SCOPE_DESCRIPTION, scope: 'api' },
        {
          'www-authenticate': `Bearer realm="Protected by OAuth 2.0", error="insufficient_scope", error_description="${SCOPE_DESCRIPTION}", scope="api"`,
        },
      );
    }
    if (writes && !WRITERS.includes(caller.role)) throw new GitLabApiError(403, { message: '403 Forbidden' });
    return caller;
  }
}

function tokenOf(headers: IncomingHttpHeaders): string | undefined {
  const privateToken = headers['private-token'];
  if (typeof privateToken === 'string' && privateToken !== '') return privateToken;
  const authorization = headers.authorization ?? '';
  const bearer = /^Bearer\s+(\S+)$/i.exec(authorization);
  return bearer?.[1];
}
