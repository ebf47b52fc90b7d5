import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { isolatedGitEnv } from '../helpers/git.js';
import { captureIO } from '../helpers/io.js';
import { deployment, startFleet, writeConfigFile, type Fleet } from '../helpers/fleet.js';

const DAY = 86_400_000;
const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
let fleet: Fleet;
let podinfo: string;
let file: string;
let env: NodeJS.ProcessEnv;

beforeEach(async () => {
  fleet = await startFleet({});
  podinfo = fleet.emulator.ecr.createRepository('podinfo');
  const old = new Date(Date.now() - 3 * DAY);
  fleet.emulator.ecr.pushImage({ repository: 'podinfo', tags: ['6.0.0'], pushedAt: old });
  fleet.emulator.ecr.pushImage({
    repository: 'podinfo',
    tags: ['6.0.1', 'latest'],
    pushedAt: new Date(old.getTime() + DAY),
  });
  fleet.emulator.ecr.pushImage({ repository: 'podinfo', tags: ['6.0.2'], pushedAt: new Date() });
  await fleet.remote.commit('dev', { 'apps/podinfo.yaml': deployment('podinfo', `${podinfo}:6.0.0`) });
  file = await writeConfigFile(
    fleet,
    `images:
  podinfo: { repository: ${podinfo} }
environments:
  dev:
    branch: dev
    policies:
      podinfo: { semver: '^6.0.0', minAge: 1h }
`,
  );
  env = isolatedGitEnv({ AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'test-secret' });
});

afterEach(async () => {
  await fleet.close();
});

describe('drawbridge scan and status against the emulator and a real remote', () => {
  it('scan --dry-run --explain prints candidates, the choice with reasons and the diff, and pushes nothing', async () => {
    const head = await fleet.remote.head('dev');
    const io = captureIO({ env, cwd: fleet.remote.root });
    expect(await runCli(['scan', '--config', file, '--dry-run', '--explain'], io)).toBe(0);
    const out = io.out();
    expect(out).toContain('dev (dev): would commit 1 update (dry run)');
    expect(out).toContain('podinfo  6.0.0 → 6.0.1');
    expect(out).toContain('choice: 6.0.1');
    expect(out).toMatch(/rejected 6\.0\.2: too-young/);
    expect(out).toMatch(/rejected latest: not-semver/);
    expect(out).toContain(`+          image: ${podinfo}:6.0.1`);
    expect(await fleet.remote.head('dev')).toBe(head);
  });

  it('scan --json prints one object per environment, then status shows the state and why', async () => {
    const io = captureIO({ env, cwd: fleet.remote.root });
    expect(await runCli(['scan', '--config', file, '--json'], io)).toBe(0);
    const lines = io
      .out()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      environment: 'dev',
      status: 'committed',
      updates: [{ image: 'podinfo', old: '6.0.0', new: '6.0.1' }],
    });

    const status = captureIO({ env, cwd: fleet.remote.root });
    expect(await runCli(['status', '--config', file], status)).toBe(0);
    expect(status.out()).toMatch(/dev\s+podinfo\s+6\.0\.1\s+6\.0\.1\s+up to date; 6\.0\.2 too-young: pushed/);
  });

  it('exits 2 naming the known environments for an unknown --env', async () => {
    const io = captureIO({ env, cwd: fleet.remote.root });
    expect(await runCli(['scan', '--config', file, '--env', 'prod'], io)).toBe(2);
    expect(io.err()).toContain('known environments: dev');
  });

  it('converges after scans killed with SIGKILL at any point: nothing half-pushed, one commit', async () => {
    for (const delay of [400, 1200, 2500]) {
      const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'scan', '--config', file], {
        env,
        cwd: fleet.remote.root,
        stdio: 'ignore',
      });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      await new Promise((resolve) => setTimeout(resolve, delay));
      child.kill('SIGKILL');
      await exited;
    }
    const io = captureIO({ env, cwd: fleet.remote.root });
    expect(await runCli(['scan', '--config', file], io)).toBe(0);
    const log = await fleet.remote.log('dev');
    expect(log.filter((entry) => entry.authorName === 'drawbridge')).toHaveLength(1);
    expect(await fleet.remote.readFile('dev', 'apps/podinfo.yaml')).toBe(
      deployment('podinfo', `${podinfo}:6.0.1`),
    );
    const again = captureIO({ env, cwd: fleet.remote.root });
    expect(await runCli(['scan', '--config', file], again)).toBe(0);
    expect(again.out()).toContain('dev (dev): up to date');
  });
});
