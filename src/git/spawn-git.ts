/**
 * One git process, run to completion: stdout and stderr collected, stdin closed, killed when
 * it prints nothing for `idleTimeoutMs`. Both the in-process runner and the launcher's child
 * (`launcher-child.ts`) run git through this, so they behave alike.
 */
import { spawn } from 'node:child_process';

export interface GitInvocation {
  readonly cwd: string;
  readonly args: readonly string[];
  /** The child's whole environment (not merged with process.env). */
  readonly env: NodeJS.ProcessEnv;
  readonly idleTimeoutMs: number;
}

export type GitExit =
  | { readonly ok: true; readonly exitCode: number; readonly stdout: Buffer; readonly stderr: Buffer }
  /** git did not run to an exit code: it could not be started, or it was stopped. */
  | { readonly ok: false; readonly message: string };

export function spawnGit(invocation: GitInvocation): Promise<GitExit> {
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn('git', [...invocation.args], {
        cwd: invocation.cwd,
        env: invocation.env,
        stdio: ['ignore', 'pipe', 'pipe'],
        windowsHide: true,
      });
    } catch (error) {
      // Arguments node refuses outright (a NUL byte, for one) throw before any process starts.
      resolve({
        ok: false,
        message: `git could not be started: ${error instanceof Error ? error.message : String(error)}`,
      });
      return;
    }
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let stopped: string | undefined;
    let timer: NodeJS.Timeout | undefined;
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        stopped = `git ${invocation.args.find((arg) => !arg.startsWith('-')) ?? ''} printed nothing for ${Math.round(invocation.idleTimeoutMs / 1000)} s and was stopped`;
        // Answer once git is gone, not when its pipes close: a program git started may hold them.
        child.once('exit', () => resolve({ ok: false, message: stopped ?? 'git was stopped' }));
        child.kill('SIGKILL');
      }, invocation.idleTimeoutMs);
    };
    arm();
    child.stdout.on('data', (chunk: Buffer) => {
      stdout.push(chunk);
      arm();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr.push(chunk);
      arm();
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      stopped ??= `git could not be started: ${error.message}`;
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (stopped !== undefined || code === null) {
        resolve({ ok: false, message: stopped ?? `git was killed by ${signal ?? 'a signal'}` });
        return;
      }
      resolve({ ok: true, exitCode: code, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr) });
    });
  });
}
