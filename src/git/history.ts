/**
 * Git history as drawbridge's state, read from one environment branch (bounded by depth):
 * which tags people reverted, which images are held, and drawbridge's last update per image.
 */
import type { Logger } from '../log/logger.js';
import { GitProcessError } from './run.js';
import { HOLDS_FILE, parseHolds } from './holds.js';
import { parseTrailers, type ParsedTrailers } from './trailers.js';
import type { Workspace } from './workspace.js';
import { historyKey, type HistoryMemo } from './history-memo.js';

export { readLiveIntervals, type LiveIntervalOptions } from './live-intervals.js';

export interface Hold {
  readonly image: string;
  readonly reason?: string;
  readonly by: string;
  readonly at: Date;
  /** The commit that placed the hold (its Drawbridge-Hold trailer, else the last change of the holds file). */
  readonly commit: string;
}

export interface RevertedValues {
  readonly tags: ReadonlySet<string>;
  readonly digests: ReadonlySet<string>;
}

/**
 * A commit whose message claims drawbridge trailers that do not parse exactly (a forged or
 * damaged line, disagreeing environments): read as a commit of someone else's, not as
 * drawbridge's, so it records no update, hold or release and cannot be reverted as one.
 */
export interface RefusedCommit {
  readonly commit: string;
  readonly reasons: readonly string[];
}

export interface BranchHistory {
  readonly reverted: ReadonlyMap<string, RevertedValues>;
  readonly holds: ReadonlyMap<string, Hold>;
  readonly lastUpdates: ReadonlyMap<string, { tag: string; commit: string; at: Date }>;
  /** Commits whose trailers were refused (see RefusedCommit); absent when none. */
  readonly refused?: readonly RefusedCommit[];
  /** Commits some commit in the history reverts (reverted since, even if that was undone); absent when none. */
  readonly revertedCommits?: ReadonlySet<string>;
}

export interface HistoryOptions {
  readonly environment: string;
  /** Commits read, newest first. */
  readonly depth: number;
  /** Warned to about commits whose trailers are refused. */
  readonly logger?: Logger;
  /** Histories already read, by environment and head (see history-memo.ts). */
  readonly memo?: HistoryMemo;
}

interface LoggedCommit {
  readonly sha: string;
  readonly parents: readonly string[];
  readonly at: Date;
  readonly trailers: ParsedTrailers;
  readonly reverts?: string;
}

const REVERTS = /This reverts commit ([0-9a-f]{40,64})\b/;

export async function readHistory(
  workspace: Workspace,
  branch: string,
  options: HistoryOptions,
): Promise<BranchHistory> {
  const empty: BranchHistory = { reverted: new Map(), holds: new Map(), lastUpdates: new Map() };
  const head = await workspace.remoteHead(branch);
  if (head === undefined) return empty;
  const key = historyKey(head, options.depth);
  const remembered = options.memo?.get(options.environment, key);
  if (remembered !== undefined) {
    warnRefused(options, branch, remembered.refused ?? []);
    return remembered;
  }
  // The head's commit id, not the branch's ref: what is read then depends on nothing else.
  const ref = head;
  // The holds file is read while the log is: two processes side by side.
  const holdsText = readHoldsText(workspace, ref);
  holdsText.catch(() => undefined);
  const commits = parseLog(
    await workspace.git([
      'log',
      `--max-count=${options.depth}`,
      '--format=%H%x00%P%x00%ct%x00%B%x1e',
      ref,
      '--',
    ]),
  ).reverse();

  const bySha = new Map(commits.map((commit) => [commit.sha, commit]));
  const revertedState = new Map<string, boolean>();
  const lastUpdates = new Map<string, { tag: string; commit: string; at: Date }>();
  const holdCommits = new Map<string, string>();
  const revertedCommits = new Set<string>();
  for (const commit of commits) {
    if (commit.reverts !== undefined) {
      revertedCommits.add(commit.reverts);
      const root = revertRoot(bySha, commit.reverts);
      if (root && updatesOf(bySha, root.sha, options.environment).length > 0) {
        revertedState.set(root.sha, root.hops % 2 === 1);
      }
    }
    if (commit.trailers.environment !== options.environment) continue;
    for (const update of commit.trailers.updates) {
      lastUpdates.set(update.image, { tag: update.new, commit: commit.sha, at: commit.at });
    }
    if (commit.trailers.hold !== undefined) holdCommits.set(commit.trailers.hold, commit.sha);
  }

  const reverted = new Map<string, { tags: Set<string>; digests: Set<string> }>();
  for (const [sha, isReverted] of revertedState) {
    if (!isReverted) continue;
    for (const update of updatesOf(bySha, sha, options.environment)) {
      const entry = reverted.get(update.image) ?? { tags: new Set<string>(), digests: new Set<string>() };
      entry.tags.add(update.new);
      if (update.digest) entry.digests.add(update.digest);
      reverted.set(update.image, entry);
    }
  }

  const holds = await readHolds(workspace, ref, await holdsText, options.environment, holdCommits);
  const refused = commits.flatMap((commit) =>
    commit.trailers.refused ? [{ commit: commit.sha, reasons: commit.trailers.refused }] : [],
  );
  warnRefused(options, branch, refused);
  const history = {
    reverted,
    holds,
    lastUpdates,
    ...(refused.length > 0 ? { refused } : {}),
    ...(revertedCommits.size > 0 ? { revertedCommits } : {}),
  };
  options.memo?.set(options.environment, key, history);
  return history;
}

