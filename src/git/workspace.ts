/**
 * The workspace: one persistent clone per remote under the workdir, reused across
 * reconciliations (fetch, never re-clone), and one detached worktree per key (environment)
 * reset to the fetched remote head before every use, so crash leftovers can never be pushed.
 * Commits are built with write-tree + commit-tree (no hooks, no message clean-up) and pushed
 * without force; `lease` is only for drawbridge's own `push.branch`.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { GitConfig } from '../config/schema.js';
import { GitError, messageOf } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { Redactor } from '../log/redact.js';
import { authEnvironment, splitCredentials } from './auth.js';
import { cloneInto, inspectClone, remoteHeads } from './clone.js';
import { toGitError } from './git-error.js';
import type { GitSpawner } from './launcher.js';
import { runGit } from './run.js';
import { recoverStaleLock } from './stale-lock.js';
import { cloneFolderName, resolveRemoteUrl } from './workdir.js';
import { createWorktrees, type Worktrees } from './worktrees.js';
import { pushHead, type PushTarget } from './push.js';
import { commitAll, revertCommit, stagedDiff, type RevertResult } from './commit.js';
import type { CommitCheck } from '../forge.js';
import {
  STATUS_NOTES_REFSPEC,
  hasCommit,
  recordChecks,
  recordedChecks,
  type StatusReport,
} from './status-notes.js';

export interface WorkspaceOptions {
  readonly url: string;
  /** Root of all clones; one clone per remote inside. */
  readonly workdir: string;
  readonly author: { name: string; email: string };
  readonly auth?: GitConfig['auth'];
  readonly signing?: GitConfig['signing'];
  /** For tokenEnv lookups and git's environment; default process.env. */
  readonly env?: NodeJS.ProcessEnv;
  readonly logger: Logger;
  readonly redactor?: Redactor;
  /** Commit dates; default the system clock. */
  readonly clock?: () => Date;
  /** Called with the git subcommand of every process spawned (clone, fetch, push, …), for metrics and tests. */
  readonly onCommand?: (command: string) => void;
  /** Where git processes start; default this process (the runtime passes its launcher). */
  readonly spawner?: GitSpawner;
  /** Fetch, read and write the deployment statuses recorded in Git (status-notes.ts). */
  readonly statusNotes?: boolean;
}

export interface Checkout {
  readonly dir: string;
  readonly branch: string;
  /** The remote head it was reset to; undefined: the branch is absent on the remote. */
  readonly head: string | undefined;
}

export interface Workspace {
  /** The persistent clone. */
  readonly dir: string;
  /** The remote URL without credentials. */
  readonly url: string;
  /** Fetches all remote branches (with prune): one network round. */
  fetch(): Promise<void>;
  /** The remote branch's head as of the last fetch (or clone). */
  remoteHead(branch: string): Promise<string | undefined>;
  /** A worktree for `key` at origin/<branch>, hard reset and cleaned. */
  checkout(branch: string, key: string): Promise<Checkout>;
  /**
   * The caller wrote nothing in this checkout: it is still clean at its head, so the next
   * checkout of the same key at the same head skips the clean-up walk (kept in memory only).
   */
  untouched(checkout: Checkout): void;
  /** Unified diff of the working tree against the checkout's head. */
  diff(checkout: Checkout): Promise<string>;
  /** Commits every change; undefined when nothing changed. */
  commit(checkout: Checkout, message: string): Promise<string | undefined>;
  /** `git revert` of `commit` on the checkout's head (see commit.ts); `merge` reverts against the first parent. */
  revert(checkout: Checkout, commit: string, merge: boolean): Promise<RevertResult>;
  /** Never forces; `lease` allows replacing exactly `expected` (drawbridge's own push.branch only). */
  push(checkout: Checkout, target: PushTarget): Promise<'pushed' | 'rejected'>;
  /** Read-only git in the persistent clone, for the history readers. */
  git(args: readonly string[]): Promise<string>;
  /** Whether the clone holds this commit (as of the last fetch). */
  hasCommit(sha: string): Promise<boolean>;
  /** The deployment statuses recorded in Git for a commit, as of the last fetch; none without statusNotes. */
  recordedChecks(sha: string): Promise<CommitCheck[]>;
  /**
   * Records deployment statuses of commits in Git and pushes them in one go, never forced
   * (needs statusNotes); answers the commits whose note changed.
   */
  recordStatuses(reports: readonly StatusReport[]): Promise<Set<string>>;
  close(): Promise<void>;
}

