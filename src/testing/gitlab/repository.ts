/**
 * A project's real bare repository: forgeRemote() for heads, messages and merges, plus every
 * branch head in one `git for-each-ref` (a page of 100 merge requests reads its `sha`s with
 * one git process, not 100). Writes run one at a time, as a forge serialises merges into a
 * branch, so two merges never race the compare-and-swap of the target.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { forgeRemote, type ForgeRemote } from '../forge-remote.js';

const exec = promisify(execFile);

export interface Repository {
  readonly remote: ForgeRemote;
  /** Branch name → commit, every branch. */
  heads(): Promise<ReadonlyMap<string, string>>;
  /** Branches whose history holds `sha`, by name; undefined when there is no such commit. */
  branchesContaining(sha: string): Promise<string[] | undefined>;
  /** Runs `work` after every write queued before it has finished. */
  serially<T>(work: () => Promise<T>): Promise<T>;
}

export function repository(dir: string, env: NodeJS.ProcessEnv): Repository {
  const remote = forgeRemote(dir, env);
  let tail: Promise<unknown> = Promise.resolve();
  return {
    remote,
    async heads() {
      const { stdout } = await exec(
        'git',
        ['for-each-ref', '--format=%(objectname) %(refname:lstrip=2)', 'refs/heads'],
        { cwd: dir, env, maxBuffer: 64 * 1024 * 1024 },
      );
      const heads = new Map<string, string>();
      for (const line of stdout.split('\n')) {
        const space = line.indexOf(' ');
        if (space > 0) heads.set(line.slice(space + 1), line.slice(0, space));
      }
      return heads;
    },
    async branchesContaining(sha) {
      const known = await exec('git', ['cat-file', '-e', `${sha}^{commit}`], { cwd: dir, env }).then(
        () => true,
        () => false,
      );
      if (!known) return undefined;
      const { stdout } = await exec(
        'git',
        ['for-each-ref', '--format=%(refname:lstrip=2)', '--contains', sha, 'refs/heads'],
        { cwd: dir, env, maxBuffer: 64 * 1024 * 1024 },
      );
      return stdout.split('\n').filter((line) => line !== '');
    },
    serially(work) {
      const run = tail.then(work, work);
      tail = run.catch(() => undefined);
      return run;
    },
  };
}
