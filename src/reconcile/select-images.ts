/**
 * What an environment should run: its branch checked out at the remote head and its history
 * read (reverts, holds), the pull requests people closed without merging, and a tag chosen
 * per image by its policy, as the desired images a manifest plan is made for.
 */
import type { EnvironmentConfig } from '../config/schema.js';
import { ForgeError, formatError, GitError, messageOf, RegistryError } from '../errors.js';
import { readHistory, readLiveIntervals, type BranchHistory } from '../git/history.js';
import type { Checkout } from '../git/workspace.js';
import type { DesiredImage } from '../manifest/types.js';
import { selectTag } from '../policy/index.js';
import type { Decision, HealthVerdict, LiveInterval } from '../policy/types.js';
import { gateByHealth, type HealthGate } from './health.js';
import type { ImageOutcome } from '../reconcile.js';
import type { EnvironmentPassDeps, EnvironmentPassInput } from './environment.js';
import { ownsHead } from './push-branches.js';
import { mapBounded } from '../map-bounded.js';
import { closedRefusals, closedToRead, type Refused } from './pull-requests.js';

/** What a pass reads of its branch before the registry answers. */
export interface BranchRead {
  /** The remote head the branch was read at. */
  readonly head: string;
  /**
   * The worktree reset to `head`, made on the first ask: a pass whose plan the memo holds
   * needs no worktree, so it spends no reset and no status walk of every file.
   */
  readonly checkout: () => Promise<Checkout>;
  readonly history: BranchHistory;
  /** Files with markers at the head (undefined: walk the tree); asked only when a plan needs them. */
  readonly marked: () => Promise<string[] | undefined>;
}

type LiveIn = ReadonlyMap<string, ReadonlyMap<string, LiveInterval[]>>;

/** Images of one environment chosen at once (each may wait on its registry). */
const IMAGE_CONCURRENCY = 8;

interface PlannedImage {
  readonly image: ImageOutcome;
  readonly decision?: Decision;
  readonly desired?: DesiredImage;
}

export interface Planned {
  readonly branch: BranchRead;
  readonly images: ImageOutcome[];
  readonly decisions: Decision[];
  readonly desired: Map<string, DesiredImage>;
}

/**
 * Checks out the environment's branch at the remote head and reads its history, side by side.
 * The marked files are asked of git beside them, unless the plan kept from the last pass was made
 * at this very head and paths: then it will most likely be reused, and neither they nor the
 * worktree are needed (both are made only when asked).
 */
export async function readBranch(
  deps: EnvironmentPassDeps,
  name: string,
  environment: EnvironmentConfig,
): Promise<BranchRead> {
  const head = await deps.workspace.remoteHead(environment.branch);
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
  let worktree: Promise<Checkout> | undefined;
  const checkout = (): Promise<Checkout> => (worktree ??= deps.workspace.checkout(environment.branch, name));
  if (!likelyReused) {
    void markedFiles().catch(() => undefined);
    // The worktree is checked while the history and the marked files are read from the clone.
    void checkout().catch(() => undefined);
  }
  const history = await readHistory(deps.workspace, environment.branch, {
    environment: name,
    depth: deps.repository.historyDepth,
    ...(deps.histories ? { memo: deps.histories } : {}),
  });
  return { head, checkout, history, marked: markedFiles };
}

