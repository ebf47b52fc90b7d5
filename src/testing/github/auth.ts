/**
 * Who calls the GitHub emulator and what they may do: personal access tokens the test adds,
 * GitHub Apps whose JWTs buy installation tokens that expire, and fine-grained permissions
 * checked per route the way GitHub refuses them (403 with `x-accepted-github-permissions`).
 */
import { randomBytes, type KeyObject } from 'node:crypto';
import { GitHubHttpError, notFound } from './http.js';
import { JWT_UNDECODABLE, publicKeyOf, unverifiedIssuer, verifyAppJwt } from './jwt.js';

export type Access = 'read' | 'write';
/** Fine-grained permissions by GitHub's names: `{ pull_requests: 'write', contents: 'read' }`. */
export type Permissions = Readonly<Record<string, Access>>;

export interface TokenOptions {
  readonly permissions: Permissions;
  /** Repositories (`owner/name`) the token may see; undefined: all. */
  readonly repositories?: readonly string[];
}

export interface PersonalTokenOptions extends TokenOptions {
  /** Whose token it is (default `octocat`): the author of what it creates. */
  readonly login?: string;
}

export interface AppOptions extends TokenOptions {
  readonly appId: number;
  readonly installationId: number;
  readonly publicKeyPem: string;
  /** The App's slug (default `app-<appId>`); it acts as `<slug>[bot]`. */
  readonly slug?: string;
}

export interface Principal {
  readonly kind: 'personal' | 'installation';
  readonly login: string;
  readonly permissions: Permissions;
  readonly repositories: readonly string[] | undefined;
}

export interface IssuedToken {
  readonly token: string;
  readonly expiresAt: Date;
  readonly installationId: number;
}

interface InstallationToken extends IssuedToken {
  readonly principal: Principal;
}

interface App {
  readonly options: AppOptions;
  readonly key: KeyObject;
}

const TOKEN_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomToken(prefix: string): string {
  const bytes = randomBytes(36);
  return prefix + [...bytes].map((byte) => TOKEN_CHARS[byte % TOKEN_CHARS.length]).join('');
}

/** `token X` or `Bearer X` (any case); undefined when absent or another scheme. */
export function credentialOf(header: string | undefined): string | undefined {
  const match = /^(?:token|bearer)\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

function satisfies(granted: Permissions, wanted: Permissions): boolean {
  return Object.entries(wanted).every(([name, access]) => {
    const has = granted[name];
    return has === 'write' || (has === 'read' && access === 'read');
  });
}

/** `issues=write; pull_requests=write`: each acceptable set, sets separated by `; `. */
export function acceptedPermissionsHeader(alternatives: readonly Permissions[]): string {
  return alternatives
    .map((set) =>
      Object.entries(set)
        .map(([name, access]) => `${name}=${access}`)
        .join(','),
    )
    .join('; ');
}

export class AuthStore {
  private readonly personal = new Map<string, Principal>();
  private readonly apps = new Map<string, App>();
  private readonly installations = new Map<string, InstallationToken>();
  private readonly issued: IssuedToken[] = [];

  constructor(
    private readonly now: () => Date,
    private ttlMs: number,
  ) {}

  addToken(token: string, options: PersonalTokenOptions): void {
    this.personal.set(token, {
      kind: 'personal',
      login: options.login ?? 'octocat',
      permissions: options.permissions,
      repositories: options.repositories,
    });
  }

  addApp(options: AppOptions): void {
    this.apps.set(String(options.appId), { options, key: publicKeyOf(options.publicKeyPem) });
  }

  setTokenTtl(ms: number): void {
    this.ttlMs = ms;
  }

  /** Installation tokens handed out so far, oldest first. */
  issuedTokens(): readonly IssuedToken[] {
    return [...this.issued];
  }

  /** Revokes a token at once, as an administrator would. */
  revoke(token: string): void {
    this.personal.delete(token);
    this.installations.delete(token);
  }

  /** POST /app/installations/{id}/access_tokens: checks the JWT, then mints a token. */
  issueInstallationToken(authorization: string | undefined, installationId: number): InstallationToken {
    const jwt = credentialOf(authorization);
    if (jwt === undefined) throw new GitHubHttpError(401, JWT_UNDECODABLE);
    const app = this.apps.get(unverifiedIssuer(jwt));
    if (app === undefined) throw new GitHubHttpError(401, JWT_UNDECODABLE);
    verifyAppJwt(jwt, app.key, Math.floor(this.now().getTime() / 1000));
    if (app.options.installationId !== installationId) throw notFound();
    const expiresAt = new Date(Math.floor((this.now().getTime() + this.ttlMs) / 1000) * 1000);
    const issued: InstallationToken = {
      token: randomToken('ghs_'),
      expiresAt,
      installationId,
      principal: {
        kind: 'installation',
        login: `${app.options.slug ?? `app-${app.options.appId}`}[bot]`,
        permissions: app.options.permissions,
        repositories: app.options.repositories,
      },
    };
    this.installations.set(issued.token, issued);
    this.issued.push({ token: issued.token, expiresAt, installationId });
    return issued;
  }

  /** The caller of a REST or GraphQL route; 401 when absent, unknown or expired. */
  authenticate(authorization: string | undefined): Principal {
    if (authorization === undefined || authorization === '')
      throw new GitHubHttpError(401, 'Requires authentication');
    const token = credentialOf(authorization);
    const personal = token === undefined ? undefined : this.personal.get(token);
    if (personal) return personal;
    const installation = token === undefined ? undefined : this.installations.get(token);
    if (installation && installation.expiresAt.getTime() > this.now().getTime())
      return installation.principal;
    throw new GitHubHttpError(401, 'Bad credentials');
  }
}

/** 404 when the principal cannot see the repository (GitHub hides what a token may not see). */
export function requireRepository(principal: Principal, fullName: string): void {
  if (principal.repositories !== undefined && !principal.repositories.includes(fullName)) throw notFound();
}

export function allows(principal: Principal, alternatives: readonly Permissions[]): boolean {
  return alternatives.some((wanted) => satisfies(principal.permissions, wanted));
}

/** GitHub's words for a missing permission, which differ by the kind of token. */
export function refusal(principal: Principal): string {
  return principal.kind === 'installation'
    ? 'Resource not accessible by integration'
    : 'Resource not accessible by personal access token';
}

/** 403 naming what the route accepts, unless the principal holds one of the sets. */
export function requirePermission(
  principal: Principal,
  alternatives: readonly Permissions[],
  documentationUrl: string,
): void {
  if (allows(principal, alternatives)) return;
  throw new GitHubHttpError(403, refusal(principal), {
    headers: { 'x-accepted-github-permissions': acceptedPermissionsHeader(alternatives) },
    documentationUrl,
  });
}
