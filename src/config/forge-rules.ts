/**
 * Rules about forges and pull requests (SPEC §10): each `forge:` resolves (a type, a
 * repository path, the credentials its type needs); an environment with `push.pullRequest`
 * lives in a repository with a forge and pushes to a branch of its own; a templated push
 * branch comes with a pull request; what a pull request asks for exists on that forge; and
 * `promote.healthy` has a forge that keeps commit statuses for its source (SPEC §11).
 */
import type { ForgeType } from '../forge.js';
import { resolveForge } from './forge-settings.js';
import type { PathIssue, PathSegment } from './issues.js';
import { entriesOf, isMapping } from './raw.js';
import { DEFAULT_REPOSITORY, forgeConfigOf } from './repositories.js';
import type { ForgeConfig } from './schema.js';

interface RawRepository {
  readonly path: PathSegment[];
  readonly url: string;
  readonly forge?: ForgeConfig;
}

/** What each forge cannot do, by pull-request key. */
const UNSUPPORTED: Readonly<Record<ForgeType, Readonly<Record<string, string>>>> = {
  github: {},
  gitlab: { teamReviewers: 'GitLab has no team reviewers: name users under reviewers, or use CODEOWNERS' },
  codecommit: {
    labels: 'CodeCommit pull requests have no labels',
    reviewers:
      'CodeCommit asks for approvals through approval rules (an approval rule template), not reviewers',
    teamReviewers: 'CodeCommit asks for approvals through approval rules, not team reviewers',
    draft: 'CodeCommit has no draft pull requests',
  },
};

/** Why a forge's commit statuses cannot gate a promotion; undefined: they can. */
const NO_COMMIT_STATUSES: Readonly<Record<ForgeType, string | undefined>> = {
  github: undefined,
  gitlab: undefined,
  codecommit: 'CodeCommit keeps no commit statuses',
};

/**
 * Why nothing reports deployment statuses for a repository's commits; undefined: its forge
 * does, or the statuses endpoint records them in Git (events.statuses).
 */
function statusesMissing(
  input: Record<string, unknown>,
  types: ReadonlyMap<string, ForgeType>,
  repository: string,
): string | undefined {
  const events = input['events'];
  if (isMapping(events) && isMapping(events['statuses'])) return undefined;
  const type = types.get(repository);
  return type === undefined ? `repository \`${repository}\` has no forge:` : NO_COMMIT_STATUSES[type];
}

function rawRepositories(input: Record<string, unknown>): Map<string, RawRepository> {
  const out = new Map<string, RawRepository>();
  const add = (name: string, path: PathSegment[], value: unknown): void => {
    if (!isMapping(value) || typeof value['url'] !== 'string') return;
    const forge = isMapping(value['forge']) ? (value['forge'] as ForgeConfig) : undefined;
    out.set(name, { path, url: value['url'], ...(forge ? { forge } : {}) });
  };
  add(DEFAULT_REPOSITORY, ['git'], input['git']);
  for (const [name, value] of entriesOf(input['repositories'])) add(name, ['repositories', name], value);
  return out;
}

export function forgeRules(input: Record<string, unknown>): PathIssue[] {
  const issues: PathIssue[] = [];
  const aws = input['aws'];
  const region = isMapping(aws) && typeof aws['region'] === 'string' ? aws['region'] : undefined;
  const repositories = rawRepositories(input);
  const git = repositories.get(DEFAULT_REPOSITORY);
  const types = new Map<string, ForgeType>();
  for (const [name, repository] of repositories) {
    const forge = git ? forgeConfigOf(repository, git) : repository.forge;
    if (forge === undefined) continue;
    const resolved = resolveForge(repository.url, forge, region);
    if ('settings' in resolved) {
      types.set(name, resolved.settings.type);
      continue;
    }
    const { field, message, hint } = resolved.problem;
    // An inherited forge is reported where the inheriting repository is.
    const own = repository.forge !== undefined;
    const forgePath = [...repository.path, 'forge'];
    const at =
      field !== undefined && repository.forge?.[field] !== undefined ? [...forgePath, field] : forgePath;
    issues.push({
      path: own ? at : [...repository.path, 'url'],
      message: own ? message : `the forge inherited from git: does not fit this URL: ${message}`,
      ...(hint === undefined
        ? {}
        : { hint: own ? hint : `give this repository a forge: of its own; ${hint}` }),
    });
  }

  for (const [environment, value] of entriesOf(input['environments'])) {
    if (!isMapping(value)) continue;
    const push = value['push'];
    if (!isMapping(push)) continue;
    const base: PathSegment[] = ['environments', environment, 'push'];
    const branch = push['branch'];
    const pullRequest = push['pullRequest'];
    const templated = typeof branch === 'string' && /\{(?:env|image)\}/.test(branch);
    if (typeof branch === 'string' && branch.includes('{image}') && pullRequest === undefined)
      issues.push({
        path: [...base, 'branch'],
        message: 'a push branch per image ({image}) needs push.pullRequest',
        hint: 'add pullRequest: {} (each image then gets its own branch and pull request), or drop {image}',
      });
    if (pullRequest === undefined) continue;
    if (!templated && branch === value['branch'])
      issues.push({
        path: [...base, 'branch'],
        message: 'a pull request needs a branch of its own: push.branch is the environment branch',
        hint: 'push to e.g. drawbridge/{env}; the pull request goes from there to branch',
      });
    const repositoryName = typeof value['repository'] === 'string' ? value['repository'] : DEFAULT_REPOSITORY;
    const type = types.get(repositoryName);
    const where =
      repositoryName === DEFAULT_REPOSITORY ? 'git.forge' : `repositories.${repositoryName}.forge`;
    if (type === undefined) {
      if (repositories.has(repositoryName))
        issues.push({
          path: [...base, 'pullRequest'],
          message: `pull requests need a forge, and repository ${repositoryName} has none`,
          hint: `set ${where} (e.g. { type: github, tokenEnv: GITHUB_TOKEN })`,
        });
      continue;
    }
    if (!isMapping(pullRequest)) continue;
    for (const [key, why] of Object.entries(UNSUPPORTED[type])) {
      const asked = pullRequest[key];
      if (asked === undefined || asked === false || (Array.isArray(asked) && asked.length === 0)) continue;
      issues.push({ path: [...base, 'pullRequest', key], message: why, hint: `remove ${key} for ${type}` });
    }
  }
  issues.push(...healthRules(input, types));
  issues.push(...revertRules(input, types));
  return issues;
}

