/**
 * Keeping drawbridge's pull requests (SPEC §10): exactly one open from a push branch to the
 * environment branch while updates are pending, closed with a comment once none are; and
 * the pull requests people closed without merging, read back as refusals of their tags the
 * way a `git revert` refuses them.
 *
 * The rule for a person's edits: drawbridge rewrites the title and description only when the
 * branch carries a new commit (the description names the commit it describes); edits made
 * while the branch stays put are kept.
 */
import type { PullRequestConfig } from '../config/schema.js';
import type { AutoMergeOutcome, Forge, PullRequest } from '../forge.js';
import { parseTrailers } from '../git/trailers.js';
import { mapBounded } from '../map-bounded.js';
import { CLOSED_MARKER, describedCommit, withoutMarkers } from './pull-request-body.js';

/** What drawbridge did to a pull request this pass. */
export interface PullRequestRecord {
  readonly number: number;
  readonly url: string;
  /** The push branch it comes from. */
  readonly branch: string;
  readonly action:
    'opened' | 'updated' | 'unchanged' | 'closed' | 'would-open' | 'would-update' | 'would-close';
  readonly autoMerge?: AutoMergeOutcome;
}

export interface KeepInput {
  readonly head: string;
  readonly base: string;
  /** The commit the push branch now carries. */
  readonly commit: string;
  readonly title: string;
  readonly body: string;
  readonly settings: PullRequestConfig;
  readonly dryRun: boolean;
  /** The pull requests open into `base` (listed once per pass). */
  readonly open: readonly PullRequest[];
}

/** Opens the pull request from `head`, or brings the open one up to date; enables auto-merge. */
export async function keepPullRequest(forge: Forge, input: KeepInput): Promise<PullRequestRecord> {
  const open = input.open.find((pr) => pr.head === input.head);
  const content = { title: input.title, body: input.body };
  const record = (pr: PullRequest, action: PullRequestRecord['action']) => ({
    number: pr.number,
    url: pr.url,
    branch: input.head,
    action,
  });
  if (input.dryRun) {
    if (open === undefined) return { number: 0, url: '', branch: input.head, action: 'would-open' };
    // No commit yet: compare what the description says, without the commit it names.
    const same = open.title === input.title && withoutMarkers(open.body) === withoutMarkers(input.body);
    return record(open, same ? 'unchanged' : 'would-update');
  }
  let pr: PullRequest;
  let action: PullRequestRecord['action'];
  if (open === undefined) {
    pr = await forge.open({
      ...content,
      head: input.head,
      base: input.base,
      draft: input.settings.draft,
      labels: input.settings.labels ?? [],
      reviewers: input.settings.reviewers ?? [],
      teamReviewers: input.settings.teamReviewers ?? [],
    });
    action = 'opened';
  } else if (describedCommit(open.body) !== input.commit) {
    pr = await forge.update(open, content);
    action = 'updated';
  } else {
    pr = open;
    action = 'unchanged';
  }
  const method = input.settings.autoMerge;
  if (method === undefined) return record(pr, action);
  return { ...record(pr, action), autoMerge: await forge.autoMerge(pr, method) };
}

/** Closes the open pull request from `head`, if there is one: nothing is pending any more. */
export async function closePullRequest(
  forge: Forge,
  input: { head: string; base: string; dryRun: boolean; open: readonly PullRequest[] },
): Promise<PullRequestRecord | undefined> {
  const open = input.open.find((pr) => pr.head === input.head);
  if (open === undefined) return undefined;
  const record = { number: open.number, url: open.url, branch: input.head };
  if (input.dryRun) return { ...record, action: 'would-close' };
  await forge.close(
    open,
    `Nothing is pending any more: \`${input.base}\` already runs what this pull request proposed (a person updated it, or a newer change did). drawbridge opens a new one when a newer tag is eligible.`,
    `${open.body.trimEnd().slice(0, forge.maxBodyLength - CLOSED_MARKER.length - 2)}\n\n${CLOSED_MARKER}`,
  );
  return { ...record, action: 'closed' };
}

/** Tags and digests one image had refused, each tag with the pull request that did. */
export interface Refused {
  readonly tags: Set<string>;
  readonly digests: Set<string>;
  /** tag → `pull request #12 closed without merging`. */
  readonly notes: Map<string, string>;
}

/** Closed pull requests read per pass, at least: refusals older than these are forgotten. */
export const CLOSED_READ = 50;
/** …and at most, however many images have their own pull requests. */
export const CLOSED_READ_MAX = 1_000;
/** Commit messages of closed pull requests asked of the forge at once. */
const MESSAGE_READS = 8;

/**
 * How many closed pull requests to read: with one pull request per image, two per image (a
 * merged one and a refused one each, or two refused), so a fleet's refusals are not pushed out
 * of the window by its own merges.
 */
export function closedToRead(perImage: boolean, images: number): number {
  return perImage ? Math.min(CLOSED_READ_MAX, Math.max(CLOSED_READ, 2 * images)) : CLOSED_READ;
}

/**
 * The updates of drawbridge's pull requests into `base` from a branch `isOwnHead` accepts that
 * a person closed without merging, among the last `limit` closed. The trailers come from the
 * closed pull request's head commit, read through the forge (the branch may have moved or gone
 * since), and count only when they are drawbridge's own for this environment. `messages`
 * caches commit messages by sha across passes (a commit never changes).
 */
export async function closedRefusals(
  forge: Forge,
  input: {
    base: string;
    environment: string;
    isOwnHead: (branch: string) => boolean;
    limit: number;
  },
  messages: Map<string, string>,
): Promise<Map<string, Refused>> {
  const byImage = new Map<string, Refused>();
  const closed = (await forge.listClosed(input.base, input.limit)).filter(
    (pr) => pr.state === 'closed' && input.isOwnHead(pr.head) && !pr.body.includes(CLOSED_MARKER),
  );
  const unread = [...new Set(closed.map((pr) => pr.headSha).filter((sha) => !messages.has(sha)))];
  await mapBounded(unread, MESSAGE_READS, async (sha) => {
    messages.set(sha, await forge.commitMessage(sha));
  });
  for (const pr of closed) {
    const trailers = parseTrailers(messages.get(pr.headSha) ?? '');
    if (trailers.refused !== undefined || trailers.environment !== input.environment) continue;
    for (const update of trailers.updates) {
      const entry = byImage.get(update.image) ?? { tags: new Set(), digests: new Set(), notes: new Map() };
      entry.tags.add(update.new);
      if (update.digest !== undefined) entry.digests.add(update.digest);
      // Newest first: the note names the last pull request that proposed the tag.
      if (!entry.notes.has(update.new))
        entry.notes.set(update.new, `pull request #${pr.number} closed without merging`);
      byImage.set(update.image, entry);
    }
  }
  return byImage;
}
