/**
 * `onFailure.revert` on an environment whose changes go through pull requests: the failing
 * commit on the branch is the merge of drawbridge's pull request, and its revert is proposed
 * in a pull request of its own, once, then left to people. Merged, the tag is refused as any
 * revert refuses it; closed without merging, drawbridge never proposes it again. Against the
 * GitHub and the GitLab emulator over a real bare remote, one `drawbridge scan` per pass.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushAged } from '../helpers/app-deployment.js';
import { STATUS_FORGES, startApiStage, startStatusFleet, type ApiStage } from '../helpers/status-stage.js';

describe.each(STATUS_FORGES)('onFailure: revert through pull requests (%s)', (forge) => {
  let stage: ApiStage;
  const scan = (...args: string[]) => stage.scan(...args);
  const prodTag = () => stage.tagIn('prod');
  const openFrom = (prefix: string) =>
    stage.hub.pullRequests('prod').filter((pr) => pr.state === 'open' && pr.head.startsWith(prefix));

  /** A new tag reaches prod: drawbridge's pull request, merged by a person. */
  async function ship(tag: string): Promise<string> {
    pushAged(stage.ecr, 'api', tag);
    const run = await scan();
    expect(run.code, run.out + run.err).toBe(0);
    const [update] = openFrom('drawbridge/prod');
    expect(update, run.out).toBeDefined();
    const merged = await stage.hub.merge(update!.number);
    expect(await prodTag()).toBe(tag);
    return merged;
  }

  beforeAll(async () => {
    stage = await startApiStage({
      forge,
      contents: 'write',
      branches: ['prod'],
      environments: `  prod:
    branch: prod
    push: { branch: drawbridge/prod, pullRequest: { labels: [deploy] } }
    onFailure: { revert: [kustomization/apps] }
    policies: { api: { semver: '^1.0.0' } }
`,
    });
  });

  afterAll(() => stage.close());

  it('proposes the revert of the failing merge once; merged, it refuses the tag', async () => {
    const merge = await ship('1.0.1');
    await stage.hub.report(merge, 'failure');

    let run = await scan();
    expect(run.code, run.out + run.err).toBe(0);
    const branch = `drawbridge-revert/prod/${merge.slice(0, 12)}`;
    const [proposal] = openFrom('drawbridge-revert/');
    expect(proposal).toMatchObject({ head: branch, title: expect.stringMatching(/^Revert "/) });
    expect(run.out).toMatch(
      new RegExp(
        `failed for ${merge.slice(0, 12)} \\(api 1\\.0\\.1\\) at \\S+: revert proposed by [0-9a-f]{12} in pull request #${proposal!.number} `,
      ),
    );
    expect(await prodTag()).toBe('1.0.1'); // nothing reverted on prod by drawbridge itself

    // The next pass finds it open and opens nothing more.
    run = await scan();
    expect(run.code, run.out + run.err).toBe(0);
    expect(stage.hub.pullRequests('prod').filter((pr) => pr.head === branch)).toHaveLength(1);

    // A person merges it: prod runs 1.0.0 again, and 1.0.1 is refused from then on.
    await stage.hub.merge(proposal!.number);
    expect(await prodTag()).toBe('1.0.0');
    run = await scan('--explain');
    expect(run.code, run.out + run.err).toBe(0);
    expect(run.out).toMatch(/rejected 1\.0\.1: reverted/);
    expect(openFrom('drawbridge/prod')).toEqual([]);
    expect(await prodTag()).toBe('1.0.0');
  });

  it('never proposes a revert again once a person closed its pull request', async () => {
    const merge = await ship('1.0.2');
    await stage.hub.report(merge, 'failure');
    let run = await scan();
    expect(run.code, run.out + run.err).toBe(0);
    const [proposal] = openFrom('drawbridge-revert/');
    expect(proposal).toBeDefined();
    await stage.hub.closePullRequest(proposal!.number);

    run = await scan('--json');
    expect(run.code, run.out + run.err).toBe(0);
    const outcome = JSON.parse(run.out.trim().split('\n')[0]!) as {
      reverts?: { commit: string; result: string; reason: string }[];
    };
    expect(outcome.reverts).toEqual([
      expect.objectContaining({
        commit: merge,
        result: 'blocked',
        reason: `revert pull request #${proposal!.number} closed without merging`,
      }),
    ]);
    expect(openFrom('drawbridge-revert/')).toEqual([]);
    expect(await prodTag()).toBe('1.0.2');
  });

  it('reverts a 150-image pull request with one pull request', async () => {
    const fleet = await startStatusFleet({
      forge,
      branches: ['prod'],
      contents: 'write',
      environments: (keys) => [
        '  prod:',
        '    branch: prod',
        '    push: { branch: drawbridge/prod, pullRequest: {} }',
        '    onFailure: { revert: [kustomization/apps] }',
        '    policies:',
        ...keys.map((key) => `      ${key}: { semver: '^1.0.0' }`),
      ],
    });
    const open = (prefix: string) =>
      fleet.pullRequests('prod').filter((pr) => pr.state === 'open' && pr.head.startsWith(prefix));
    try {
      let run = await fleet.scan();
      expect(run.code, run.out + run.err).toBe(0);
      const [update] = open('drawbridge/prod');
      const merge = await fleet.merge(update!.number);
      await fleet.report(merge, 'failure');
      fleet.resetCalls();
      run = await fleet.scan();
      expect(run.code, run.out + run.err).toBe(0);
      expect(fleet.statusReads()).toBe(1);
      expect(run.out).toMatch(/\(svc-0 1\.0\.1, .* and 145 more\) at \S+: revert proposed/);
      const proposals = open('drawbridge-revert/');
      expect(proposals).toHaveLength(1);
      await fleet.merge(proposals[0]!.number);
      run = await fleet.scan();
      expect(run.code, run.out + run.err).toBe(0);
      for (const key of [fleet.keys[0]!, fleet.keys[149]!])
        expect(await fleet.remote.readFile('prod', `apps/${key}.yaml`)).toContain(':1.0.0 #');
      expect(open('drawbridge/')).toEqual([]);
    } finally {
      await fleet.close();
    }
  });
});
