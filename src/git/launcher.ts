/**
 * Where git processes are started. Starting a process from Node forks the whole process
 * first, and the cost of a fork grows with the process's memory: in a daemon holding large
 * ECR listings, each fork blocked the event loop for 20–30 ms, and the copy-on-write faults
 * that follow a fork cost the process further time. A pass over 20 repositories starts
 * hundreds of git processes, so drawbridge starts them from a small child process instead,
 * which forks cheaply, and exchanges arguments and output with it over the IPC channel.
 *
 * `inProcessGit` starts git directly (for one-off commands and tests); `createGitLauncher`
 * starts the child on first use, keeps the parent alive only while a command is running,
 * starts a new child if one dies (the commands it was running fail), and is closed with the
 * runtime.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { spawnGit, type GitExit, type GitInvocation } from './spawn-git.js';

export interface LauncherRequest extends GitInvocation {
  readonly id: number;
}

export interface LauncherAnswer {
  readonly id: number;
  readonly exit: GitExit;
}

/** Runs one git command to completion. */
export type GitSpawner = (invocation: GitInvocation) => Promise<GitExit>;

export const inProcessGit: GitSpawner = spawnGit;

export interface GitLauncher {
  readonly spawn: GitSpawner;
  close(): Promise<void>;
}

export function createGitLauncher(): GitLauncher {
  let child: ChildProcess | undefined;
  let ready: Promise<ChildProcess> | undefined;
  let nextId = 1;
  let closed = false;
  const pending = new Map<number, { resolve: (exit: GitExit) => void; child: ChildProcess }>();

  let drained: (() => void) | undefined;
  const hold = (host: ChildProcess): void => {
    if (pending.size > 0) {
      host.ref();
      host.channel?.ref();
      return;
    }
    host.unref();
    host.channel?.unref();
    drained?.();
  };

  const start = (): Promise<ChildProcess> => {
    const { entry, execArgv } = childEntry();
    const started = fork(entry, [], {
      execArgv,
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child = started;
    started.on('message', (message: LauncherAnswer | { ready: true }) => {
      if (!('id' in message)) return;
      const waiting = pending.get(message.id);
      pending.delete(message.id);
      waiting?.resolve(message.exit);
      hold(started);
    });
    started.once('exit', (code, signal) => {
      if (child === started) {
        child = undefined;
        ready = undefined;
      }
      for (const [id, waiting] of pending) {
        if (waiting.child !== started) continue;
        pending.delete(id);
        waiting.resolve({
          ok: false,
          message: `the git launcher process ended (${signal ?? `exit code ${code ?? '?'}`}) while git ran`,
        });
      }
    });
    return new Promise((resolve, reject) => {
      started.once('error', reject);
      started.once('message', () => resolve(started));
      started.once('exit', () => reject(new Error('the git launcher process ended while starting')));
    });
  };

  return {
    async spawn(invocation) {
      if (closed) return inProcessGit(invocation);
      ready ??= start();
      let host: ChildProcess;
      try {
        host = await ready;
      } catch (error) {
        ready = undefined;
        return { ok: false, message: `the git launcher could not start: ${String(error)}` };
      }
      const id = nextId++;
      return new Promise<GitExit>((resolve) => {
        pending.set(id, { resolve, child: host });
        hold(host);
        const request: LauncherRequest = { id, ...invocation, args: [...invocation.args] };
        host.send(request, (error) => {
          if (error === null || !pending.has(id)) return;
          pending.delete(id);
          hold(host);
          resolve({ ok: false, message: `git could not be handed to the launcher: ${error.message}` });
        });
      });
    },
    async close() {
      closed = true;
      // Commands already handed over finish first (new ones run in this process).
      if (pending.size > 0) await new Promise<void>((resolve) => (drained = resolve));
      const running = child;
      child = undefined;
      ready = undefined;
      if (running === undefined || running.exitCode !== null) return;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      // An idle launcher is unref'd; held again, or a process with nothing else to do ends
      // (exit code 13, an unsettled await) before the child's exit is seen.
      running.ref();
      running.disconnect();
      await exited;
    },
  };
}

/**
 * The child's module: the built `launcher-child.js` beside this one, or, when this module
 * runs from TypeScript sources (tests, benchmarks), `launcher-child.ts` behind tsx's loader.
 */
function childEntry(): { entry: string; execArgv: string[] } {
  if (!import.meta.url.endsWith('.ts'))
    return { entry: fileURLToPath(new URL('./launcher-child.js', import.meta.url)), execArgv: [] };
  let tsx = 'tsx';
  try {
    tsx = import.meta.resolve(tsx);
  } catch {
    // Left bare: resolved from the working directory.
  }
  return {
    entry: fileURLToPath(new URL('./launcher-child.ts', import.meta.url)),
    execArgv: ['--import', tsx],
  };
}