export async function planEnvironment(
  deps: EnvironmentPassDeps,
  input: EnvironmentPassInput,
  branch: BranchRead,
  pushBranch: string,
): Promise<Planned> {
  const { environment } = input;
  const { history } = branch;
  // Pull requests people closed without merging refuse their tags, as reverts do.
  const refusing =
    environment.push?.pullRequest && deps.forge
      ? closedRefusals(
          deps.forge,
          {
            base: environment.branch,
            environment: input.name,
            isOwnHead: (head) => ownsHead(pushBranch, head),
            limit: closedToRead(pushBranch.includes('{image}'), Object.keys(environment.policies).length),
          },
          deps.commitMessages ?? new Map<string, string>(),
        )
      : undefined;
  refusing?.catch(() => undefined);
  await input.listed;
  const refused = await refusing?.catch((error: unknown) => {
    // Their refusals would be missed: nothing is proposed until the forge answers.
    throw new ForgeError(
      `cannot read the closed pull requests into ${environment.branch}: ${formatError(error)}`,
      {
        retryable: true,
        context: { environment: input.name, branch: environment.branch },
        cause: error,
      },
    );
  });
  const liveBySource = new Map<string, Promise<LiveIn>>();
  const desired = new Map<string, DesiredImage>();
  const images: ImageOutcome[] = [];
  const decisions: Decision[] = [];

  // Images are chosen a few at once: a registry read per pending tag (OCI) is a round trip.
  const planned = await mapBounded(
    input.imageKeys,
    IMAGE_CONCURRENCY,
    async (imageKey): Promise<PlannedImage | undefined> => {
      const policy = environment.policies[imageKey];
      const image = deps.config.images[imageKey];
      if (!policy || !image) return undefined;
      const failure = input.failures.get(imageKey);
      const listing = input.listings.get(imageKey);
      if (failure || !listing) {
        return { image: { image: imageKey, current: [], registryError: failure?.message ?? 'not listed' } };
      }
      let liveIn: ReadonlyMap<string, LiveInterval[]> | undefined;
      let health: ReadonlyMap<string, HealthVerdict> | undefined;
      if (policy.promote) {
        const from = policy.promote.from;
        let pending = liveBySource.get(from);
        if (!pending) {
          pending = readSourceIntervals(deps, from);
          liveBySource.set(from, pending);
        }
        const live = await pending.catch((error: unknown) => messageOf(error));
        if (typeof live === 'string') {
          return {
            image: { image: imageKey, current: [], error: `cannot read promotion source ${from}: ${live}` },
          };
        }
        liveIn = live.get(imageKey) ?? new Map<string, LiveInterval[]>();
        const contexts = policy.promote.healthy;
        if (contexts !== undefined) {
          const gated = await healthOf(deps, from, { liveIn, contexts, afterMs: policy.promote.after });
          if (typeof gated === 'string') {
            return { image: { image: imageKey, current: [], error: gated } };
          }
          ({ liveIn, health } = gated);
        }
      }
      const reverted = refusedTags(history.reverted.get(imageKey), refused?.get(imageKey));
      const readPending = deps.source.readPending?.bind(deps.source);
      const decision = await selectTag({
        imageKey,
        policy,
        ...(image.exclude === undefined ? {} : { imageExclude: image.exclude }),
        candidates: listing.candidates,
        context: {
          now: deps.now(),
          ...(reverted
            ? { revertedTags: reverted.tags, revertedDigests: reverted.digests, revertNotes: reverted.notes }
            : {}),
          ...(liveIn ? { liveIn } : {}),
          ...(health ? { health } : {}),
        },
        scanLookup: (candidate) => deps.source.scanFindings(imageKey, candidate),
        ...(readPending ? { resolve: (pending, needs) => readPending(imageKey, pending, needs) } : {}),
      }).catch((error: unknown) => {
        // The registry failed to answer for this image's tags: this image waits, the others go on.
        if (error instanceof RegistryError) return formatError(error);
        throw error;
      });
      if (typeof decision === 'string') {
        return { image: { image: imageKey, current: [], registryError: decision } };
      }
      const hold = heldImage(history, imageKey);
      const outcome: ImageOutcome = { image: imageKey, current: [], decision, ...(hold ? { hold } : {}) };
      if (!decision.chosen || hold) return { image: outcome, decision };
      return {
        image: outcome,
        decision,
        desired: {
          imageKey,
          repository: image.repository,
          tag: decision.chosen.tag,
          digest: decision.chosen.digest,
          pinDigest: policy.digest,
        },
      };
    },
  );
  for (const entry of planned) {
    if (entry === undefined) continue;
    images.push(entry.image);
    if (entry.decision) decisions.push(entry.decision);
    if (entry.desired) desired.set(entry.image.image, entry.desired);
  }
  return { branch, images, decisions, desired };
}

/** Reverted tags from the history and tags refused by closed pull requests, together. */
function refusedTags(
  reverted: { tags: ReadonlySet<string>; digests: ReadonlySet<string> } | undefined,
  closed: Refused | undefined,
):
  | { tags: ReadonlySet<string>; digests: ReadonlySet<string>; notes: ReadonlyMap<string, string> }
  | undefined {
  if (!closed) return reverted ? { ...reverted, notes: new Map() } : undefined;
  if (!reverted) return closed;
  return {
    tags: new Set([...reverted.tags, ...closed.tags]),
    digests: new Set([...reverted.digests, ...closed.digests]),
    // A revert in Git explains itself first.
    notes: new Map([...closed.notes].filter(([tag]) => !reverted.tags.has(tag))),
  };
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

/** The source's live intervals gated on its commit statuses, or why they cannot be. */
async function healthOf(
  deps: EnvironmentPassDeps,
  from: string,
  gate: { liveIn: ReadonlyMap<string, LiveInterval[]>; contexts: readonly string[]; afterMs: number },
): Promise<HealthGate | string> {
  const checksOf = deps.sourceChecks?.(from);
  if (checksOf === undefined)
    return (
      `promote.healthy needs the commit statuses of ${from}'s repository, and nothing keeps them: ` +
      `give that repository a GitHub or GitLab forge, or set events.statuses so the daemon records them in Git`
    );
  try {
    return await gateByHealth({ ...gate, now: deps.now(), checksOf });
  } catch (error) {
    return `cannot read the commit statuses of ${from}: ${messageOf(error)}`;
  }
}

/** The part of a plan's key that the branch alone decides: its first line. */
function planKeyBase(head: string | undefined, paths: readonly string[] | undefined): string {
  return `${JSON.stringify([head ?? null, paths ?? null])}\n`;
}

/** What a manifest plan depends on besides the (fixed) config: head, paths, desired images. */
export function planKey(
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