export type { PushTarget } from './push.js';

export async function openWorkspace(options: WorkspaceOptions): Promise<Workspace> {
  const redactor = options.redactor ?? new Redactor();
  const split = splitCredentials(resolveRemoteUrl(options.url));
  redactor.add(split.password);
  const baseEnv = options.env ?? process.env;
  const env = {
    ...baseEnv,
    ...authEnvironment({ url: options.url, auth: options.auth, env: baseEnv, redactor }),
  };
  const logger = options.logger.child({ component: 'git' });
  const root = join(options.workdir, cloneFolderName(split.url));
  const dir = join(root, 'repo');

  const git = async (cwd: string, args: readonly string[], extraEnv?: NodeJS.ProcessEnv): Promise<string> => {
    const command = args.find((arg) => !arg.startsWith('-') && !arg.includes('=')) ?? 'git';
    options.onCommand?.(command);
    const started = Date.now();
    try {
      return await runGit(cwd, args, {
        env: extraEnv ? { ...env, ...extraEnv } : env,
        ...(options.spawner ? { spawner: options.spawner } : {}),
      });
    } finally {
      logger.debug({ command, cwd, ms: Date.now() - started }, 'git');
    }
  };
  const fail = (operation: string, error: unknown, context?: Record<string, unknown>): GitError =>
    toGitError(error, { operation, redactor, context: { repository: split.url, ...context } });

  const inspected = await inspectClone(git, dir, split.url);
  const heads = new Map('heads' in inspected ? inspected.heads : []);
  const readHeads = async (): Promise<void> => {
    const out = await git(dir, ['for-each-ref', '--format=%(objectname) %(refname)', 'refs/remotes/origin/']);
    heads.clear();
    for (const [branch, sha] of remoteHeads(out)) heads.set(branch, sha);
  };
  if ('problem' in inspected) {
    const { problem } = inspected;
    if (problem !== 'missing') logger.warn({ dir, reason: problem }, 'workdir clone unusable, cloning again');
    await rm(root, { recursive: true, force: true });
    logger.info({ url: split.url, dir }, 'cloning');
    await cloneInto(git, split.url, dir).catch((error: unknown) => {
      throw fail('git clone', error);
    });
    await readHeads();
  }

  // Repository-wide operations (fetch, push, worktree admin) take turns; worktree-local ones do not.
  let turn: Promise<unknown> = Promise.resolve();
  const serial = <T>(task: () => Promise<T>): Promise<T> => {
    const result = turn.then(task, task);
    turn = result.catch(() => undefined);
    return result;
  };

  // With status notes, the notes ref comes with the branches (the clone's refspec, then the notes').
  // Auto maintenance runs only when objects came in (below), not after every fetch of nothing.
  const fetchArgs = [
    'fetch',
    '--prune',
    '--no-tags',
    '--no-auto-maintenance',
    'origin',
    ...(options.statusNotes ? ['+refs/heads/*:refs/remotes/origin/*', STATUS_NOTES_REFSPEC] : []),
  ];
  /** git's own housekeeping when it is due (packing loose objects, gc): after objects were added. */
  const maintain = async (): Promise<void> => {
    await git(dir, ['maintenance', 'run', '--auto', '--quiet']).catch((error: unknown) => {
      logger.warn({ error: messageOf(error) }, 'git maintenance failed; the next write tries again');
    });
  };
  const fetchNow = async (): Promise<void> => {
    const before = new Map(heads);
    try {
      await recoverStaleLock(() => git(dir, fetchArgs), { logger });
    } catch (error) {
      throw fail('git fetch', error);
    }
    await readHeads();
    const moved =
      heads.size !== before.size || [...heads].some(([branch, sha]) => before.get(branch) !== sha);
    if (moved) await maintain();
  };
  const inClone = (args: readonly string[], extraEnv?: NodeJS.ProcessEnv): Promise<string> =>
    git(dir, args, extraEnv);

  const worktrees: Worktrees = createWorktrees({ git, dir, root: join(root, 'worktrees'), serial });
  const clock = options.clock ?? (() => new Date());
  let closed = false;
  const ensureOpen = (): void => {
    if (closed) throw new GitError('the workspace is closed', { context: { repository: split.url } });
  };

  return {
    dir,
    url: split.url,
    fetch: () =>
      serial(async () => {
        ensureOpen();
        await fetchNow();
      }),
    remoteHead: async (branch) => heads.get(branch),
    checkout: async (branch, key) => {
      ensureOpen();
      const head = heads.get(branch);
      try {
        return { dir: await worktrees.reset(key, head), branch, head };
      } catch (error) {
        throw fail('git checkout', error, { branch });
      }
    },
    untouched: (checkout) => {
      if (checkout.head !== undefined) worktrees.markPristine(checkout.dir, checkout.head);
    },
    diff: (checkout) =>
      stagedDiff(git, checkout).catch((error: unknown) => {
        throw fail('git diff', error, { branch: checkout.branch });
      }),
    commit: async (checkout, message) => {
      ensureOpen();
      try {
        const sha = await commitAll(git, checkout, message, {
          author: options.author,
          signing: options.signing,
          date: clock(),
          emptyBase: () => worktrees.emptyBase(),
        });
        // `git add --all` + commit leaves nothing behind in the worktree.
        if (sha !== undefined) worktrees.markPristine(checkout.dir, sha);
        return sha;
      } catch (error) {
        throw fail('git commit', error, { branch: checkout.branch });
      }
    },
    revert: async (checkout, commit, merge) => {
      ensureOpen();
      try {
        return await revertCommit(git, checkout, commit, {
          author: options.author,
          signing: options.signing,
          date: clock(),
          merge,
        });
      } catch (error) {
        throw fail('git revert', error, { branch: checkout.branch, commit });
      }
    },
    push: (checkout, target) =>
      serial(async () => {
        ensureOpen();
        const outcome = await recoverStaleLock(() => pushHead(git, checkout, target), { logger }).catch(
          (error: unknown) => {
            throw fail('git push', error, { branch: target.branch });
          },
        );
        if (outcome.result === 'pushed') {
          heads.set(target.branch, outcome.sha);
          // Its objects were written here: the housekeeping a fetch would have run is due now.
          await maintain();
        }
        logger.info(
          { branch: target.branch, sha: outcome.sha, result: outcome.result, detail: outcome.detail },
          'push',
        );
        return outcome.result;
      }),
    git: (args) => git(dir, args),
    hasCommit: (sha) => hasCommit(inClone, sha),
    recordedChecks: async (sha) => (options.statusNotes ? recordedChecks(inClone, sha) : []),
    recordStatuses: (reports) =>
      serial(async () => {
        ensureOpen();
        if (!options.statusNotes) throw new GitError('this workspace does not record statuses');
        try {
          const changed = await recordChecks(
            {
              git: inClone,
              scratchFile: join(root, 'status-note.txt'),
              author: options.author,
              now: clock,
              refetch: fetchNow,
            },
            reports,
          );
          logger.info({ reports: reports.length, commits: changed.size }, 'statuses recorded');
          if (changed.size > 0) await maintain();
          return changed;
        } catch (error) {
          throw fail('git push (status notes)', error, { reports: reports.length });
        }
      }),
    close: async () => {
      closed = true;
      await turn;
    },
  };
}
