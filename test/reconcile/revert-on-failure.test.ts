/**
 * `onFailure.revert` end to end through `drawbridge scan`, one process per pass as a CI job
 * runs it: the ECR emulator, a real bare remote and the GitHub or the GitLab emulator, where
 * "Flux" posts commit statuses through the real Octokit or gitbeaker client
 * (test/helpers/status-stage.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushAged } from '../helpers/app-deployment.js';
import { runCli } from '../../src/cli/program.js';
import { captureIO } from '../helpers/io.js';
import {
  STATUS_FORGES,
  startApiStage,
  startStatusFleet,
  statusEnv,
  type ApiStage,
} from '../helpers/status-stage.js';

describe.each(STATUS_FORGES)('onFailure: revert (%s)', (forge) => {
  let stage: ApiStage;
  const scan = (...args: string[]) => stage.scan(...args);
  const stagingTag = () => stage.tagIn('staging');
  const report = async (state: 'success' | 'failure'): Promise<string> => {
    const sha = (await stage.remote.head('staging'))!;
    await stage.hub.report(sha, state);
    return sha;
  };

  beforeAll(async () => {
    stage = await startApiStage({
      forge,
      contents: 'write',
      branches: ['staging'],
      environments: `  staging:
    branch: staging
    onFailure: { revert: [kustomization/apps] }
    policies: { api: { semver: '^1.0.0' } }
`,
    });
  });

  afterAll(() => stage.close());

  it("reverts drawbridge's commit whose deployment failed, once, and the revert refuses the tag", async () => {
    pushAged(stage.ecr, 'api', '1.0.1');
    let run = await scan();
    expect(run.code, run.out + run.err).toBe(0);
    expect(await stagingTag()).toBe('1.0.1');
    const failing = await report('failure');

    // `status` (a dry run) says what the next pass will do about it.
    const io = captureIO({ env: statusEnv, cwd: stage.remote.root });
    expect(await runCli(['status', '--config', stage.configFile], io), io.err()).toBe(0);
    expect(io.out()).toMatch(
      new RegExp(
        `^staging: kustomization/apps/4f9c2a1b failed for ${failing.slice(0, 12)} \\(api 1\\.0\\.1\\) at \\S+: would be reverted$`,
        'm',
      ),
    );

    // A new process: the failure is read, the commit reverted with git's message, 1.0.1 refused.
    run = await scan('--explain');
    expect(run.code, run.out + run.err).toBe(0);
    expect(await stagingTag()).toBe('1.0.0');
    const [revert] = await stage.remote.log('staging');
    expect(revert?.message).toContain(`This reverts commit ${failing}.`);
    expect(run.out).toMatch(/rejected 1\.0\.1: reverted/);

    // Never twice: the next pass leaves it, even after a person undoes the revert.
    await stage.remote.revert('staging', (await stage.remote.head('staging'))!);
    expect(await stagingTag()).toBe('1.0.1');
    run = await scan();
    expect(run.code, run.out + run.err).toBe(0);
    expect(await stagingTag()).toBe('1.0.1');
  });

  it("leaves a failing commit alone when a person's later commit changed the same file", async () => {
    pushAged(stage.ecr, 'api', '1.0.2');
    let run = await scan();
    expect(run.code, run.out + run.err).toBe(0);
    expect(await stagingTag()).toBe('1.0.2');
    const failing = await report('failure');
    const text = (await stage.remote.readFile('staging', 'apps/app.yaml'))!;
    const person = await stage.remote.commit(
      'staging',
      { 'apps/app.yaml': `${text}# tuned by a person\n` },
      { message: 'tune' },
    );
    run = await scan('--json');
    expect(run.code, run.out + run.err).toBe(0);
    expect(await stage.remote.head('staging')).toBe(person);
    const outcome = JSON.parse(run.out.trim().split('\n')[0]!) as {
      reverts?: { commit: string; result: string; reason: string }[];
    };
    expect(outcome.reverts).toEqual([
      expect.objectContaining({
        commit: failing,
        result: 'blocked',
        reason: expect.stringContaining(person),
      }),
    ]);
    expect(await stagingTag()).toBe('1.0.2');
  });

  it('reverts one commit of 150 images on one failure, reading its statuses once', async () => {
    const fleet = await startStatusFleet({
      forge,
      branches: ['staging'],
      contents: 'write',
      environments: (keys) => [
        '  staging:',
        '    branch: staging',
        '    onFailure: { revert: [kustomization/apps] }',
        '    policies:',
        ...keys.map((key) => `      ${key}: { semver: '^1.0.0' }`),
      ],
    });
    try {
      let run = await fleet.scan();
      expect(run.code, run.out + run.err).toBe(0);
      expect(run.out).toMatch(/^staging \(staging\): committed [0-9a-f]{12}, 150 updates$/m);
      const failing = (await fleet.remote.head('staging'))!;
      await fleet.report(failing, 'failure');
      fleet.resetCalls();
      run = await fleet.scan();
      expect(run.code, run.out + run.err).toBe(0);
      // One commit, one status read, one revert for all 150 images; every tag refused after it.
      expect(fleet.statusReads()).toBe(1);
      expect(run.out).toMatch(
        /kustomization\/apps\/4f9c2a1b failed for [0-9a-f]{12} \(svc-0 1\.0\.1, .* and 145 more\) at \S+: reverted by [0-9a-f]{12}/,
      );
      expect(run.out).toMatch(/^staging \(staging\): up to date/m);
      const [revert] = await fleet.remote.log('staging');
      expect(revert?.message).toContain(`This reverts commit ${failing}.`);
      for (const key of [fleet.keys[0]!, fleet.keys[149]!])
        expect(await fleet.remote.readFile('staging', `apps/${key}.yaml`)).toContain(':1.0.0 #');
      // The next process: nothing reverted twice, nothing committed.
      const head = await fleet.remote.head('staging');
      run = await fleet.scan();
      expect(run.code, run.out + run.err).toBe(0);
      expect(await fleet.remote.head('staging')).toBe(head);
    } finally {
      await fleet.close();
    }
  });
});
