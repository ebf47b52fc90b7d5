/**
 * Which files mention `$imagepolicy` at a commit, asked of git in one pass over the commit
 * (`git grep`) instead of reading every file, and remembered per commit and paths. A commit
 * drawbridge made itself only changed marked values, never a marker, so its answer is carried
 * over from its parent without asking git again.
 */
import type { Workspace } from '../git/workspace.js';

export interface MarkedFilesIndex {
  /**
   * Files under `paths` with a marker at `head`; undefined (walk the tree instead) when the
   * tree has symlinks, which the walk follows, or when git cannot answer.
   */
  find(head: string, paths: readonly string[] | undefined): Promise<string[] | undefined>;
  /** `to` is drawbridge's own commit on `from`: same marked files. */
  carry(from: string, to: string, paths: readonly string[] | undefined): void;
}

/** Commits remembered; a daemon needs about one per environment branch. */
const REMEMBERED = 64;

export function createMarkedFilesIndex(workspace: Pick<Workspace, 'git'>): MarkedFilesIndex {
  const known = new Map<string, Promise<string[] | undefined>>();
  const keyOf = (head: string, paths: readonly string[] | undefined): string =>
    `${head}\0${(paths ?? []).join('\0')}`;
  const remember = (key: string, answer: Promise<string[] | undefined>): void => {
    known.delete(key);
    known.set(key, answer);
    if (known.size > REMEMBERED) known.delete(known.keys().next().value ?? key);
  };

  return {
    find(head, paths) {
      const key = keyOf(head, paths);
      const cached = known.get(key);
      if (cached) return cached;
      const answer = askGit(workspace, head, paths);
      remember(key, answer);
      // A failure is not worth remembering: ask again next time.
      void answer.then((files) => {
        if (files === undefined) known.delete(key);
      });
      return answer;
    },
    carry(from, to, paths) {
      const answer = known.get(keyOf(from, paths));
      if (answer) remember(keyOf(to, paths), answer);
    },
  };
}

async function askGit(
  workspace: Pick<Workspace, 'git'>,
  head: string,
  paths: readonly string[] | undefined,
): Promise<string[] | undefined> {
  const pathspec = ['--', ...(paths && paths.length > 0 ? paths : ['.'])];
  try {
    const tree = await workspace.git(['ls-tree', '-r', '-z', head, ...pathspec]);
    if (tree.split('\0').some((entry) => entry.startsWith('120000 '))) return undefined;
  } catch {
    return undefined;
  }
  try {
    const out = await workspace.git(['grep', '-l', '-z', '-F', '-e', '$imagepolicy', head, ...pathspec]);
    return out
      .split('\0')
      .filter((entry) => entry !== '')
      .map((entry) => entry.slice(head.length + 1));
  } catch (error) {
    // git grep exits 1 when nothing matches.
    return (error as { exitCode?: number }).exitCode === 1 ? [] : undefined;
  }
}
