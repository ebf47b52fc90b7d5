/**
 * What one reconciliation covers: the environments in scope with their image keys, grouped
 * by repository and by the branch they write. Environments writing one branch of one
 * repository take turns (they share the branch's pushes); all others may run side by side.
 */
import { writtenBranch } from '../config/environment-rules.js';
import { repositoryNameOf } from '../config/repositories.js';
import type { Config } from '../config/schema.js';
import { UsageError } from '../errors.js';

/** An environment in scope and its in-scope image keys. */
export type ScopedEnvironment = readonly [name: string, imageKeys: string[]];

export interface RepositoryWork {
  readonly repository: string;
  /** Groups that choose tags themselves; they run first. */
  readonly direct: ScopedEnvironment[][];
  /** Groups with a promoting policy; they run after every direct group of every repository. */
  readonly promoting: ScopedEnvironment[][];
}

export interface ScopeInput {
  readonly environments?: readonly string[];
  readonly images?: readonly string[];
}

/** The environments in scope, each with its in-scope image keys; unknown names are usage errors. */
export function scopeEnvironments(config: Config, scope: ScopeInput): ScopedEnvironment[] {
  const known = Object.keys(config.environments);
  for (const name of scope.environments ?? []) {
    if (!known.includes(name)) {
      throw new UsageError(`unknown environment "${name}"`, {
        hint: `known environments: ${known.join(', ')}`,
      });
    }
  }
  for (const key of scope.images ?? []) {
    if (!(key in config.images)) {
      throw new UsageError(`unknown image "${key}"`, {
        hint: `known images: ${Object.keys(config.images).join(', ')}`,
      });
    }
  }
  const result: ScopedEnvironment[] = [];
  for (const name of scope.environments ?? known) {
    const environment = config.environments[name];
    if (!environment) continue;
    const keys = Object.keys(environment.policies).filter(
      (key) => !scope.images || scope.images.includes(key),
    );
    if (keys.length > 0) result.push([name, keys]);
  }
  return result;
}

/**
 * The work per repository, in `order` (the config's repository order), including the
 * repositories that only hold a promotion source of an environment in scope: their history
 * is read, so they are fetched too.
 */
export function planRepositories(
  config: Config,
  environments: readonly ScopedEnvironment[],
  order: readonly string[],
): RepositoryWork[] {
  const groups = new Map<string, Map<string, ScopedEnvironment[]>>();
  const needed = new Set<string>();
  for (const entry of environments) {
    const environment = config.environments[entry[0]];
    if (!environment) continue;
    const repository = repositoryNameOf(environment);
    needed.add(repository);
    for (const key of entry[1]) {
      const from = environment.policies[key]?.promote?.from;
      const source = from === undefined ? undefined : config.environments[from];
      if (source) needed.add(repositoryNameOf(source));
    }
    const branch = writtenBranch(entry[0], environment);
    const byBranch = groups.get(repository) ?? new Map<string, ScopedEnvironment[]>();
    byBranch.set(branch, [...(byBranch.get(branch) ?? []), entry]);
    groups.set(repository, byBranch);
  }
  const promotes = (group: readonly ScopedEnvironment[]): boolean =>
    group.some(([name]) =>
      Object.values(config.environments[name]?.policies ?? {}).some((policy) => policy.promote),
    );
  return order
    .filter((repository) => needed.has(repository))
    .map((repository) => {
      const all = [...(groups.get(repository)?.values() ?? [])];
      return {
        repository,
        direct: all.filter((group) => !promotes(group)),
        promoting: all.filter(promotes),
      };
    });
}
