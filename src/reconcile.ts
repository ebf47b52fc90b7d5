/**
 * One reconciliation (SPEC §1, §9): scan → select → plan → apply → commit → push → notify,
 * over every repository in scope. ECR is read once per image whatever the number of
 * repositories; each repository is fetched once and reconciled beside the others (at most
 * `git.maxConcurrency` at once); one that fails fails only its own environments.
 * An environment's pass lives in reconcile/environment.ts.
 */
import { writtenBranch } from './config/environment-rules.js';
import { repositoriesOf, repositoryNameOf, type RepositoryConfig } from './config/repositories.js';
import type { Config } from './config/schema.js';
import { formatError, RegistryError } from './errors.js';
import type { CommitCheck, Forge } from './forge.js';
import type { Workspace } from './git/workspace.js';
import type { Workspaces } from './git/workspaces.js';
import type { Logger } from './log/logger.js';
import type { FileProblem } from './manifest/types.js';
import type { ManifestWorkers } from './manifest/workers.js';
import type { ImageChange, Notifier } from './notify/types.js';
import type { Decision } from './policy/types.js';
import { sleep } from './reconcile/backoff.js';
import { mapBounded } from './map-bounded.js';
import { reconcileEnvironment, type EnvironmentPassDeps } from './reconcile/environment.js';
import { readBranch, type BranchRead } from './reconcile/select-images.js';
import { createMarkedFilesIndex, type MarkedFilesIndex } from './reconcile/marked-files.js';
import { memoryPlanMemo, type PlanMemo } from './reconcile/plan-memo.js';
import type { RevertRecord } from './reconcile/revert-failures.js';
import { memoryHistoryMemo, type HistoryMemo } from './git/history-memo.js';
import type { PullRequestRecord } from './reconcile/pull-requests.js';
import { planRepositories, scopeEnvironments, type ScopedEnvironment } from './reconcile/scope.js';
import type { ImageListing, ImageSource } from './registry.js';

export { scopeEnvironments } from './reconcile/scope.js';

/** `retry`: the daemon's sweep after a pass that could not reach Git or ECR, with backoff. */
export type Trigger = 'schedule' | 'event' | 'manual' | 'startup' | 'retry';

export interface ReconcileScope {
  /** Only these environments (default all). */
  readonly environments?: readonly string[];
  /** Only these image keys (default all); an event narrows to its repository's keys. */
  readonly images?: readonly string[];
  readonly trigger: Trigger;
  /** Plan and show the diff; commit and push nothing. */
  readonly dryRun?: boolean;
}

export interface UpdateRecord extends ImageChange {
  readonly files: readonly string[];
}

/** What an environment runs and would run, per image (for `status` and `--explain`). */
export interface ImageOutcome {
  readonly image: string;
  /** Distinct tags in Git now. */
  readonly current: readonly string[];
  readonly decision?: Decision;
  readonly hold?: { readonly by: string; readonly at: Date; readonly reason?: string };
  readonly registryError?: string;
  /** Why no decision could be made besides the registry (a promotion source that could not be read). */
  readonly error?: string;
}

export type EnvironmentStatus = 'committed' | 'unchanged' | 'failed' | 'dry-run';

export interface EnvironmentOutcome {
  readonly environment: string;
  /** The repository (name under `repositories:`, `default` for `git:`). */
  readonly repository: string;
  readonly branch: string;
  /** Where the commit went: `branch`, or `push.branch`. */
  readonly pushBranch: string;
  readonly status: EnvironmentStatus;
  readonly commit?: string;
  readonly updates: readonly UpdateRecord[];
  readonly decisions: readonly Decision[];
  readonly images: readonly ImageOutcome[];
  readonly problems: readonly FileProblem[];
  /** Push attempts made (1 when the first push went through). */
  readonly attempts: number;
  /** Unified diff, for dry runs. */
  readonly diff?: string;
  readonly error?: string;
  /** What drawbridge did to the environment's pull request(s) (`push.pullRequest`). */
  readonly pullRequests?: readonly PullRequestRecord[];
  /** Drawbridge's commits whose deployment failed, and whether they were reverted (`onFailure`). */
  readonly reverts?: readonly RevertRecord[];
}

