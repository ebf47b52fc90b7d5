/**
 * The git reads and the one ref move the CodeCommit emulator needs beyond forge-remote.ts:
 * branch tips in one call, merge bases, a commit object as GetCommit answers it, and a
 * fast-forward (CodeCommit's FAST_FORWARD_MERGE moves the target to the source's commit, which
 * forge-remote's rebase style does not do).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export interface GitPerson {
  readonly name: string;
  readonly email: string;
  /** `<epoch seconds> <offset>`, as CodeCommit answers it (`1508280564 -0800`). */
  readonly date: string;
}

export interface CommitObject {
  readonly commitId: string;
  readonly treeId: string;
  readonly parents: readonly string[];
  readonly message: string;
  readonly author: GitPerson;
  readonly committer: GitPerson;
}

export interface RepositoryGit {
  /** The tips of these branches; a branch that does not exist is left out. */
  heads(branches: readonly string[]): Promise<Map<string, string>>;
  /** The best common ancestor, or undefined when the histories are unrelated. */
  mergeBase(a: string, b: string): Promise<string | undefined>;
  isAncestor(ancestor: string, descendant: string): Promise<boolean>;
  /** The commit, or undefined when `sha` names no commit of the repository. */
  commit(sha: string): Promise<CommitObject | undefined>;
  /** Moves `branch` from `from` to `to`; throws when it no longer points at `from`. */
  moveBranch(branch: string, from: string, to: string): Promise<void>;
}

const FULL_SHA = /^[0-9a-f]{40}$/;
const PERSON = /^(.*) <([^>]*)> (\d+ [+-]\d{4})$/;

export function repositoryGit(dir: string, env: NodeJS.ProcessEnv = process.env): RepositoryGit {
  const git = async (args: readonly string[]): Promise<string> =>
    (await exec('git', [...args], { cwd: dir, env, maxBuffer: 16 * 1024 * 1024 })).stdout;

  return {
    async heads(branches) {
      const wanted = new Set(branches.map((branch) => `refs/heads/${branch}`));
      const out = await git(['for-each-ref', '--format=%(refname)%00%(objectname)', ...wanted]);
      const heads = new Map<string, string>();
      for (const line of out.split('\n')) {
        const [ref = '', sha = ''] = line.split('\0');
        if (wanted.has(ref)) heads.set(ref.slice('refs/heads/'.length), sha);
      }
      return heads;
    },
    async mergeBase(a, b) {
      try {
        return (await git(['merge-base', a, b])).trim() || undefined;
      } catch {
        return undefined;
      }
    },
    async isAncestor(ancestor, descendant) {
      try {
        await git(['merge-base', '--is-ancestor', ancestor, descendant]);
        return true;
      } catch {
        return false;
      }
    },
    async commit(sha) {
      if (!FULL_SHA.test(sha)) return undefined;
      let raw: string;
      try {
        if ((await git(['cat-file', '-t', sha])).trim() !== 'commit') return undefined;
        raw = await git(['cat-file', 'commit', sha]);
      } catch {
        return undefined;
      }
      return parseCommit(sha, raw);
    },
    async moveBranch(branch, from, to) {
      await git(['update-ref', `refs/heads/${branch}`, to, from]);
    },
  };
}

/** A raw commit object: headers (continuation lines start with a space), a blank line, the message. */
function parseCommit(commitId: string, raw: string): CommitObject {
  const split = raw.indexOf('\n\n');
  const headers = (split < 0 ? raw : raw.slice(0, split)).split('\n').filter((line) => !line.startsWith(' '));
  const message = split < 0 ? '' : raw.slice(split + 2);
  const values = (key: string): string[] =>
    headers.filter((line) => line.startsWith(`${key} `)).map((line) => line.slice(key.length + 1));
  return {
    commitId,
    treeId: values('tree')[0] ?? '',
    parents: values('parent'),
    message,
    author: person(values('author')[0] ?? ''),
    committer: person(values('committer')[0] ?? ''),
  };
}

function person(line: string): GitPerson {
  const match = PERSON.exec(line);
  return match ? { name: match[1]!, email: match[2]!, date: match[3]! } : { name: line, email: '', date: '' };
}
