/**
 * One reconciliation (SPEC §1): scan → select → plan → apply → commit → push → notify.
 * The environments' passes live in reconcile/environment.ts; this file scopes the work, reads
 * ECR once per image and runs the environments.
 */
import type { Config } from './config/schema.js';
import { formatError, RegistryError, UsageError } from './errors.js';
import type { Workspace } from './git/workspace.js';
import type { Logger } from './log/logger.js';
import type { FileProblem } from './manifest/types.js';
import type { ManifestWorkers } from './manifest/workers.js';
import type { ImageChange, Notifier } from './notify/types.js';
import type { Decision } from './policy/types.js';
import { sleep } from './reconcile/backoff.js';
import { mapBounded } from './map-bounded.js';
import { reconcileEnvironment } from './reconcile/environment.js';
import { createMarkedFilesIndex } from './reconcile/marked-files.js';
import type { ImageListing, ImageSource } from './registry/source.js';

export type Trigger = 'schedule' | 'event' | 'manual' | 'startup';

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
}

export type EnvironmentStatus = 'committed' | 'unchanged' | 'failed' | 'dry-run';

export interface EnvironmentOutcome {
  readonly environment: string;
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
}

export interface RegistryFailure {
  readonly image: string;
  readonly repository: string;
  readonly code: string;
  readonly message: string;
}

export interface ReconcileResult {
  readonly trigger: Trigger;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly environments: readonly EnvironmentOutcome[];
  readonly registryFailures: readonly RegistryFailure[];
  /** Reachability seen during this pass, for /readyz. */
  readonly ecrReachable: boolean;
  readonly gitReachable: boolean;
}

export interface Reconciler {
  reconcile(scope: ReconcileScope): Promise<ReconcileResult>;
}

/** Hooks for metrics; every one optional. */
export interface ReconcileObserver {
  onCommit?(environment: string): void;
  onPush?(environment: string, outcome: 'pushed' | 'rejected' | 'failed'): void;
  onPushRetry?(environment: string): void;
}

export interface ReconcilerDeps {
  readonly config: Config;
  readonly source: ImageSource;
  readonly workspace: Workspace;
  readonly logger: Logger;
  /** The remote without credentials, for notifications. */
  readonly remote: string;
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
  /** Called as repositories are read: for progress bars. */
  readonly onProgress?: (event: { phase: 'registry'; done: number; total: number }) => void;
}

/** Branches reconciled at once: git work is mostly waiting on child processes. */
const ENVIRONMENT_CONCURRENCY = 3;

export function createReconciler(deps: ReconcilerDeps): Reconciler {
  const now = deps.now ?? (() => new Date());
  const envDeps = {
    config: deps.config,
    workspace: deps.workspace,
    source: deps.source,
    logger: deps.logger,
    now,
    random: deps.random ?? Math.random,
    sleep: deps.sleep ?? sleep,
    remote: deps.remote,
    ...(deps.observer ? { observer: deps.observer } : {}),
    ...(deps.notifier ? { notifier: deps.notifier } : {}),
    markedFiles: createMarkedFilesIndex(deps.workspace),
    ...(deps.manifestWorkers ? { manifestWorkers: deps.manifestWorkers } : {}),
  };

  const eventFetchMaxAgeMs = deps.eventFetchMaxAgeMs ?? 30_000;
  let lastFetch: number | undefined;
  const fetchUnlessFresh = async (trigger: Trigger): Promise<void> => {
    const started = now().getTime();
    if (trigger === 'event' && lastFetch !== undefined && started - lastFetch < eventFetchMaxAgeMs) return;
    await deps.workspace.fetch();
    lastFetch = started;
  };

  return {
    async reconcile(scope) {
      const startedAt = now();
      const { config } = deps;
      const environments = scopeEnvironments(config, scope);
      const imageKeys = [...new Set(environments.flatMap(([, keys]) => keys))];
      const listings = new Map<string, ImageListing>();
      const failures = new Map<string, RegistryFailure>();
      let ecrReachable = true;
      const readListings = (): Promise<unknown> =>
        mapBounded(
          imageKeys,
          config.aws.maxConcurrency,
          async (imageKey) => {
            try {
              listings.set(imageKey, await deps.source.list(imageKey));
            } catch (error) {
              const code = error instanceof RegistryError ? error.code : 'Error';
              if (!(error instanceof RegistryError) || error.retryable) ecrReachable = false;
              const repository = config.images[imageKey]?.repository ?? '';
              deps.logger.error({ image: imageKey, repository, code, err: error }, 'cannot read repository');
              failures.set(imageKey, { image: imageKey, repository, code, message: formatError(error) });
            }
          },
          (done, total) => deps.onProgress?.({ phase: 'registry', done, total }),
        );

      let gitReachable = true;
      const outcomes: EnvironmentOutcome[] = [];
      // ECR and Git are independent until planning: read both at once.
      const listed = readListings();
      try {
        await fetchUnlessFresh(scope.trigger);
      } catch (error) {
        gitReachable = false;
        deps.logger.error({ err: error }, 'cannot fetch the Git remote');
        for (const [name] of environments) {
          const environment = config.environments[name];
          if (!environment) continue;
          outcomes.push({
            environment: name,
            branch: environment.branch,
            pushBranch: environment.push?.branch ?? environment.branch,
            status: 'failed',
            updates: [],
            decisions: [],
            images: [],
            problems: [],
            attempts: 0,
            error: formatError(error),
          });
        }
      }
      if (gitReachable) {
        // Environments writing different branches run side by side (each has its own worktree);
        // those sharing a branch take turns, so they do not race each other's pushes.
        const byBranch = new Map<string, [string, string[]][]>();
        for (const entry of environments) {
          const environment = config.environments[entry[0]];
          if (!environment) continue;
          const branch = environment.push?.branch ?? environment.branch;
          byBranch.set(branch, [...(byBranch.get(branch) ?? []), entry]);
        }
        const done = new Map<string, EnvironmentOutcome>();
        const runGroup = async (group: [string, string[]][]): Promise<void> => {
          for (const [name, keys] of group) {
            const environment = config.environments[name];
            if (!environment) continue;
            done.set(
              name,
              await reconcileEnvironment(envDeps, {
                name,
                environment,
                imageKeys: keys,
                listings,
                failures,
                listed,
                dryRun: scope.dryRun ?? false,
              }),
            );
          }
        };
        // Promoting environments go second, so they see what this pass did to their sources.
        const promotes = (group: [string, string[]][]): boolean =>
          group.some(([name]) =>
            Object.values(config.environments[name]?.policies ?? {}).some((policy) => policy.promote),
          );
        const groups = [...byBranch.values()];
        await mapBounded(
          groups.filter((g) => !promotes(g)),
          ENVIRONMENT_CONCURRENCY,
          runGroup,
        );
        await mapBounded(groups.filter(promotes), ENVIRONMENT_CONCURRENCY, runGroup);
        for (const [name] of environments) {
          const outcome = done.get(name);
          if (outcome) outcomes.push(outcome);
        }
      }
      await listed;

      return {
        trigger: scope.trigger,
        startedAt,
        finishedAt: now(),
        environments: outcomes,
        registryFailures: [...failures.values()],
        ecrReachable,
        gitReachable,
      };
    },
  };
}

/** The environments in scope, each with its in-scope image keys; unknown names are usage errors. */
export function scopeEnvironments(config: Config, scope: ReconcileScope): [string, string[]][] {
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
  const result: [string, string[]][] = [];
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