export interface RegistryFailure {
  readonly image: string;
  readonly repository: string;
  readonly code: string;
  readonly message: string;
}

/** How a repository's remote answered this pass. */
export interface RepositoryOutcome {
  readonly repository: string;
  /** The remote without credentials. */
  readonly remote: string;
  /** `reused`: an event pass took a fetch younger than eventFetchMaxAgeMs. */
  readonly status: 'fetched' | 'reused' | 'failed';
  readonly error?: string;
}

export interface ReconcileResult {
  readonly trigger: Trigger;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly environments: readonly EnvironmentOutcome[];
  readonly repositories: readonly RepositoryOutcome[];
  readonly registryFailures: readonly RegistryFailure[];
  /** Reachability seen during this pass, for /readyz. */
  readonly ecrReachable: boolean;
  /** Every repository in scope could be fetched. */
  readonly gitReachable: boolean;
}

export interface Reconciler {
  reconcile(scope: ReconcileScope): Promise<ReconcileResult>;
}

/** Hooks for metrics; every one optional. */
export interface ReconcileObserver {
  onCommit?(environment: string, repository: string): void;
  onPush?(environment: string, repository: string, outcome: 'pushed' | 'rejected' | 'failed'): void;
  onPushRetry?(environment: string, repository: string): void;
  /** A drawbridge commit whose deployment failed, and what became of its revert (`onFailure`). */
  onRevert?(environment: string, repository: string, result: RevertRecord['result']): void;
}

export interface ReconcilerDeps {
  readonly config: Config;
  readonly source: ImageSource;
  /** Every repository's workspace, opened on first use. */
  readonly workspaces: Workspaces;
  readonly logger: Logger;
  readonly now?: () => Date;
  readonly random?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly observer?: ReconcileObserver;
  readonly notifier?: Notifier;
  /**
   * Event-triggered passes reuse a fetch younger than this (default 30 s) instead of fetching
   * again. Safe because a push is a compare-and-swap: if the remote moved meanwhile, the push
   * is rejected and the environment is planned again after a fresh fetch.
   */
  readonly eventFetchMaxAgeMs?: number;
  /** Worker threads for reading and parsing manifests in large scans; default this thread. */
  readonly manifestWorkers?: ManifestWorkers;
  /** Where a workspace's plans without edits are kept; default in memory (plan-memo.ts). */
  readonly planMemo?: (workspace: Workspace) => PlanMemo;
  /** Where a repository's branch histories are kept; default in memory. */
  readonly historyMemo?: (workspace: Workspace) => HistoryMemo;
  /** The forge of a repository (`forge:`), for pull requests; opened once by the caller. */
  readonly forges?: (repository: string) => Forge | undefined;
  /** Called as repositories are read: for progress bars. */
  readonly onProgress?: (event: { phase: 'registry' | 'git'; done: number; total: number }) => void;
}

/** Commit messages of closed pull requests kept per repository before starting afresh. */
const COMMIT_MESSAGES_KEPT = 5_000;

/** Branches of one repository reconciled at once: git work is mostly waiting on child processes. */
const ENVIRONMENT_CONCURRENCY = 3;

/** A repository ready for its environments, or why it is not. */
type Prepared =
  | { readonly ok: true; readonly workspace: Workspace; readonly markedFiles: MarkedFilesIndex }
  | { readonly ok: false; readonly error: string };

