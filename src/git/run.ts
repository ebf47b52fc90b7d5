/**
 * The one place that runs git: the real binary, an explicit working directory and environment
 * per call, started where the caller's spawner says (the runtime's launcher child, or this
 * process). Every other git module calls `runGit`.
 */
import { inProcessGit, type GitSpawner } from './launcher.js';

/** A git process that exited non-zero; stdout and stderr kept for classification. */
export class GitProcessError extends Error {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;

  constructor(exitCode: number, stdout: string, stderr: string) {
    super(stderr.trim() || stdout.trim() || `git exited with code ${exitCode}`);
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
  /** Where git is started; default this process (the runtime passes its launcher). */
  readonly spawner?: GitSpawner;
}

/**
 * Options that make git run a program named by its value. drawbridge never passes them, so
 * one in the arguments can only have come from outside data: refused before git starts.
 */
const PROGRAM_OPTIONS = ['--upload-pack', '--receive-pack', '--exec', '-u'];

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

/**
 * glibc's malloc hands the top of the heap back to the kernel as soon as it is free, and git
 * allocates and frees zlib's buffers for every object it writes or packs, so each object
 * costs fresh page faults. On a virtual machine those dominate: `git add` of 1,000 changed
 * files took 364 ms (300 ms of it system time) and 59 ms with these settings; four add +
 * commit + push runs side by side took 5.9 s and 1.2–1.7 s. git processes are short-lived,
 * so keeping their freed memory costs nothing. Unset when the caller sets GLIBC_TUNABLES;
 * other C libraries ignore it.
 */
export const GIT_MALLOC_TUNABLES = 'glibc.malloc.trim_threshold=268435456:glibc.malloc.top_pad=16777216';

export function childEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const kept = Object.entries(env).filter(([key]) => !DROPPED_ENV.has(key.toLowerCase()));
  return { GLIBC_TUNABLES: GIT_MALLOC_TUNABLES, ...Object.fromEntries(kept) };
}

export async function runGit(cwd: string, args: readonly string[], options: RunGitOptions): Promise<string> {
  const refused = args.find(
    (arg) =>
      arg.includes('\0') || PROGRAM_OPTIONS.some((option) => arg === option || arg.startsWith(`${option}=`)),
  );
  if (refused !== undefined) {
    throw new Error(
      `refused to run git with the argument ${JSON.stringify(refused.slice(0, 80))}: it can only have come from outside data`,
    );
  }
  const spawner = options.spawner ?? inProcessGit;
  const exit = await spawner({
    cwd,
    args,
    env: childEnv(options.env),
    idleTimeoutMs: options.idleTimeoutMs ?? 120_000,
  });
  if (!exit.ok) throw new Error(exit.message);
  const stdout = exit.stdout.toString('utf8');
  if (exit.exitCode !== 0) throw new GitProcessError(exit.exitCode, stdout, exit.stderr.toString('utf8'));
  return stdout;
}
