/**
 * One environment's pass: check out its branch at the remote head, read its history, select a
 * tag per image (select-images.ts), plan byte-exact edits, and deliver them (deliver.ts: apply,
 * commit, push, keep the pull request; once per image with a `{image}` push branch). When the push is rejected
 * because the remote moved, everything is planned again on the new head — stale edits are
 * never rebased — with bounded attempts and jittered backoff.
 */
import { writtenBranch } from '../config/environment-rules.js';
import type { RepositoryConfig } from '../config/repositories.js';
import type { Config, EnvironmentConfig } from '../config/schema.js';
import { formatError } from '../errors.js';
import type { CommitCheck, Forge } from '../forge.js';
import type { Workspace } from '../git/workspace.js';
import type { Logger } from '../log/logger.js';
import { planEdits } from '../manifest/index.js';
import type { FileProblem, ManifestPlan } from '../manifest/types.js';
import type { ManifestWorkers } from '../manifest/workers.js';
import type { Notifier } from '../notify/types.js';
import type { Decision } from '../policy/types.js';
import type { ImageListing, ImageSource } from '../registry.js';
import type { EnvironmentOutcome, ImageOutcome, ReconcileObserver, RegistryFailure } from '../reconcile.js';
import { backoffDelay } from './backoff.js';
import { deliver, type Delivery } from './deliver.js';
import { imageBranch, ownsHead } from './push-branches.js';
import { planEnvironment, planKey, readBranch, type BranchRead } from './select-images.js';
import { closePullRequest, type PullRequestRecord } from './pull-requests.js';
import type { MarkedFilesIndex } from './marked-files.js';
import type { PlanMemo } from './plan-memo.js';
import { revertFailures, type RevertRecord } from './revert-failures.js';
import type { HistoryMemo } from '../git/history-memo.js';
import { currentTags } from './updates.js';

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
  /** Branch histories by environment and head, kept across passes (see git/history-memo.ts). */
  readonly histories?: HistoryMemo;
  /** The repository's forge, for environments with `push.pullRequest`. */
  readonly forge?: Forge;
  /** Commit messages read through the forge, by sha (closed pull requests' trailers). */
  readonly commitMessages?: Map<string, string>;
  /**
   * The commit statuses of an environment's repository, by commit, read once per pass (for
   * `promote.healthy`); undefined when its repository has no forge that keeps them.
   */
  readonly sourceChecks?: (
    environment: string,
  ) => ((sha: string) => Promise<readonly CommitCheck[]>) | undefined;
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

export async function reconcileEnvironment(
  deps: EnvironmentPassDeps,
  input: EnvironmentPassInput,
): Promise<EnvironmentOutcome> {
  const reverts: RevertRecord[] = [];
  const outcome = await passEnvironment(deps, input, reverts);
  return reverts.length > 0 ? { ...outcome, reverts } : outcome;
}

