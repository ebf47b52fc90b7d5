/**
 * `promote.healthy` end to end (SPEC §11) through `drawbridge scan`, one process per pass as a
 * CI job runs it: the ECR emulator, a real bare remote with staging and prod branches, and the
 * GitHub or the GitLab emulator in front of it, where "Flux" posts commit statuses through the
 * real Octokit or gitbeaker client. A tag new in staging waits for its status; a success there promotes it to prod; a
 * failure refuses it, and --explain says which context, commit and time decided.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushAged } from '../helpers/app-deployment.js';
import {
  STATUS_FORGES,
  healthyPromotion,
  startApiStage,
  startStatusFleet,
  type ApiStage,
} from '../helpers/status-stage.js';

describe.each(STATUS_FORGES)('promotion gated on commit statuses (%s)', (forge) => {
  let stage: ApiStage;
  const scan = (...args: string[]) => stage.scan(...args);

  async function report(branch: string, state: 'success' | 'failure' | 'pending'): Promise<string> {
    const sha = (await stage.remote.head(branch))!;
    await stage.hub.report(sha, state);
    return sha;
  }

  const prodTag = () => stage.tagIn('prod');

  beforeAll(async () => {
    stage = await startApiStage({
      forge,
      contents: 'read',
      branches: ['staging', 'prod'],
      environments: `  staging:
    branch: staging
    policies: { api: { semver: '^1.0.0' } }
  prod:
    branch: prod
    policies: { api: { promote: { from: staging, after: 0s, healthy: [kustomization/apps] } } }
`,
    });
  });

  afterAll(() => stage.close());

  it('waits for the status, promotes on success, refuses on failure, and explains each', async () => {
    // 1.0.1 reaches staging; nothing has reported on it (nor on the seed), so prod waits.
    pushAged(stage.ecr, 'api', '1.0.1');
    let run = await scan('--explain');
    expect(run.code, run.out + run.err).toBe(0);
    expect(run.out).toMatch(/^staging \(staging\): committed [0-9a-f]{12}, 1 update$/m);
    expect(run.out).toMatch(
      /rejected 1\.0\.1: awaiting-health \(waiting for kustomization\/apps to report for [0-9a-f]{12} in staging\)/,
    );
    expect(await prodTag()).toBe('1.0.0');

    // Still pending: still waiting, in a new process.
    await report('staging', 'pending');
    run = await scan('--explain');
    expect(run.code, run.out + run.err).toBe(0);
    expect(run.out).toMatch(
      /rejected 1\.0\.1: awaiting-health \(kustomization\/apps\/4f9c2a1b reported pending for [0-9a-f]{12} in staging at \d{4}-/,
    );
    expect(await prodTag()).toBe('1.0.0');

    // Flux reports success for the commit that brought 1.0.1: prod gets it.
    const healthy = await report('staging', 'success');
    run = await scan();
    expect(run.code, run.out + run.err).toBe(0);
    expect(run.out).toMatch(/^prod \(prod\): committed [0-9a-f]{12}, 1 update$/m);
    expect(await prodTag()).toBe('1.0.1');
    // --explain names the report that made it healthy.
    run = await scan('--explain');
    expect(run.out).toContain(
      `choice: 1.0.1 — 1.0.1: went live last of 2 live in staging (1 awaiting health); kustomization/apps/4f9c2a1b reported success for ${healthy.slice(0, 12)} in staging at `,
    );

    // 1.0.2 reaches staging and fails there: prod keeps 1.0.1, and says why.
    pushAged(stage.ecr, 'api', '1.0.2');
    run = await scan();
    expect(run.code, run.out + run.err).toBe(0);
    const failed = await report('staging', 'failure');
    expect(failed).not.toBe(healthy);
    run = await scan('--explain');
    expect(run.code, run.out + run.err).toBe(0);
    expect(run.out).toContain(`1.0.2`);
    expect(run.out).toMatch(
      new RegExp(
        `rejected 1\\.0\\.2: unhealthy \\(kustomization/apps/4f9c2a1b reported failure for ${failed.slice(0, 12)} in staging at \\d{4}-`,
      ),
    );
    expect(await prodTag()).toBe('1.0.1');
    expect(run.out).toMatch(/^prod \(prod\): up to date/m);
  });

  it('promotes a fleet of 150 images on one status, reading each commit’s statuses once', async () => {
    const fleet = await startStatusFleet({
      forge,
      branches: ['staging', 'prod'],
      contents: 'read',
      environments: (keys) => healthyPromotion(keys),
    });
    const fleetScan = () => fleet.scan();
    const keys = fleet.keys;
    try {
      let run = await fleetScan();
      expect(run.code, run.out + run.err).toBe(0);
      expect(run.out).toMatch(/^staging \(staging\): committed [0-9a-f]{12}, 150 updates$/m);
      expect(run.out).toMatch(/^prod \(prod\): up to date/m);
      // The seed and the staging commit: two commits, each read once for all 150 images.
      expect(fleet.statusReads()).toBe(2);

      await fleet.report((await fleet.remote.head('staging'))!, 'success');
      fleet.resetCalls();
      run = await fleetScan();
      expect(run.code, run.out + run.err).toBe(0);
      expect(run.out).toMatch(/^prod \(prod\): committed [0-9a-f]{12}, 150 updates$/m);
      expect(fleet.statusReads()).toBe(1);
      for (const key of keys.slice(0, 3))
        expect(await fleet.remote.readFile('prod', `apps/${key}.yaml`)).toContain(':1.0.1 #');
    } finally {
      await fleet.close();
    }
  });
});