function warnRefused(options: HistoryOptions, branch: string, refused: readonly RefusedCommit[]): void {
  for (const { commit, reasons } of refused) {
    options.logger?.warn(
      { branch, commit, reasons: reasons.slice(0, 5) },
      "commit has drawbridge trailers that do not parse; read as not drawbridge's",
    );
  }
}

type Update = ParsedTrailers['updates'][number];

/**
 * The updates a commit brought to the environment: its own trailers, or for a merge (a
 * push.branch pull request) the trailers of the drawbridge commits it merged.
 */
function updatesOf(bySha: ReadonlyMap<string, LoggedCommit>, sha: string, environment: string): Update[] {
  const commit = bySha.get(sha);
  if (commit === undefined) return [];
  if (commit.trailers.environment === environment && commit.trailers.updates.length > 0)
    return commit.trailers.updates;
  const [mainline, merged] = commit.parents;
  if (mainline === undefined || merged === undefined) return [];
  const before = reachable(bySha, [mainline], new Set());
  return [...reachable(bySha, commit.parents.slice(1), before)]
    .map((ancestor) => bySha.get(ancestor)?.trailers)
    .filter((trailers) => trailers?.environment === environment)
    .flatMap((trailers) => trailers?.updates ?? []);
}

/** Commits reachable from `starts` within the history read, not entering `stop`. */
function reachable(
  bySha: ReadonlyMap<string, LoggedCommit>,
  starts: readonly string[],
  stop: ReadonlySet<string>,
): Set<string> {
  const seen = new Set<string>();
  const queue = [...starts];
  for (let sha = queue.pop(); sha !== undefined; sha = queue.pop()) {
    if (seen.has(sha) || stop.has(sha)) continue;
    const commit = bySha.get(sha);
    if (commit === undefined) continue;
    seen.add(sha);
    queue.push(...commit.parents);
  }
  return seen;
}

/** Follows a chain of reverts down to the commit it started from; hops odd = reverted. */
function revertRoot(
  bySha: ReadonlyMap<string, LoggedCommit>,
  sha: string,
): { sha: string; hops: number } | undefined {
  let current = sha;
  let hops = 1;
  for (let guard = 0; guard < 1000; guard++) {
    const commit = bySha.get(current);
    if (commit === undefined) return undefined;
    if (commit.reverts === undefined) return { sha: current, hops };
    current = commit.reverts;
    hops++;
  }
  return undefined;
}

/** The holds file at `ref`; undefined when there is none. */
function readHoldsText(workspace: Workspace, ref: string): Promise<string | undefined> {
  return workspace.git(['show', `${ref}:${HOLDS_FILE}`]).catch((error: unknown) => {
    if (error instanceof GitProcessError) return undefined;
    throw error;
  });
}

async function readHolds(
  workspace: Workspace,
  ref: string,
  text: string | undefined,
  environment: string,
  holdCommits: ReadonlyMap<string, string>,
): Promise<Map<string, Hold>> {
  const holds = new Map<string, Hold>();
  const entries = parseHolds(text).get(environment);
  if (entries === undefined || entries.size === 0) return holds;
  let fileCommit: string | undefined;
  for (const [image, entry] of entries) {
    let commit = holdCommits.get(image);
    if (commit === undefined) {
      fileCommit ??= (await workspace.git(['log', '-1', '--format=%H', ref, '--', HOLDS_FILE])).trim();
      commit = fileCommit;
    }
    holds.set(image, { image, ...entry, commit });
  }
  return holds;
}

function parseLog(out: string): LoggedCommit[] {
  const commits: LoggedCommit[] = [];
  for (const record of out.split('\x1e')) {
    const [sha = '', parents = '', seconds = '0', message = ''] = record.replace(/^\n/, '').split('\0');
    if (sha === '') continue;
    const reverts = REVERTS.exec(message)?.[1];
    commits.push({
      sha,
      parents: parents.split(' ').filter(Boolean),
      at: new Date(Number(seconds) * 1000),
      trailers: parseTrailers(message),
      ...(reverts === undefined ? {} : { reverts }),
    });
  }
  return commits;
}
