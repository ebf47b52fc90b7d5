/**
 * One reconciliation (SPEC §1): scan → select → plan → apply → commit → push → notify.
 * Contract only for now; the implementation lands in this session.
 */
import type { FileProblem } from './manifest/types.js';
import type { Decision } from './policy/types.js';

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

export interface UpdateRecord {
  readonly environment: string;
  readonly image: string;
  readonly repository: string;
  readonly old: string;
  readonly new: string;
  readonly digest: string;
  readonly files: readonly string[];
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
