/**
 * One environment's pass: check out its branch at the remote head, read its history, select a
 * tag per image, plan and apply byte-exact edits, commit, push. When the push is rejected
 * because the remote moved, everything is planned again on the new head — stale edits are
 * never rebased — with bounded attempts and jittered backoff.
 */
import type { RepositoryConfig } from '../config/repositories.js';
import type { Config, EnvironmentConfig } from '../config/schema.js';
import { formatError, GitError, messageOf } from '../errors.js';
import { readHistory, readLiveIntervals, type BranchHistory } from '../git/history.js';
import { renderCommitMessage } from '../git/message.js';
import type { Checkout, Workspace } from '../git/workspace.js';
import type { Logger } from '../log/logger.js';
import { applyPlan, planEdits } from '../manifest/index.js';
import type { DesiredImage, FileProblem, ManifestPlan } from '../manifest/types.js';
import type { ManifestWorkers } from '../manifest/workers.js';
import type { Notifier } from '../notify/types.js';
import { selectTag } from '../policy/index.js';
import type { Decision, LiveInterval } from '../policy/types.js';
import type { ImageListing, ImageSource } from '../registry/source.js';
import type {
  EnvironmentOutcome,
  ImageOutcome,
  ReconcileObserver,
  RegistryFailure,
  UpdateRecord,
} from '../reconcile.js';
import { backoffDelay } from './backoff.js';
import type { MarkedFilesIndex } from './marked-files.js';
import type { PlanMemo } from './plan-memo.js';
import { currentTags, groupUpdates } from './updates.js';

export interface EnvironmentPassDeps {
  readonly config: Config;
  /** The environment's repository, with the keys it takes from `git:`. */
  readonly repository: RepositoryConfig;
  readonly workspace: Workspace;
  /** The (fetched) workspace of another environment's repository, for promotion sources. */
  readonly sourceWorkspace: (environment: string) => Promise<Workspace>;
  readonly source: ImageSource;
  readonly logger: Logger;
  readonly now: () => Date;
  readonly random: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  /** The remote URL without credentials, for notifications. */
  readonly remote: string;
  readonly observer?: ReconcileObserver;
  readonly notifier?: Notifier;
  readonly markedFiles: MarkedFilesIndex;
  readonly manifestWorkers?: ManifestWorkers;
  /** The last plan without edits, per environment, kept across passes (see plan-memo.ts). */
  readonly unchangedPlans?: PlanMemo;
}

export interface EnvironmentPassInput {
  readonly name: string;
  readonly environment: EnvironmentConfig;
  /** Image keys of this environment's policies that are in scope. */
  readonly imageKeys: readonly string[];
  /** Filled by the registry read, complete once `listed` settles. */
  readonly listings: ReadonlyMap<string, ImageListing>;
  readonly failures: ReadonlyMap<string, RegistryFailure>;
  /** The registry read: the pass checks out and reads history meanwhile, and selects after it. */
  readonly listed: Promise<unknown>;
  readonly dryRun: boolean;
  /**
   * The branch as the reconciler read it ahead, while the registry was still answering; the
   * first attempt uses it, a retry after a rejected push reads the branch again.
   */
  readonly readAhead?: Promise<BranchRead>;
}

/** What a pass reads of its branch before the registry answers. */
export interface BranchRead {
  readonly checkout: Checkout;
  readonly history: BranchHistory;
  /** Files with markers at the head (undefined: walk the tree); asked only when a plan needs them. */
  readonly marked: () => Promise<string[] | undefined>;
}

type LiveIn = ReadonlyMap<string, ReadonlyMap<string, LiveInterval[]>>;

interface Planned {
  readonly branch: BranchRead;
  readonly images: ImageOutcome[];
  readonly decisions: Decision[];
  readonly desired: Map<string, DesiredImage>;
}