export function createReconciler(deps: ReconcilerDeps): Reconciler {
  const now = deps.now ?? (() => new Date());
  const { config, workspaces } = deps;
  const settings = new Map(repositoriesOf(config).map((repository) => [repository.name, repository]));
  const eventFetchMaxAgeMs = deps.eventFetchMaxAgeMs ?? 30_000;
  // Per open workspace (a workspace opened again after a failure starts afresh).
  const lastFetch = new WeakMap<Workspace, number>();
  const markedFiles = new WeakMap<Workspace, MarkedFilesIndex>();
  // Commit messages of closed pull requests, per repository: a commit never changes.
  const commitMessages = new Map<string, Map<string, string>>();
  const commitMessagesOf = (repository: string): Map<string, string> => {
    let messages = commitMessages.get(repository);
    if (messages === undefined || messages.size > COMMIT_MESSAGES_KEPT) {
      messages = new Map();
      commitMessages.set(repository, messages);
    }
    return messages;
  };
  const forgeDeps = (name: string): Pick<EnvironmentPassDeps, 'forge' | 'commitMessages'> => {
    const forge = deps.forges?.(name);
    return forge ? { forge, commitMessages: commitMessagesOf(name) } : {};
  };
  // Plans without edits and branch histories, per workspace and environment (plan-memo.ts,
  // git/history-memo.ts).
  const planMemoOf = perWorkspace((workspace) => deps.planMemo?.(workspace) ?? memoryPlanMemo());
  const historyMemoOf = perWorkspace((workspace) => deps.historyMemo?.(workspace) ?? memoryHistoryMemo());

  return {
    async reconcile(scope) {
      const startedAt = now();
      const environments = scopeEnvironments(config, scope);
      const imageKeys = [...new Set(environments.flatMap(([, keys]) => keys))];
      const listings = new Map<string, ImageListing>();
      const failures = new Map<string, RegistryFailure>();
      let ecrReachable = true;
      let registryDone = 0;
      const listed = mapBounded(imageKeys, config.aws.maxConcurrency, async (imageKey) => {
        try {
          listings.set(imageKey, await deps.source.list(imageKey));
        } catch (error) {
          const code = error instanceof RegistryError ? error.code : 'Error';
          if (!(error instanceof RegistryError) || error.retryable) ecrReachable = false;
          const repository = config.images[imageKey]?.repository ?? '';
          deps.logger.error({ image: imageKey, repository, code, err: error }, 'cannot read repository');
          failures.set(imageKey, { image: imageKey, repository, code, message: formatError(error) });
        }
        registryDone += 1;
        deps.onProgress?.({ phase: 'registry', done: registryDone, total: imageKeys.length });
      });
      listed.catch(() => undefined);

      const work = planRepositories(config, environments, workspaces.names);
      const repositoryOutcomes = new Map<string, RepositoryOutcome>();
      const preparing = new Map<string, Promise<Prepared>>();
      let gitDone = 0;
      // Opens and fetches a repository once per pass, whoever asks first.
      const prepare = (name: string): Promise<Prepared> => {
        let pending = preparing.get(name);
        if (pending === undefined) {
          pending = (async (): Promise<Prepared> => {
            const remote = workspaces.remote(name);
            try {
              const workspace = await workspaces.get(name);
              const reused = await fetchUnlessFresh(workspace, scope.trigger);
              repositoryOutcomes.set(name, {
                repository: name,
                remote,
                status: reused ? 'reused' : 'fetched',
              });
              let index = markedFiles.get(workspace);
              if (index === undefined) {
                index = createMarkedFilesIndex(workspace);
                markedFiles.set(workspace, index);
              }
              return { ok: true, workspace, markedFiles: index };
            } catch (error) {
              const message = formatError(error);
              deps.logger.error({ repository: name, remote, err: error }, 'cannot fetch the Git remote');
              repositoryOutcomes.set(name, { repository: name, remote, status: 'failed', error: message });
              return { ok: false, error: message };
            } finally {
              gitDone += 1;
              deps.onProgress?.({ phase: 'git', done: gitDone, total: work.length });
            }
          })();
          preparing.set(name, pending);
        }
        return pending;
      };

      const fetchUnlessFresh = async (workspace: Workspace, trigger: Trigger): Promise<boolean> => {
        const started = now().getTime();
        const last = lastFetch.get(workspace);
        if (trigger === 'event' && last !== undefined && started - last < eventFetchMaxAgeMs) return true;
        await workspace.fetch();
        lastFetch.set(workspace, started);
        return false;
      };

      const passDepsOf = new Map<string, EnvironmentPassDeps>();
      // The pass's deps for a repository that could be fetched, made once.
      const ready = async (name: string): Promise<EnvironmentPassDeps | string> => {
        const prepared = await prepare(name);
        const repository = settings.get(name);
        if (!prepared.ok || repository === undefined)
          return prepared.ok ? `unknown repository ${name}` : prepared.error;
        let passDeps = passDepsOf.get(name);
        if (passDeps === undefined) {
          passDeps = environmentDeps(repository, prepared);
          passDepsOf.set(name, passDeps);
        }
        return passDeps;
      };

      // The first environment of each branch that does not promote reads its branch while
      // the registry is still answering, for every repository, not only the ones whose turn
      // it is: waiting for ECR is most of a pass that changes nothing. (The others read theirs
      // when their turn comes: an earlier environment of this pass may have moved them.)
      const readsAhead = new Map<string, Promise<BranchRead>>();
      const readAhead = (
        passDeps: EnvironmentPassDeps,
        environment: string,
      ): Promise<BranchRead> | undefined => {
        const settingsOf = config.environments[environment];
        if (!settingsOf) return undefined;
        let read = readsAhead.get(environment);
        if (read === undefined) {
          read = readBranch(passDeps, environment, settingsOf);
          read.catch(() => undefined); // reported by the environment's pass
          readsAhead.set(environment, read);
        }
        return read;
      };
      const firstOfEach = (groups: readonly ScopedEnvironment[][]): string[] =>
        groups.flatMap((group) => (group[0] === undefined ? [] : [group[0][0]]));
      const readingAhead = mapBounded(work, config.git.maxConcurrency, async (item) => {
        const passDeps = await ready(item.repository);
        if (typeof passDeps === 'string') return;
        const reads = firstOfEach(item.direct).flatMap(
          (environment) => readAhead(passDeps, environment) ?? [],
        );
        await Promise.allSettled(reads);
      });

      const done = new Map<string, EnvironmentOutcome>();
      const runGroups = async (
        name: string,
        groups: readonly ScopedEnvironment[][],
        ahead: boolean,
      ): Promise<void> => {
        const passDeps = await ready(name);
        if (typeof passDeps === 'string') {
          for (const [environment] of groups.flat())
            done.set(environment, unreachable(environment, name, passDeps));
          return;
        }
        const first = new Set(ahead ? firstOfEach(groups) : []);
        await mapBounded(groups, ENVIRONMENT_CONCURRENCY, async (group) => {
          for (const [environment, keys] of group) {
            const settingsOf = config.environments[environment];
            if (!settingsOf) continue;
            const read = first.has(environment) ? readAhead(passDeps, environment) : undefined;
            done.set(
              environment,
              await reconcileEnvironment(passDeps, {
                name: environment,
                environment: settingsOf,
                imageKeys: keys,
                listings,
                failures,
                listed,
                dryRun: scope.dryRun ?? false,
                ...(read === undefined ? {} : { readAhead: read }),
              }),
            );
          }
        });
      };

      // Commit statuses of an environment's commits (the forge's, and those recorded in Git
      // by the statuses endpoint), read once per commit in this pass.
      const checksRead = new Map<string, Promise<readonly CommitCheck[]>>();
      const recorded = config.events?.statuses !== undefined;
      const sourceChecks = (
        environment: string,
      ): ((sha: string) => Promise<readonly CommitCheck[]>) | undefined => {
        const source = config.environments[environment];
        if (!source) return undefined;
        const name = repositoryNameOf(source);
        const forge = deps.forges?.(name);
        const fromForge = forge?.commitChecks?.bind(forge);
        if (fromForge === undefined && !recorded) return undefined;
        const fromGit = async (sha: string): Promise<readonly CommitCheck[]> => {
          const ready = await prepare(name);
          return ready.ok ? ready.workspace.recordedChecks(sha) : [];
        };
        return (sha) => {
          const key = `${name}\n${sha}`;
          let pending = checksRead.get(key);
          if (pending === undefined) {
            pending = Promise.all([fromForge ? fromForge(sha) : [], recorded ? fromGit(sha) : []]).then(
              ([a, b]) => latestOfEach([...a, ...b]),
            );
            checksRead.set(key, pending);
            pending.catch(() => checksRead.delete(key));
          }
          return pending;
        };
      };

      const environmentDeps = (
        repository: RepositoryConfig,
        prepared: Extract<Prepared, { ok: true }>,
      ): EnvironmentPassDeps => ({
        config,
        repository,
        workspace: prepared.workspace,
        markedFiles: prepared.markedFiles,
        unchangedPlans: planMemoOf(prepared.workspace),
        histories: historyMemoOf(prepared.workspace),
        ...forgeDeps(repository.name),
        sourceWorkspace: async (environment) => {
          const source = config.environments[environment];
          if (!source) throw new Error(`unknown environment ${environment}`);
          const sourceRepository = repositoryNameOf(source);
          const ready = await prepare(sourceRepository);
          if (!ready.ok)
            throw new Error(`repository ${sourceRepository} could not be fetched: ${ready.error}`);
          return ready.workspace;
        },
        sourceChecks,
        source: deps.source,
        logger: deps.logger.child({ repository: repository.name }),
        now,
        random: deps.random ?? Math.random,
        sleep: deps.sleep ?? sleep,
        remote: workspaces.remote(repository.name),
        ...(deps.observer ? { observer: deps.observer } : {}),
        ...(deps.notifier ? { notifier: deps.notifier } : {}),
        ...(deps.manifestWorkers ? { manifestWorkers: deps.manifestWorkers } : {}),
      });

      // Promoting environments go second, so they see what this pass did to their sources,
      // in their own repository or another.
      const maxRepositories = config.git.maxConcurrency;
      await mapBounded(work, maxRepositories, (item) => runGroups(item.repository, item.direct, true));
      await mapBounded(
        work.filter((item) => item.promoting.length > 0),
        maxRepositories,
        (item) => runGroups(item.repository, item.promoting, false),
      );
      await Promise.all([listed, readingAhead]);

      const outcomes = environments.flatMap(([name]) => {
        const outcome = done.get(name);
        return outcome ? [outcome] : [];
      });
      const repositories = work.flatMap((item) => {
        const outcome = repositoryOutcomes.get(item.repository);
        return outcome ? [outcome] : [];
      });
      return {
        trigger: scope.trigger,
        startedAt,
        finishedAt: now(),
        environments: outcomes,
        repositories,
        registryFailures: [...failures.values()],
        ecrReachable,
        gitReachable: repositories.every((repository) => repository.status !== 'failed'),
      };

      function unreachable(environment: string, repository: string, error: string): EnvironmentOutcome {
        const settingsOf = config.environments[environment];
        const branch = settingsOf?.branch ?? '';
        return {
          environment,
          repository,
          branch,
          pushBranch: settingsOf ? writtenBranch(environment, settingsOf) : branch,
          status: 'failed',
          updates: [],
          decisions: [],
          images: [],
          problems: [],
          attempts: 0,
          error,
        };
      }
    },
  };
}

/** One `make(workspace)` per open workspace (a workspace opened again starts afresh). */
function perWorkspace<T extends object>(make: (workspace: Workspace) => T): (workspace: Workspace) => T {
  const made = new WeakMap<Workspace, T>();
  return (workspace) => {
    let value = made.get(workspace);
    if (value === undefined) {
      value = make(workspace);
      made.set(workspace, value);
    }
    return value;
  };
}

/** One check per context: the latest report of it, wherever it came from. */
function latestOfEach(checks: readonly CommitCheck[]): CommitCheck[] {
  const byContext = new Map<string, CommitCheck>();
  for (const check of checks) {
    const known = byContext.get(check.context);
    if (known === undefined || known.at < check.at) byContext.set(check.context, check);
  }
  return [...byContext.values()];
}
