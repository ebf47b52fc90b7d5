/**
 * One delivery of planned edits: apply them in the checkout, commit, push to the target
 * branch (compare-and-swap; a lease only on drawbridge's own push branch), and keep the
 * branch's pull request when the environment asks for one. An environment makes one delivery
 * per pass, or one per image when its push branch names `{image}`.
 */
import type { EnvironmentConfig, PullRequestConfig } from '../config/schema.js';
import { formatError } from '../errors.js';
import type { Forge, PullRequest } from '../forge.js';
import { renderCommitMessage } from '../git/message.js';
import type { Checkout } from '../git/workspace.js';
import { applyPlan } from '../manifest/index.js';
import type { DesiredImage, FileProblem, ManifestPlan } from '../manifest/types.js';
import type { Decision } from '../policy/types.js';
import type { UpdateRecord } from '../reconcile.js';
import type { EnvironmentPassDeps } from './environment.js';
import { pullRequestBody } from './pull-request-body.js';
import { keepPullRequest, type PullRequestRecord } from './pull-requests.js';
import { groupUpdates } from './updates.js';

export interface DeliveryInput {
  readonly name: string;
  readonly environment: EnvironmentConfig;
  readonly checkout: Checkout;
  /** The edits to deliver (all of the plan's, or one image's). */
  readonly plan: ManifestPlan;
  readonly desired: ReadonlyMap<string, DesiredImage>;
  readonly decisions: readonly Decision[];
  /** Where to push: the environment branch, or a push branch. */
  readonly branch: string;
  readonly dryRun: boolean;
  /** With a pull request: the forge, the settings and the pull requests open into the branch. */
  readonly pullRequest?: {
    readonly forge: Forge;
    readonly settings: PullRequestConfig;
    readonly open: readonly PullRequest[];
  };
}

export type Delivery =
  | { readonly kind: 'nothing'; readonly problems: readonly FileProblem[] }
  | {
      readonly kind: 'dry-run';
      readonly updates: readonly UpdateRecord[];
      readonly problems: readonly FileProblem[];
      readonly diff: string;
      readonly pullRequest?: PullRequestRecord;
    }
  /** The push branch already carried exactly this change on this base. */
  | {
      readonly kind: 'same';
      readonly updates: readonly UpdateRecord[];
      readonly problems: readonly FileProblem[];
      readonly pullRequest?: PullRequestRecord;
    }
  | { readonly kind: 'rejected'; readonly problems: readonly FileProblem[] }
  | {
      readonly kind: 'pushed';
      readonly commit: string;
      readonly updates: readonly UpdateRecord[];
      readonly problems: readonly FileProblem[];
      readonly pullRequest?: PullRequestRecord;
      /** The branch is pushed, but its pull request could not be kept (retried next pass). */
      readonly pullRequestError?: string;
    };

export async function deliver(deps: EnvironmentPassDeps, input: DeliveryInput): Promise<Delivery> {
  const { name, environment, checkout, plan, branch } = input;
  const repository = deps.repository.name;
  const applied = await applyPlan(
    checkout.dir,
    plan,
    deps.manifestWorkers ? { workers: deps.manifestWorkers } : {},
  );
  const problems = applied.problems;
  if (applied.applied.length === 0) return { kind: 'nothing', problems };
  const grouped = groupUpdates(applied.applied, plan.markers, input.desired);
  const updates: UpdateRecord[] = grouped.map((u) => ({
    environment: name,
    image: u.image,
    repository: u.repository,
    old: u.old,
    new: u.new,
    digest: u.digest,
    files: u.files.map((f) => f.file),
  }));
  const message = renderCommitMessage({
    environment: name,
    updates: grouped,
    ...(deps.repository.messageTemplate === undefined ? {} : { template: deps.repository.messageTemplate }),
  });
  const pr = input.pullRequest;
  // The pull request carrying `commit`, opened or brought up to date (forge errors throw).
  const keep = async (commit: string, dryRun: boolean): Promise<PullRequestRecord | undefined> =>
    pr === undefined
      ? undefined
      : keepPullRequest(pr.forge, {
          head: branch,
          base: environment.branch,
          commit,
          title: message.slice(0, message.indexOf('\n')),
          body: pullRequestBody({
            environment: name,
            branch: environment.branch,
            commit,
            updates,
            decisions: input.decisions,
            maxLength: pr.forge.maxBodyLength,
          }),
          settings: pr.settings,
          dryRun,
          open: pr.open,
        });
  const withRecord = (record: PullRequestRecord | undefined) => (record ? { pullRequest: record } : {});

  if (input.dryRun) {
    const diff = await deps.workspace.diff(checkout);
    return { kind: 'dry-run', updates, problems, diff, ...withRecord(await keep('', true)) };
  }
  const commit = await deps.workspace.commit(checkout, message);
  if (commit === undefined) return { kind: 'nothing', problems };
  deps.observer?.onCommit?.(name, repository);

  const lease = branch !== environment.branch;
  const expected = lease ? await deps.workspace.remoteHead(branch) : checkout.head;
  if (lease && expected !== undefined && (await sameTree(deps, commit, expected)))
    return { kind: 'same', updates, problems, ...withRecord(await keep(expected, false)) };
  const result = await deps.workspace.push(checkout, { branch, expected, lease });
  deps.observer?.onPush?.(name, repository, result);
  if (checkout.head !== undefined) deps.markedFiles.carry(checkout.head, commit, environment.paths);
  if (result === 'rejected') return { kind: 'rejected', problems };

  let record: PullRequestRecord | undefined;
  try {
    record = await keep(commit, false);
  } catch (error) {
    deps.logger.error({ err: error, branch }, 'pull request could not be kept');
    const pullRequestError = `pushed ${branch}, but its pull request into ${environment.branch} failed: ${formatError(error)}`;
    return { kind: 'pushed', commit, updates, problems, pullRequestError };
  }
  deps.notifier?.notify(
    updates.map(({ files: _files, ...change }) => ({
      ...change,
      commit,
      branch,
      remote: deps.remote,
      pushedAt: deps.now(),
      ...(record ? { pullRequest: { number: record.number, url: record.url } } : {}),
    })),
  );
  return { kind: 'pushed', commit, updates, problems, ...withRecord(record) };
}

/** True when both commits have the same tree and the same parent: the same change on the same base. */
async function sameTree(deps: EnvironmentPassDeps, a: string, b: string): Promise<boolean> {
  const out = await deps.workspace.git(['rev-parse', `${a}^{tree}`, `${b}^{tree}`, `${a}^`, `${b}^`]);
  const [treeA, treeB, parentA, parentB] = out.trim().split('\n');
  return treeA === treeB && parentA === parentB;
}