export async function reconcileEnvironment(
  deps: EnvironmentPassDeps,
  input: EnvironmentPassInput,
): Promise<EnvironmentOutcome> {
  const { name, environment } = input;
  const pushBranch = environment.push?.branch ?? environment.branch;
  const log = deps.logger.child({ environment: name, branch: environment.branch });
  const repository = deps.repository.name;
  const base = { environment: name, repository, branch: environment.branch, pushBranch };
  const maxAttempts = deps.repository.pushAttempts;
  let problems: FileProblem[] = [];
  let images: ImageOutcome[] = [];
  let decisions: Decision[] = [];
  const failed = (attempts: number, error: string): EnvironmentOutcome => ({
    ...base,
    status: 'failed',
    updates: [],
    decisions,
    images,
    problems,
    attempts,
    error,
  });

  for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
    try {
      if (attempt > 1) {
        await deps.sleep(backoffDelay(attempt - 1, deps.random));
        await deps.workspace.fetch();
      }
      const branchRead =
        attempt === 1 && input.readAhead ? await input.readAhead : await readBranch(deps, name, environment);
      const planned = await planEnvironment(deps, input, branchRead);
      images = planned.images;
      decisions = planned.decisions;
      const { desired } = planned;
      const { checkout } = branchRead;
      const knownImages = Object.keys(deps.config.images);
      const memoKey = planKey(checkout.head, environment.paths, desired, knownImages);
      const remembered = deps.unchangedPlans?.get(name);
      let plan: ManifestPlan;
      if (remembered?.key === memoKey) plan = remembered.plan;
      else {
        const marked = await branchRead.marked();
        plan = await planEdits({
          root: checkout.dir,
          ...(environment.paths === undefined ? {} : { paths: environment.paths }),
          ...(marked === undefined ? {} : { markedFiles: marked }),
          ...(deps.manifestWorkers ? { workers: deps.manifestWorkers } : {}),
          desired,
          knownImages: new Set(knownImages),
        });
      }
      if (plan.edits.length === 0) deps.unchangedPlans?.set(name, { key: memoKey, plan });
      else deps.unchangedPlans?.delete(name);
      problems = [...plan.problems];
      images = images.map((image) => ({ ...image, current: currentTags(plan.markers, image.image) }));
      const unchanged = {
        ...base,
        status: 'unchanged' as const,
        updates: [],
        decisions,
        images,
        problems,
        attempts: attempt,
      };
      if (plan.edits.length === 0) {
        deps.workspace.untouched(checkout);
        return unchanged;
      }

      const applied = await applyPlan(
        checkout.dir,
        plan,
        deps.manifestWorkers ? { workers: deps.manifestWorkers } : {},
      );
      problems = [...problems, ...applied.problems];
      if (applied.applied.length === 0) return { ...unchanged, problems };
      const grouped = groupUpdates(applied.applied, plan.markers, desired);
      const updates: UpdateRecord[] = grouped.map((u) => ({
        environment: name,
        image: u.image,
        repository: u.repository,
        old: u.old,
        new: u.new,
        digest: u.digest,
        files: u.files.map((f) => f.file),
      }));
      if (input.dryRun) {
        const diff = await deps.workspace.diff(checkout);
        return { ...base, status: 'dry-run', updates, decisions, images, problems, attempts: attempt, diff };
      }

      const message = renderCommitMessage({
        environment: name,
        updates: grouped,
        ...(deps.repository.messageTemplate === undefined
          ? {}
          : { template: deps.repository.messageTemplate }),
      });
      const commit = await deps.workspace.commit(checkout, message);
      if (commit === undefined) return { ...unchanged, problems };
      deps.observer?.onCommit?.(name, repository);

      const lease = pushBranch !== environment.branch;
      const expected = lease ? await deps.workspace.remoteHead(pushBranch) : checkout.head;
      if (lease && expected !== undefined && (await sameTree(deps.workspace, commit, expected))) {
        // The pull-request branch already carries exactly this change on this base.
        return { ...unchanged, problems };
      }
      const result = await deps.workspace.push(checkout, { branch: pushBranch, expected, lease });
      deps.observer?.onPush?.(name, repository, result);
      if (checkout.head !== undefined) deps.markedFiles.carry(checkout.head, commit, environment.paths);
      if (result === 'rejected') {
        log.warn({ attempt, maxAttempts, pushBranch }, 'push rejected: the remote moved; planning again');
        if (attempt < maxAttempts) deps.observer?.onPushRetry?.(name, repository);
        continue;
      }
      deps.notifier?.notify(
        updates.map(({ files: _files, ...change }) => ({
          ...change,
          commit,
          branch: pushBranch,
          remote: deps.remote,
          pushedAt: deps.now(),
        })),
      );
      return {
        ...base,
        status: 'committed',
        commit,
        updates,
        decisions,
        images,
        problems,
        attempts: attempt,
      };
    } catch (error) {
      deps.observer?.onPush?.(name, repository, 'failed');
      log.error({ err: error, attempt }, 'environment reconciliation failed');
      return failed(attempt, formatError(error));
    }
  }
  return failed(
    maxAttempts,
    `the remote branch ${pushBranch} kept moving: ${maxAttempts} push attempts were rejected; the next reconciliation tries again`,
  );
}

/**
 * Checks out the environment's branch at the remote head and reads its history. The marked
 * files are asked of git beside the history, unless the plan kept from the last pass was made
 * at this very head and paths: then it will most likely be reused and they are not needed.
 */
export async function readBranch(
  deps: EnvironmentPassDeps,
  name: string,
  environment: EnvironmentConfig,
): Promise<BranchRead> {
  const checkout = await deps.workspace.checkout(environment.branch, name);
  const head = checkout.head;
  if (head === undefined) {
    throw new GitError(`branch ${environment.branch} does not exist on the remote`, {
      hint: `create it (git push origin HEAD:${environment.branch}) or fix environments.${name}.branch`,
      context: { environment: name, branch: environment.branch },
    });
  }
  let marked: Promise<string[] | undefined> | undefined;
  const markedFiles = (): Promise<string[] | undefined> =>
    (marked ??= deps.markedFiles.find(head, environment.paths));
  const likelyReused = deps.unchangedPlans?.get(name)?.key.startsWith(planKeyBase(head, environment.paths));
  if (!likelyReused) void markedFiles().catch(() => undefined);
  const history = await readHistory(deps.workspace, environment.branch, {
    environment: name,
    depth: deps.repository.historyDepth,
  });
  return { checkout, history, marked: markedFiles };
}

