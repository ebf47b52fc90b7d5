/** What a command may touch of the process, passed in so tests can capture it. */
export interface CliIO {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Standard input, for commands that read `-`; absent in tests that give none. */
  readonly stdin?: NodeJS.ReadableStream;
}

export function processIO(): CliIO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    stdin: process.stdin,
  };
}

/** Exit codes of SPEC §6: 0 success (changes or none), 1 runtime failure, 2 bad config or usage. */
export type ExitCode = 0 | 1 | 2;
