/**
 * The one place that spawns git: simple-git over the real binary, an explicit working
 * directory and environment per call. Every other git module calls `runGit`.
 */
import { GitError as SimpleGitError, simpleGit, type SimpleGitOptions } from 'simple-git';

/** A git process that exited non-zero; stdout and stderr kept for classification. */
// Extends simple-git's error class so simple-git passes it through instead of wrapping it.
export class GitProcessError extends SimpleGitError {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;

  constructor(exitCode: number, stdout: string, stderr: string) {
    super(undefined, stderr.trim() || stdout.trim() || `git exited with code ${exitCode}`);
    this.name = 'GitProcessError';
    this.exitCode = exitCode;
    this.stdout = stdout;
    this.stderr = stderr;
  }
}

export interface RunGitOptions {
  /** The child's whole environment (not merged with process.env). */
  readonly env: NodeJS.ProcessEnv;
  /** Kill git after this long without output; default 2 minutes. */
  readonly idleTimeoutMs?: number;
}

/**
 * drawbridge itself sets GIT_SSH_COMMAND, GIT_CONFIG_COUNT/KEY/VALUE (token header),
 * GIT_CONFIG_GLOBAL (tests), core.hooksPath (off) and gpg programs from its own config, never from untrusted
 * input, so simple-git's guards against those are lifted here and nowhere else.
 */
const TRUSTED: Partial<SimpleGitOptions['unsafe']> = {
  allowUnsafeSshCommand: true,
  allowUnsafeConfigEnvCount: true,
  allowUnsafeConfigPaths: true,
  allowUnsafeAskPass: true,
  allowUnsafeGpgProgram: true,
  // Only ever set to /dev/null, to keep hooks out of drawbridge's own commits.
  allowUnsafeHooksPath: true,
};

/** Editors, pagers and diff/proxy programs are never wanted from a non-interactive git. */
const DROPPED_ENV: ReadonlySet<string> = new Set([
  'editor',
  'visual',
  'pager',
  'prefix',
  'git_editor',
  'git_sequence_editor',
  'git_pager',
  'git_external_diff',
  'git_proxy_command',
  'git_template_dir',
  'git_exec_path',
]);

export function childEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !DROPPED_ENV.has(key.toLowerCase())));
}

export async function runGit(cwd: string, args: readonly string[], options: RunGitOptions): Promise<string> {
  const git = simpleGit({
    baseDir: cwd,
    binary: 'git',
    maxConcurrentProcesses: 1,
    trimmed: false,
    timeout: { block: options.idleTimeoutMs ?? 120_000 },
    unsafe: TRUSTED,
    errors: (error, result) => {
      if (result.exitCode === 0) return error;
      return new GitProcessError(
        result.exitCode,
        Buffer.concat(result.stdOut).toString('utf8'),
        Buffer.concat(result.stdErr).toString('utf8') || (error instanceof Error ? error.message : ''),
      );
    },
  });
  return git
    .env(childEnv(options.env))
    .outputHandler((_command, stdout) => {
      // simple-git waits a further 50 ms after a command that printed nothing, in case output
      // is still in flight (its completion detection). Once stdout has ended nothing is, so
      // mark it as having spoken: git commands that succeed silently (add, commit --quiet,
      // reset, update-ref, a fetch with nothing new) then cost their own time, not +50 ms.
      stdout.once('end', () => stdout.emit('data', Buffer.alloc(0)));
    })
    .raw([...args]);
}