async function planEnvironment(
  deps: EnvironmentPassDeps,
  input: EnvironmentPassInput,
  branch: BranchRead,
): Promise<Planned> {
  const { environment } = input;
  const { history } = branch;
  await input.listed;
  const liveBySource = new Map<string, Promise<LiveIn>>();
  const desired = new Map<string, DesiredImage>();
  const images: ImageOutcome[] = [];
  const decisions: Decision[] = [];

  for (const imageKey of input.imageKeys) {
    const policy = environment.policies[imageKey];
    const image = deps.config.images[imageKey];
    if (!policy || !image) continue;
    const failure = input.failures.get(imageKey);
    const listing = input.listings.get(imageKey);
    if (failure || !listing) {
      images.push({ image: imageKey, current: [], registryError: failure?.message ?? 'not listed' });
      continue;
    }
    let liveIn: ReadonlyMap<string, LiveInterval[]> | undefined;
    if (policy.promote) {
      const from = policy.promote.from;
      let pending = liveBySource.get(from);
      if (!pending) {
        pending = readSourceIntervals(deps, from);
        liveBySource.set(from, pending);
      }
      const live = await pending.catch((error: unknown) => messageOf(error));
      if (typeof live === 'string') {
        images.push({ image: imageKey, current: [], error: `cannot read promotion source ${from}: ${live}` });
        continue;
      }
      liveIn = live.get(imageKey) ?? new Map<string, LiveInterval[]>();
    }
    const reverted = history.reverted.get(imageKey);
    const decision = await selectTag({
      imageKey,
      policy,
      ...(image.exclude === undefined ? {} : { imageExclude: image.exclude }),
      candidates: listing.candidates,
      context: {
        now: deps.now(),
        ...(reverted ? { revertedTags: reverted.tags, revertedDigests: reverted.digests } : {}),
        ...(liveIn ? { liveIn } : {}),
      },
      scanLookup: (candidate) => deps.source.scanFindings(imageKey, candidate),
    });
    decisions.push(decision);
    const hold = heldImage(history, imageKey);
    images.push({ image: imageKey, current: [], decision, ...(hold ? { hold } : {}) });
    if (!decision.chosen || hold) continue;
    desired.set(imageKey, {
      imageKey,
      repository: image.repository,
      tag: decision.chosen.tag,
      digest: decision.chosen.digest,
      pinDigest: policy.digest,
    });
  }
  return { branch, images, decisions, desired };
}

function heldImage(history: BranchHistory, imageKey: string): ImageOutcome['hold'] | undefined {
  const hold = history.holds.get(imageKey);
  if (!hold) return undefined;
  return { by: hold.by, at: hold.at, ...(hold.reason === undefined ? {} : { reason: hold.reason }) };
}

async function readSourceIntervals(deps: EnvironmentPassDeps, from: string): Promise<LiveIn> {
  const source = deps.config.environments[from];
  if (!source) return new Map();
  const workspace = await deps.sourceWorkspace(from);
  return readLiveIntervals(workspace, source.branch, {
    ...(source.paths === undefined ? {} : { paths: source.paths }),
    depth: deps.repository.historyDepth,
    now: deps.now(),
  });
}

/** The part of a plan's key that the branch alone decides: its first line. */
function planKeyBase(head: string | undefined, paths: readonly string[] | undefined): string {
  return `${JSON.stringify([head ?? null, paths ?? null])}\n`;
}

/** What a manifest plan depends on besides the (fixed) config: head, paths, desired images. */
function planKey(
  head: string | undefined,
  paths: readonly string[] | undefined,
  desired: ReadonlyMap<string, DesiredImage>,
  knownImages: readonly string[],
): string {
  const images = [...desired.values()]
    .map((d) => [d.imageKey, d.repository, d.tag, d.digest, d.pinDigest] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  // Known image names decide which markers are reported as naming an unknown image.
  return planKeyBase(head, paths) + JSON.stringify([images, [...knownImages].sort()]);
}

/** True when both commits have the same tree and the same parent: the same change on the same base. */
async function sameTree(workspace: Workspace, a: string, b: string): Promise<boolean> {
  const out = await workspace.git(['rev-parse', `${a}^{tree}`, `${b}^{tree}`, `${a}^`, `${b}^`]);
  const [treeA, treeB, parentA, parentB] = out.trim().split('\n');
  return treeA === treeB && parentA === parentB;
}
