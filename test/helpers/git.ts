/**
 * Real git for tests: a bare remote in a temp folder, an isolated git config for every child
 * process, plumbing to seed branches and to play "a person pushes", and log readers.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export interface Person {
  readonly name: string;
  readonly email: string;
}

export const TEST_PERSON: Person = { name: 'Test Person', email: 'person@example.test' };

/** process.env without the user's git config, plus a fixed identity; `extra` wins. */
export function isolatedGitEnv(
  extra: NodeJS.ProcessEnv = {},
  person: Person = TEST_PERSON,
): NodeJS.ProcessEnv {
  return {
    ...process.env,
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
    GIT_AUTHOR_NAME: person.name,
    GIT_AUTHOR_EMAIL: person.email,
    GIT_COMMITTER_NAME: person.name,
    GIT_COMMITTER_EMAIL: person.email,
    ...extra,
  };
}

/** Runs git and returns stdout (not trimmed). */
export async function git(
  cwd: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<string> {
  const { stdout } = await exec('git', [...args], {
    cwd,
    env: isolatedGitEnv(env),
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

export interface CommitOptions {
  readonly message?: string;
  /** Author and committer date. */
  readonly date?: Date;
  readonly person?: Person;
  /** When `branch` is absent: start it from this branch's head instead of an empty history. */
  readonly from?: string;
}

export interface LogEntry {
  readonly sha: string;
  readonly parents: readonly string[];
  readonly subject: string;
  /** The whole message. */
  readonly message: string;
  readonly authorName: string;
  readonly authorEmail: string;
  readonly committerName: string;
  readonly committerEmail: string;
  readonly committedAt: Date;
}

export interface TestRemote {
  /** Temp folder holding everything this remote made (bare repo, scratch clones). */
  readonly root: string;
  /** The bare repository. */
  readonly bare: string;
  /** file:// URL of the bare repository. */
  readonly url: string;
  /** A folder to use as drawbridge's workdir. */
  readonly workdir: string;
  /** Commits files (null deletes) on top of `branch` (created when absent) as a person would; returns the sha. */
  commit(
    branch: string,
    files: Readonly<Record<string, string | null>>,
    options?: CommitOptions,
  ): Promise<string>;
  head(branch: string): Promise<string | undefined>;
  readFile(branch: string, path: string): Promise<string | undefined>;
  /** Newest first. */
  log(branch: string, options?: { firstParent?: boolean }): Promise<LogEntry[]>;
  /** Runs `fn` in a fresh clone of `branch`, then pushes it (a person's workflow: revert, merge …). */
  withClone(branch: string, fn: (dir: string) => Promise<void>): Promise<void>;
  /** `git revert --no-edit <sha>` by a person, pushed to `branch`; returns the revert's sha. */
  revert(
    branch: string,
    sha: string,
    options?: CommitOptions & { readonly mainline?: number },
  ): Promise<string>;
  cleanup(): Promise<void>;
}

export async function createTestRemote(
  seed: Readonly<Record<string, Readonly<Record<string, string>>>> = {},
): Promise<TestRemote> {
  const root = await mkdtemp(join(tmpdir(), 'drawbridge-git-'));
  const bare = join(root, 'remote.git');
  await git(root, ['init', '--quiet', '--bare', '--initial-branch=main', bare]);
  const remote = makeRemote(root, bare);
  for (const [branch, files] of Object.entries(seed))
    await remote.commit(branch, files, { message: `seed ${branch}` });
  return remote;
}

function makeRemote(root: string, bare: string): TestRemote {
  let scratch = 0;
  const head = async (branch: string): Promise<string | undefined> => {
    try {
      return (await git(bare, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}^{commit}`])).trim();
    } catch {
      return undefined;
    }
  };
  const dateEnv = (options: CommitOptions): NodeJS.ProcessEnv => {
    const person = options.person ?? TEST_PERSON;
    const env: NodeJS.ProcessEnv = {
      GIT_AUTHOR_NAME: person.name,
      GIT_AUTHOR_EMAIL: person.email,
      GIT_COMMITTER_NAME: person.name,
      GIT_COMMITTER_EMAIL: person.email,
    };
    if (options.date === undefined) return env;
    const when = `@${Math.floor(options.date.getTime() / 1000)} +0000`;
    return { ...env, GIT_AUTHOR_DATE: when, GIT_COMMITTER_DATE: when };
  };

  const remote: TestRemote = {
    root,
    bare,
    url: pathToFileURL(bare).href,
    workdir: join(root, 'workdir'),
    head,
    commit: async (branch, files, options = {}) => {
      const parent =
        (await head(branch)) ?? (options.from === undefined ? undefined : await head(options.from));
      const person = options.person ?? TEST_PERSON;
      const when = `${Math.floor((options.date ?? new Date()).getTime() / 1000)} +0000`;
      const message = options.message ?? `edit ${Object.keys(files).join(', ')}`;
      const data = (text: string): string => `data ${Buffer.byteLength(text)}\n${text}\n`;
      let stream = `commit refs/heads/${branch}\nmark :1\n`;
      stream += `author ${person.name} <${person.email}> ${when}\ncommitter ${person.name} <${person.email}> ${when}\n`;
      stream += data(message);
      if (parent) stream += `from ${parent}\n`;
      for (const [path, content] of Object.entries(files)) {
        stream += content === null ? `D ${path}\n` : `M 100644 inline ${path}\n${data(content)}`;
      }
      await withStdin(bare, ['fast-import', '--quiet', '--done'], `${stream}\ndone\n`);
      const sha = await head(branch);
      if (sha === undefined) throw new Error(`fast-import did not create ${branch}`);
      return sha;
    },
    readFile: async (branch, path) => {
      try {
        return await git(bare, ['show', `refs/heads/${branch}:${path}`]);
      } catch {
        return undefined;
      }
    },
    log: async (branch, options = {}) => {
      const format = '%H%x00%P%x00%an%x00%ae%x00%cn%x00%ce%x00%ct%x00%B%x1e';
      const args = [
        'log',
        ...(options.firstParent ? ['--first-parent'] : []),
        `--format=${format}`,
        `refs/heads/${branch}`,
      ];
      const out = await git(bare, args);
      return out
        .split('\x1e')
        .map((record) => record.replace(/^\n/, ''))
        .filter((record) => record !== '')
        .map((record) => {
          const [sha = '', parents = '', an = '', ae = '', cn = '', ce = '', ct = '0', message = ''] =
            record.split('\0');
          return {
            sha,
            parents: parents.split(' ').filter(Boolean),
            subject: message.split('\n')[0] ?? '',
            message,
            authorName: an,
            authorEmail: ae,
            committerName: cn,
            committerEmail: ce,
            committedAt: new Date(Number(ct) * 1000),
          };
        });
    },
    withClone: async (branch, fn) => {
      const dir = join(root, `clone-${scratch++}`);
      await git(root, ['clone', '--quiet', '--branch', branch, bare, dir]);
      try {
        await fn(dir);
        await git(dir, ['push', '--quiet', 'origin', `HEAD:refs/heads/${branch}`]);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    revert: async (branch, sha, options = {}) => {
      let reverted = '';
      await remote.withClone(branch, async (dir) => {
        const mainline = options.mainline === undefined ? [] : ['-m', String(options.mainline)];
        await git(dir, ['revert', '--no-edit', ...mainline, sha], dateEnv(options));
        reverted = (await git(dir, ['rev-parse', 'HEAD'])).trim();
      });
      return reverted;
    },
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
  return remote;
}

async function withStdin(cwd: string, args: readonly string[], input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile('git', [...args], { cwd, env: isolatedGitEnv() }, (error, stdout, stderr) =>
      error ? reject(new Error(`git ${args[0] ?? ''} failed: ${stderr || error.message}`)) : resolve(stdout),
    );
    child.stdin?.end(input);
  });
}
