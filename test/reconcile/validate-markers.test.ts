import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { isolatedGitEnv } from '../helpers/git.js';
import { captureIO } from '../helpers/io.js';
import { deployment, PODINFO_DEV, startFleet, writeConfigFile, type Fleet } from '../helpers/fleet.js';

let fleet: Fleet;

beforeEach(async () => {
  fleet = await startFleet({});
});

afterEach(async () => {
  await fleet.close();
});

describe('drawbridge validate checks the markers in every environment', () => {
  it('exits 0 and counts the markers when they all name known images', async () => {
    await fleet.remote.commit('dev', { 'apps/podinfo.yaml': deployment('podinfo', 'x/podinfo:6.0.0') });
    const file = await writeConfigFile(fleet, PODINFO_DEV);
    const io = captureIO({ env: isolatedGitEnv(), cwd: fleet.remote.root });
    expect(await runCli(['validate', '--config', file], io)).toBe(0);
    expect(io.out()).toContain('markers: 1 marker in 1 file across 1 environment');
  });

  it('exits 2 naming file, line and column of a marker for an image not in the config', async () => {
    await fleet.remote.commit('dev', {
      'apps/podinfo.yaml': deployment('podinfo', 'x/podinfo:6.0.0'),
      'apps/web.yaml': deployment('web', 'x/web:1.0.0'),
    });
    const file = await writeConfigFile(fleet, PODINFO_DEV);
    const io = captureIO({ env: isolatedGitEnv(), cwd: fleet.remote.root });
    expect(await runCli(['validate', '--config', file], io)).toBe(2);
    expect(io.err()).toMatch(/error: \[dev\] apps\/web\.yaml:10:\d+ .*"web"/);
  });

  it('exits 2 when an environment branch does not exist', async () => {
    await fleet.remote.commit('main', { 'README.md': 'x' });
    const file = await writeConfigFile(fleet, PODINFO_DEV);
    const io = captureIO({ env: isolatedGitEnv(), cwd: fleet.remote.root });
    expect(await runCli(['validate', '--config', file], io)).toBe(2);
    expect(io.err()).toContain('branch dev does not exist on the remote');
  });
});
