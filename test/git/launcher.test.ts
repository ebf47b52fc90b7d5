/**
 * Git started from the launcher's child process behaves as git started here: output, exit
 * codes, refusals, the idle timeout; a child that dies fails only the commands it was running.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitLauncher, inProcessGit, type GitLauncher } from '../../src/git/launcher.js';
import { GitProcessError, runGit } from '../../src/git/run.js';
import { git, isolatedGitEnv } from '../helpers/git.js';

const env = isolatedGitEnv();
let root: string;
let launcher: GitLauncher;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'drawbridge-launcher-'));
  await git(root, ['init', '--quiet', '--initial-branch=main']);
  await git(root, ['commit', '--quiet', '--allow-empty', '-m', 'first']);
  launcher = createGitLauncher();
});

afterAll(async () => {
  await launcher.close();
  await rm(root, { recursive: true, force: true });
});

describe.each([
  ['the launcher', () => launcher.spawn],
  ['this process', () => inProcessGit],
])('git started from %s', (_where, spawner) => {
  it('returns stdout, and a non-zero exit as GitProcessError with both streams', async () => {
    expect(await runGit(root, ['log', '-1', '--format=%s'], { env, spawner: spawner() })).toBe('first\n');
    const error = await runGit(root, ['rev-parse', '--verify', 'no-such-ref'], {
      env,
      spawner: spawner(),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitProcessError);
    expect((error as GitProcessError).exitCode).toBe(128);
    expect((error as GitProcessError).stderr).toContain('Needed a single revision');
  });

  it('stops a git that prints nothing for the idle timeout', async () => {
    const args = ['-c', 'alias.slow=!sleep 5', 'slow'];
    await expect(runGit(root, args, { env, idleTimeoutMs: 200, spawner: spawner() })).rejects.toThrow(
      /printed nothing for 0 s and was stopped/,
    );
  });

  it('runs hundreds of commands side by side, each answered with its own output', async () => {
    const many = Array.from({ length: 200 }, (_, i) =>
      runGit(root, ['-c', `drawbridge.n=${i}`, 'config', 'drawbridge.n'], { env, spawner: spawner() }),
    );
    expect(await Promise.all(many)).toEqual(Array.from({ length: 200 }, (_, i) => `${i}\n`));
  });
});

describe('runGit refuses arguments that can only come from outside data', () => {
  it.each([['1.0.0\0'], ['--upload-pack=touch /tmp/pwned'], ['--receive-pack=x'], ['--exec=x']])(
    '%j',
    async (arg) => {
      await expect(runGit(root, ['log', arg], { env })).rejects.toThrow(
        /refused to run git with the argument/,
      );
    },
  );
});

describe('the launcher process', () => {
  it('fails the commands running when it dies, and starts again for the next one', async () => {
    const before = new Set(await childPids());
    const own = createGitLauncher();
    try {
      const slow = runGit(root, ['-c', 'alias.slow=!sleep 2', 'slow'], { env, spawner: own.spawn });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const pids = (await childPids()).filter((pid) => !before.has(pid));
      for (const pid of pids) process.kill(pid, 'SIGKILL');
      expect(pids.length).toBe(1);
      await expect(slow).rejects.toThrow(/the git launcher process ended/);
      expect(await runGit(root, ['log', '-1', '--format=%s'], { env, spawner: own.spawn })).toBe('first\n');
    } finally {
      await own.close();
    }
  });

  it('ends its child on close, and runs git in this process after that', async () => {
    const before = await childPids();
    const own = createGitLauncher();
    expect(await runGit(root, ['log', '-1', '--format=%s'], { env, spawner: own.spawn })).toBe('first\n');
    await own.close();
    expect(await childPids()).toEqual(before);
    expect(await runGit(root, ['log', '-1', '--format=%s'], { env, spawner: own.spawn })).toBe('first\n');
  });

  it('lets a process whose last work is closing it end normally (exit 0, not 13)', async () => {
    // A process with nothing else to keep it alive: an unref'd launcher child must be held
    // again while close() waits for it, or Node ends with an unsettled await.
    const script = [
      `import { createGitLauncher } from ${JSON.stringify(new URL('../../src/git/launcher.ts', import.meta.url).href)};`,
      `import { runGit } from ${JSON.stringify(new URL('../../src/git/run.ts', import.meta.url).href)};`,
      'const launcher = createGitLauncher();',
      `await runGit(${JSON.stringify(root)}, ['log', '-1', '--format=%s'], { env: process.env, spawner: launcher.spawn });`,
      'await launcher.close();',
      "process.stdout.write('closed');",
    ].join('\n');
    const { execFile } = await import('node:child_process');
    const result = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '--eval', script],
        { env },
        (error, stdout) => resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout }),
      );
      child.stdin?.end();
    });
    expect(result).toEqual({ code: 0, stdout: 'closed' });
  });
});

/** This process's children running the launcher's child module. */
async function childPids(): Promise<number[]> {
  const { readdir, readFile } = await import('node:fs/promises');
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (parent !== process.pid) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes('launcher-child')) pids.push(Number(entry));
  }
  return pids;
}