/**
 * `onFailure.revert` reads the statuses of drawbridge's commits from the forge of the
 * environment's own repository, and pushes the revert to the environment's branch.
 */
function revertRules(input: Record<string, unknown>, types: ReadonlyMap<string, ForgeType>): PathIssue[] {
  const issues: PathIssue[] = [];
  const environments = isMapping(input['environments']) ? input['environments'] : {};
  for (const [environment, value] of entriesOf(environments)) {
    if (!isMapping(value) || !isMapping(value['onFailure'])) continue;
    const revert = value['onFailure']['revert'];
    if (!Array.isArray(revert) || revert.length === 0) continue; // the schema's to report
    const repository = typeof value['repository'] === 'string' ? value['repository'] : DEFAULT_REPOSITORY;
    const why = statusesMissing(input, types, repository);
    const path = ['environments', environment, 'onFailure', 'revert'];
    if (why !== undefined) {
      issues.push({
        path,
        at: 'key',
        message: `\`revert\` reads the commit statuses of drawbridge's commits on ${environment}, but ${why}`,
        hint: `give repository \`${repository}\` a GitHub or GitLab forge (forge: { type: github, repository: owner/name } or { type: gitlab, repository: group/project }), or set events.statuses and point Flux's generic provider or Argo CD's webhook at it, or remove onFailure`,
      });
    } else if (isMapping(value['push']) && value['push']['pullRequest'] === undefined) {
      issues.push({
        path,
        at: 'key',
        message: `\`revert\` on ${environment} goes through a pull request, since ${environment} pushes to \`push.branch\`, but it has no \`push.pullRequest\``,
        hint: 'add push.pullRequest (the revert is proposed in one, with its labels, reviewers and auto-merge), or push to the branch directly',
      });
    }
  }
  return issues;
}

/** `promote.healthy` reads statuses from the forge of its source environment's repository. */
function healthRules(input: Record<string, unknown>, types: ReadonlyMap<string, ForgeType>): PathIssue[] {
  const issues: PathIssue[] = [];
  const environments = isMapping(input['environments']) ? input['environments'] : {};
  for (const [environment, value] of entriesOf(environments)) {
    if (!isMapping(value)) continue;
    for (const [image, policy] of entriesOf(value['policies'])) {
      const promote = isMapping(policy) ? policy['promote'] : undefined;
      const healthy = isMapping(promote) ? promote['healthy'] : undefined;
      // An empty or malformed list is the schema's to report.
      if (!isMapping(promote) || !Array.isArray(healthy) || healthy.length === 0) continue;
      if (typeof promote['from'] !== 'string') continue;
      const source = environments[promote['from']];
      if (!isMapping(source)) continue; // policy rules report the unknown environment
      const repository = typeof source['repository'] === 'string' ? source['repository'] : DEFAULT_REPOSITORY;
      const why = statusesMissing(input, types, repository);
      if (why === undefined) continue;
      issues.push({
        path: ['environments', environment, 'policies', image, 'promote', 'healthy'],
        at: 'key',
        message: `\`healthy\` reads the commit statuses of ${promote['from']}'s commits, but ${why}`,
        hint: `give repository \`${repository}\` a GitHub or GitLab forge (forge: { type: github, repository: owner/name } or { type: gitlab, repository: group/project }), or set events.statuses and point Flux's generic provider or Argo CD's webhook at it, or remove healthy`,
      });
    }
  }
  return issues;
}
