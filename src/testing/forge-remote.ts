/**
 * The real bare Git repository behind a forge emulator (GitHub, GitLab, CodeCommit): the
 * emulators keep pull requests in memory and read and move branches here, so a merge in an
 * emulator is a real merge a later `git fetch` sees. Merges run without a worktree
 * (`git merge-tree --write-tree`, git ≥ 2.38) and move the target with a compare-and-swap
 * `update-ref`, as a forge does.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export type MergeStyle = 'merge' | 'squash' | 'rebase';

export interface MergeRequest {
  readonly head: string;
  readonly base: string;
  readonly style: MergeStyle;
  /** The merge or squash commit's message (rebase keeps each commit's own). */
  readonly message: string;
  readonly author?: { readonly name: string; readonly email: string };
}

export interface ForgeRemote {
  /** The bare repository's folder. */
  readonly dir: string;
  /** A branch's commit, or undefined when it does not exist. */
  head(branch: string): Promise<string | undefined>;
  /** The full message of a commit, or undefined when there is no such commit. */
  message(sha: string): Promise<string | undefined>;
  /** Commits on `head` not on `base`, oldest first. */
  commitsBetween(base: string, head: string): Promise<string[]>;
  /** Merges `head` into `base`; the new commit of `base`. Throws on a conflict. */
  merge(request: MergeRequest): Promise<string>;
  deleteBranch(branch: string): Promise<void>;
}

const FORGE_IDENTITY = { name: 'Forge Emulator', email: 'noreply@forge.invalid' };

export function forgeRemote(dir: string, env: NodeJS.ProcessEnv = process.env): ForgeRemote {
  const git = async (args: readonly string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<string> =>
    (await exec('git', [...args], { cwd: dir, env: { ...env, ...extraEnv }, maxBuffer: 64 * 1024 * 1024 }))
      .stdout;
  const identity = (who: { name: string; email: string }): NodeJS.ProcessEnv => ({
    GIT_AUTHOR_NAME: who.name,
    GIT_AUTHOR_EMAIL: who.email,
    GIT_COMMITTER_NAME: who.name,
    GIT_COMMITTER_EMAIL: who.email,
  });
  const head = async (branch: string): Promise<string | undefined> => {
    try {
      return (await git(['rev-parse', '--verify', '--quiet', `refs/heads/${branch}^{commit}`])).trim();
    } catch {
      return undefined;
    }
  };
  const required = async (branch: string): Promise<string> => {
    const sha = await head(branch);
    if (sha === undefined) throw new Error(`branch ${branch} does not exist`);
    return sha;
  };
  const mergedTree = async (base: string, theirs: string, mergeBase?: string): Promise<string> => {
    const args = [
      'merge-tree',
      '--write-tree',
      ...(mergeBase ? [`--merge-base=${mergeBase}`] : []),
      base,
      theirs,
    ];
    try {
      return (await git(args)).split('\n')[0]!.trim();
    } catch (error) {
      throw new Error(`merge conflict between ${base} and ${theirs}`, { cause: error });
    }
  };
  const commitTree = async (
    tree: string,
    parents: readonly string[],
    message: string,
    who: { name: string; email: string },
  ): Promise<string> => {
    const args = ['commit-tree', tree, ...parents.flatMap((p) => ['-p', p]), '-F', '-'];
    const child = execFile('git', args, { cwd: dir, env: { ...env, ...identity(who) } });
    const out = new Promise<string>((resolve, reject) => {
      let stdout = '';
      child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) =>
        code === 0 ? resolve(stdout.trim()) : reject(new Error(`commit-tree exited ${code}`)),
      );
    });
    child.stdin?.end(message);
    return out;
  };

  return {
    dir,
    head,
    async message(sha) {
      try {
        return await git(['log', '-1', '--format=%B', sha]);
      } catch {
        return undefined;
      }
    },
    async commitsBetween(base, branch) {
      const out = await git(['rev-list', '--reverse', `refs/heads/${base}..refs/heads/${branch}`]);
      return out.split('\n').filter((line) => line !== '');
    },
    async merge(request) {
      const who = request.author ?? FORGE_IDENTITY;
      const baseSha = await required(request.base);
      const headSha = await required(request.head);
      let result: string;
      if (request.style === 'rebase') {
        result = baseSha;
        const commits = (await git(['rev-list', '--reverse', `${baseSha}..${headSha}`]))
          .split('\n')
          .filter((line) => line !== '');
        for (const commit of commits) {
          const tree = await mergedTree(result, commit, `${commit}^`);
          const message = await git(['log', '-1', '--format=%B', commit]);
          result = await commitTree(tree, [result], message, who);
        }
      } else {
        const tree = await mergedTree(baseSha, headSha);
        const parents = request.style === 'merge' ? [baseSha, headSha] : [baseSha];
        result = await commitTree(tree, parents, request.message, who);
      }
      await git(['update-ref', `refs/heads/${request.base}`, result, baseSha]);
      return result;
    },
    async deleteBranch(branch) {
      const sha = await head(branch);
      if (sha !== undefined) await git(['update-ref', '-d', `refs/heads/${branch}`, sha]);
    },
  };
}
