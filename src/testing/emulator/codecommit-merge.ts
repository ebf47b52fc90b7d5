/**
 * CodeCommit's three merge strategies, for real, in the bare repository: FAST_FORWARD_MERGE
 * moves the destination to the source's commit (refused unless the destination is an
 * ancestor), SQUASH_MERGE makes one commit on the destination, THREE_WAY_MERGE a merge commit.
 * Without a commit message a squash keeps the squashed commits' own messages (oldest first,
 * so trailers survive). A conflict is ManualMergeRequiredException, a destination that moved
 * during the merge ConcurrentReferenceUpdateException, as CodeCommit answers them.
 */
import type { ForgeRemote } from '../forge-remote.js';
import type { RepositoryGit } from './codecommit-git.js';
import type { MergeOption } from './codecommit-records.js';
import { AwsError } from './server.js';

export interface MergeBranches {
  readonly option: MergeOption;
  readonly source: string;
  readonly destination: string;
  readonly sourceCommit: string;
  readonly destinationCommit: string;
  /** Squash and three-way; default below. */
  readonly message?: string;
  readonly author?: { readonly name: string; readonly email: string };
}

/** Merges and returns the destination's new commit. */
export async function mergeBranches(
  remote: ForgeRemote,
  git: RepositoryGit,
  input: MergeBranches,
): Promise<string> {
  if (input.option === 'FAST_FORWARD_MERGE') {
    if (!(await git.isAncestor(input.destinationCommit, input.sourceCommit)))
      throw manualMergeRequired(`${input.destination} cannot be fast-forwarded to ${input.source}`);
    await lostRaceOrConflict(() =>
      git.moveBranch(input.destination, input.destinationCommit, input.sourceCommit),
    );
    return input.sourceCommit;
  }
  const squash = input.option === 'SQUASH_MERGE';
  const message = input.message ?? (squash ? await squashedMessages(remote, input) : mergeLine(input));
  return lostRaceOrConflict(() =>
    remote.merge({
      head: input.source,
      base: input.destination,
      style: squash ? 'squash' : 'merge',
      message,
      ...(input.author ? { author: input.author } : {}),
    }),
  );
}

async function squashedMessages(remote: ForgeRemote, input: MergeBranches): Promise<string> {
  const messages: string[] = [];
  for (const sha of await remote.commitsBetween(input.destination, input.source))
    messages.push(((await remote.message(sha)) ?? '').trimEnd());
  return `${messages.join('\n\n')}\n`;
}

function mergeLine(input: MergeBranches): string {
  return `Merge branch '${input.source}' into ${input.destination}\n`;
}

function manualMergeRequired(why: string): AwsError {
  return new AwsError(
    'ManualMergeRequiredException',
    `The pull request cannot be merged automatically into the destination branch (${why}). You must manually merge the branches and resolve any conflicts.`,
  );
}

/** Runs a merge or ref move: a conflict is ManualMergeRequired, anything else a lost race. */
async function lostRaceOrConflict<T>(move: () => Promise<T>): Promise<T> {
  try {
    return await move();
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('merge conflict'))
      throw manualMergeRequired('conflicts');
    throw new AwsError(
      'ConcurrentReferenceUpdateException',
      'The merge cannot be completed because the target branch has been modified by another user.',
    );
  }
}
