/**
 * A repository's `forge:` resolved (SPEC §10): the type, when left out, from the URL's host
 * (github.com, gitlab.com, git-codecommit.<region>.amazonaws.com); the repository path from
 * the URL's path (`acme/fleet`, a GitLab group/project path, `/v1/repos/<name>` for
 * CodeCommit); and the credentials each type needs. Pure: the rules report the problem with
 * file, line and column, and the runtime uses the settings.
 */
import { FORGE_TYPES, type ForgeSettings, type ForgeType } from '../forge.js';
import type { Problem } from './field-checks.js';
import type { ForgeConfig } from './schema.js';

const CODECOMMIT_HOST = /^git-codecommit(?:-fips)?\.([a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com$/;

/** The host and path of a remote URL (https, ssh, scp-like); undefined for local paths. */
function hostAndPath(url: string): { host: string; path: string } | undefined {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/]*@)?([^/:?#]+)(?::\d+)?(\/[^?#]*)?/i.exec(url);
  if (withScheme) {
    if (url.toLowerCase().startsWith('file:')) return undefined;
    return { host: (withScheme[1] ?? '').toLowerCase(), path: withScheme[2] ?? '' };
  }
  const scp = /^(?:[^@/:]+@)?([^@/:]+):(?!\/\/)(.*)$/.exec(url);
  if (scp) return { host: (scp[1] ?? '').toLowerCase(), path: `/${scp[2] ?? ''}` };
  return undefined;
}

/** The forge a remote's host names, if it names one. */
export function inferForgeType(url: string): ForgeType | undefined {
  const host = hostAndPath(url)?.host;
  if (host === 'github.com') return 'github';
  if (host === 'gitlab.com') return 'gitlab';
  if (host !== undefined && CODECOMMIT_HOST.test(host)) return 'codecommit';
  return undefined;
}

/** `acme/fleet` from `/acme/fleet.git`; CodeCommit's name from `/v1/repos/<name>`. */
function repositoryFromUrl(type: ForgeType, url: string): string | undefined {
  const path = hostAndPath(url)?.path;
  if (path === undefined) return undefined;
  const trimmed = path.replace(/^\/+|\/+$/g, '').replace(/\.git$/, '');
  if (type === 'codecommit') {
    const name = /^v1\/repos\/([^/]+)$/.exec(trimmed)?.[1];
    return name === undefined ? undefined : decodeURIComponent(name);
  }
  return trimmed.includes('/') ? decodeURIComponent(trimmed) : undefined;
}

export type ForgeResolution =
  | { readonly settings: ForgeSettings }
  | { readonly problem: Problem & { readonly field: keyof ForgeConfig | undefined } };

/**
 * The settings of `forge` for the remote `url`. `awsRegion` (aws.region) is CodeCommit's
 * region when the URL does not name one.
 */
export function resolveForge(url: string, forge: ForgeConfig, awsRegion?: string): ForgeResolution {
  const type = forge.type ?? inferForgeType(url);
  if (type === undefined)
    return {
      problem: {
        field: 'type',
        message: 'cannot tell the forge from the URL',
        hint: `write forge.type: ${FORGE_TYPES.join(', ')} (github.com, gitlab.com and git-codecommit.<region>.amazonaws.com are recognised)`,
      },
    };
  const repository = forge.repository ?? repositoryFromUrl(type, url);
  if (repository === undefined)
    return {
      problem: {
        field: 'repository',
        message: 'cannot tell the repository from the URL',
        hint:
          type === 'codecommit'
            ? 'write forge.repository: <repository name>'
            : `write forge.repository: <owner>/<name> (the ${type === 'github' ? 'repository' : 'project path'} on ${type})`,
      },
    };
  const app =
    forge.appId !== undefined || forge.privateKeyFile !== undefined || forge.installationId !== undefined;
  if (type === 'github') {
    if (app && forge.tokenEnv !== undefined)
      return {
        problem: {
          field: 'tokenEnv',
          message: 'a token and a GitHub App are both set',
          hint: 'keep one: tokenEnv, or appId + privateKeyFile + installationId',
        },
      };
    if (app) {
      const { appId, privateKeyFile, installationId } = forge;
      if (appId === undefined || privateKeyFile === undefined || installationId === undefined) {
        const missing = (['appId', 'privateKeyFile', 'installationId'] as const).filter(
          (key) => forge[key] === undefined,
        );
        return {
          problem: {
            field: undefined,
            message: `a GitHub App needs appId, privateKeyFile and installationId; ${missing.join(' and ')} missing`,
            hint: "the App's settings page shows its id; the installation id is in the installation's URL",
          },
        };
      }
      return { settings: base(type, repository, forge, { app: { appId, privateKeyFile, installationId } }) };
    }
  } else if (app) {
    return {
      problem: {
        field: 'appId',
        message: `appId, privateKeyFile and installationId are for GitHub Apps, not ${type}`,
        hint:
          type === 'gitlab' ? 'use tokenEnv' : "CodeCommit uses the AWS SDK's credentials: leave them out",
      },
    };
  }
  if (type === 'codecommit') {
    if (forge.tokenEnv !== undefined)
      return {
        problem: {
          field: 'tokenEnv',
          message: 'CodeCommit takes no token',
          hint: "it uses the AWS SDK's default credential chain (IRSA, Pod Identity, env): leave tokenEnv out",
        },
      };
    const region = CODECOMMIT_HOST.exec(hostAndPath(url)?.host ?? '')?.[1] ?? awsRegion;
    if (region === undefined)
      return {
        problem: {
          field: 'type',
          message: 'CodeCommit needs a region and the URL names none',
          hint: 'set aws.region, or use the git-codecommit.<region>.amazonaws.com URL',
        },
      };
    return { settings: base(type, repository, forge, { region }) };
  }
  if (forge.tokenEnv === undefined)
    return {
      problem: {
        field: 'tokenEnv',
        message: `${type} needs a token`,
        hint:
          type === 'github'
            ? 'write tokenEnv: GITHUB_TOKEN (a token with Pull requests and Contents write), or a GitHub App'
            : 'write tokenEnv: GITLAB_TOKEN (a token with the api scope)',
      },
    };
  return { settings: base(type, repository, forge, { tokenEnv: forge.tokenEnv }) };
}

function base(
  type: ForgeType,
  repository: string,
  forge: ForgeConfig,
  rest: Partial<ForgeSettings>,
): ForgeSettings {
  return {
    type,
    repository,
    ...(forge.apiUrl === undefined ? {} : { apiUrl: forge.apiUrl }),
    ...(forge.paceWrites === undefined ? {} : { paceWrites: forge.paceWrites }),
    ...rest,
  };
}