async function passEnvironment(
  deps: EnvironmentPassDeps,
  input: EnvironmentPassInput,
  reverts: RevertRecord[],
): Promise<EnvironmentOutcome> {
  const { name, environment } = input;
  const pushBranch = writtenBranch(name, environment);
  const log = deps.logger.child({ environment: name, branch: environment.branch });
  const repository = deps.repository.name;
  const base = { environment: name, repository, branch: environment.branch, pushBranch };
  const maxAttempts = deps.repository.pushAttempts;
  const pullRequest = environment.push?.pullRequest;
  const forge = pullRequest ? deps.forge : undefined;
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
  if (pullRequest && !forge)
    return failed(0, `environment ${name} asks for pull requests, but repository ${repository} has no forge`);

  for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
    try {
      if (attempt > 1) {
        await deps.sleep(backoffDelay(attempt - 1, deps.random));
        await deps.workspace.fetch();
      }
      let branchRead =
        attempt === 1 && input.readAhead ? await input.readAhead : await readBranch(deps, name, environment);
      const checks = environment.onFailure ? deps.sourceChecks?.(name) : undefined;
      if (attempt === 1 && checks !== undefined) {
        const records = await revertFailures({
          environment: name,
          settings: environment,
          head: branchRead.head,
          history: branchRead.history,
          checks,
          workspace: deps.workspace,
          logger: log,
          dryRun: input.dryRun,
          ...(pullRequest && forge ? { pullRequest: { forge, settings: pullRequest } } : {}),
        });
        reverts.push(...records);
        for (const record of records) deps.observer?.onRevert?.(name, repository, record.result);
        const pushed = records.flatMap((record) =>
          record.result === 'reverted' && record.revert !== undefined
            ? [
                {
                  environment: name,
                  commit: record.commit,
                  revert: record.revert,
                  context: record.context,
                  failedAt: record.at,
                  images: record.images,
                  branch: environment.branch,
                  remote: deps.remote,
                  pushedAt: deps.now(),
                },
              ]
            : [],
        );
        if (pushed.length > 0) deps.notifier?.notifyReverts?.(pushed);
        // The branch moved: its history now refuses the reverted tags.
        if (records.some((record) => record.result === 'reverted'))
          branchRead = await readBranch(deps, name, environment);
      }
      const planned = await planEnvironment(deps, input, branchRead, pushBranch);
      images = planned.images;
      decisions = planned.decisions;
      const { desired } = planned;
      const knownImages = Object.keys(deps.config.images);
      const memoKey = planKey(branchRead.head, environment.paths, desired, knownImages);
      const remembered = deps.unchangedPlans?.get(name);
      const reused = remembered?.key === memoKey ? remembered : undefined;
      let plan: ManifestPlan | undefined;
      if (reused === undefined) {
        const [marked, checkout] = await Promise.all([branchRead.marked(), branchRead.checkout()]);
        plan = await planEdits({
          root: checkout.dir,
          ...(environment.paths === undefined ? {} : { paths: environment.paths }),
          ...(marked === undefined ? {} : { markedFiles: marked }),
          ...(deps.manifestWorkers ? { workers: deps.manifestWorkers } : {}),
          desired,
          knownImages: new Set(knownImages),
        });
      }
      const edits = plan?.edits ?? [];
      if (plan === undefined) {
        problems = [...(reused?.problems ?? [])];
        images = images.map((image) => ({ ...image, current: [...(reused?.current[image.image] ?? [])] }));
      } else {
        const { markers } = plan;
        problems = [...plan.problems];
        images = images.map((image) => ({ ...image, current: currentTags(markers, image.image) }));
        if (edits.length === 0) {
          deps.unchangedPlans?.set(name, {
            key: memoKey,
            current: Object.fromEntries(images.map((image) => [image.image, image.current ?? []])),
            problems: plan.problems,
            filesScanned: plan.filesScanned,
          });
        } else deps.unchangedPlans?.delete(name);
      }
      const unchanged: EnvironmentOutcome = {
        ...base,
        status: 'unchanged',
        updates: [],
        decisions,
        images,
        problems,
        attempts: attempt,
      };
      const openPullRequests = forge ? await forge.listOpen(environment.branch) : [];
      if (plan !== undefined && edits.length === 0) deps.workspace.untouched(await branchRead.checkout());
      // Each delivery: all edits to the push branch, or, with {image}, each image's to its own.
      const perImage = pushBranch.includes('{image}');
      const pending = perImage ? [...new Set(edits.map((edit) => edit.imageKey))].sort() : ['*'];
      const deliveries: { branch: string; delivery: Delivery }[] = [];
      const delivering = plan !== undefined && edits.length > 0 ? plan : undefined;
      for (const [index, imageKey] of pending.entries()) {
        if (delivering === undefined) break;
        const branch = imageBranch(pushBranch, imageKey);
        // Each image's commit stands alone on the environment branch's head.
        const at =
          index === 0 ? await branchRead.checkout() : await deps.workspace.checkout(environment.branch, name);
        const delivery = await deliver(deps, {
          name,
          environment,
          checkout: at,
          plan: perImage
            ? { ...delivering, edits: delivering.edits.filter((edit) => edit.imageKey === imageKey) }
            : delivering,
          desired,
          decisions,
          branch,
          dryRun: input.dryRun,
          ...(forge && pullRequest
            ? { pullRequest: { forge, settings: pullRequest, open: openPullRequests } }
            : {}),
        });
        deliveries.push({ branch, delivery });
        problems = [...problems, ...delivery.problems.filter((p) => !problems.includes(p))];
        if (delivery.kind === 'rejected') break;
      }
      const rejected = deliveries.find((d) => d.delivery.kind === 'rejected');
      if (rejected) {
        log.warn(
          { attempt, maxAttempts, pushBranch: rejected.branch },
          'push rejected: the remote moved; planning again',
        );
        if (attempt < maxAttempts) deps.observer?.onPushRetry?.(name, repository);
        continue;
      }
      // Pull requests from branches with nothing pending any more are closed.
      const delivered = new Set(deliveries.map((d) => d.branch));
      const closed: PullRequestRecord[] = [];
      for (const pr of openPullRequests) {
        if (!forge || !ownsHead(pushBranch, pr.head) || delivered.has(pr.head)) continue;
        const record = await closePullRequest(forge, {
          head: pr.head,
          base: environment.branch,
          dryRun: input.dryRun,
          open: openPullRequests,
        });
        if (record) closed.push(record);
      }
      return environmentOutcome({ ...unchanged, problems }, deliveries, closed, input.dryRun);
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

/** The environment's outcome from its deliveries and the pull requests closed. */
function environmentOutcome(
  unchanged: EnvironmentOutcome,
  deliveries: readonly { branch: string; delivery: Delivery }[],
  closed: readonly PullRequestRecord[],
  dryRun: boolean,
): EnvironmentOutcome {
  const updates = deliveries.flatMap(({ delivery }) => ('updates' in delivery ? delivery.updates : []));
  const pullRequests = [
    ...deliveries.flatMap(({ delivery }) =>
      'pullRequest' in delivery && delivery.pullRequest ? [delivery.pullRequest] : [],
    ),
    ...closed,
  ];
  const withPullRequests = pullRequests.length > 0 ? { pullRequests } : {};
  if (dryRun && updates.length > 0) {
    const diff = deliveries
      .map(({ delivery }) => (delivery.kind === 'dry-run' ? delivery.diff : ''))
      .join('');
    return { ...unchanged, status: 'dry-run', updates, diff, ...withPullRequests };
  }
  const pushed = deliveries.flatMap(({ delivery }) => (delivery.kind === 'pushed' ? [delivery] : []));
  const last = pushed.at(-1);
  if (last === undefined) return { ...unchanged, ...withPullRequests };
  const errors = pushed.flatMap((delivery) => (delivery.pullRequestError ? [delivery.pullRequestError] : []));
  return {
    ...unchanged,
    status: errors.length > 0 ? 'failed' : 'committed',
    commit: last.commit,
    updates,
    ...withPullRequests,
    ...(errors.length > 0 ? { error: errors.join('\n') } : {}),
  };
}
