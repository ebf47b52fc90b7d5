import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Workspace } from '../../src/git/workspace.js';
import { createLogger } from '../../src/log/logger.js';
import { createReconciler } from '../../src/reconcile.js';
import { deployment, PODINFO_DEV, startFleet, type Fleet } from '../helpers/fleet.js';

const DAY = 86_400_000;
let fleet: Fleet;
let podinfo: string;

beforeEach(async () => {
  fleet = await startFleet({});
  podinfo = fleet.emulator.ecr.createRepository('podinfo');
  const old = new Date(Date.now() - 2 * DAY);
  fleet.emulator.ecr.pushImage({ repository: 'podinfo', tags: ['6.0.0'], pushedAt: old });
  fleet.emulator.ecr.pushImage({
    repository: 'podinfo',
    tags: ['6.0.1'],
    pushedAt: new Date(old.getTime() + 1000),
  });
  await fleet.remote.commit('dev', {
    'apps/podinfo.yaml': deployment('podinfo', `${podinfo}:6.0.0`),
    'README.md': 'fleet\n',
  });
});

afterEach(async () => {
  await fleet.close();
});

function drawbridgeCommits(log: { authorName: string }[]): number {
  return log.filter((entry) => entry.authorName === 'drawbridge').length;
}

describe('reconcile against real git and the ECR emulator', () => {
  it('commits a new image once, with trailers, and a second run changes nothing', async () => {
    const runtime = await fleet.runtime(fleet.config(PODINFO_DEV));
    const first = await runtime.reconciler.reconcile({ trigger: 'manual' });
    expect(first.environments[0]).toMatchObject({ environment: 'dev', status: 'committed', attempts: 1 });
    const [commit] = await fleet.remote.log('dev');
    expect(commit!.sha).toBe(first.environments[0]!.commit);
    expect(commit!.subject).toBe('deploy(dev): podinfo 6.0.0 → 6.0.1');
    expect(commit!.message).toContain('Drawbridge-Environment: dev');
    expect(commit!.message).toMatch(/Drawbridge-Update: podinfo 6\.0\.0 -> 6\.0\.1 sha256:[0-9a-f]{64}/);
    expect(commit!.authorEmail).toBe('drawbridge@example.test');
    expect(await fleet.remote.readFile('dev', 'apps/podinfo.yaml')).toBe(
      deployment('podinfo', `${podinfo}:6.0.1`),
    );

    const second = await runtime.reconciler.reconcile({ trigger: 'manual' });
    expect(second.environments[0]!.status).toBe('unchanged');
    expect((await fleet.remote.log('dev')).length).toBe(2);
  });

  it('keeps a commit a person pushed between plan and push, and re-plans on top of it', async () => {
    const runtime = await fleet.runtime(fleet.config(PODINFO_DEV));
    const real = await runtime.workspaces.get('default');
    let interfered = false;
    const workspace: Workspace = delegate(real, {
      push: async (checkout, target) => {
        if (!interfered) {
          interfered = true;
          await fleet.remote.commit(
            'dev',
            { 'README.md': 'a person was here\n' },
            { message: 'docs: person' },
          );
        }
        return real.push(checkout, target);
      },
    });
    const reconciler = createReconciler({
      config: runtime.config,
      source: runtime.source,
      workspaces: { ...runtime.workspaces, get: async () => workspace },
      logger: createLogger({ level: 'silent' }),
      sleep: async () => undefined,
    });
    const result = await reconciler.reconcile({ trigger: 'manual' });
    expect(result.environments[0]).toMatchObject({ status: 'committed', attempts: 2 });
    const log = await fleet.remote.log('dev');
    expect(log.map((entry) => entry.subject)).toEqual([
      'deploy(dev): podinfo 6.0.0 → 6.0.1',
      'docs: person',
      'edit apps/podinfo.yaml, README.md',
    ]);
    expect(log[0]!.parents).toEqual([log[1]!.sha]);
    expect(await fleet.remote.readFile('dev', 'README.md')).toBe('a person was here\n');
  });

  it('respects a revert for good and moves on only to a newer tag', async () => {
    const runtime = await fleet.runtime(fleet.config(PODINFO_DEV));
    const first = await runtime.reconciler.reconcile({ trigger: 'manual' });
    await fleet.remote.revert('dev', first.environments[0]!.commit!);

    const afterRevert = await runtime.reconciler.reconcile({ trigger: 'manual' });
    const env = afterRevert.environments[0]!;
    expect(env.status).toBe('unchanged');
    expect(env.images[0]!.decision!.chosen!.tag).toBe('6.0.0');
    expect(env.images[0]!.decision!.rejected).toContainEqual(
      expect.objectContaining({ tag: '6.0.1', reason: 'reverted' }),
    );
    expect(await fleet.remote.readFile('dev', 'apps/podinfo.yaml')).toContain(':6.0.0 #');

    fleet.emulator.ecr.pushImage({
      repository: 'podinfo',
      tags: ['6.0.2'],
      pushedAt: new Date(Date.now() - DAY),
    });
    runtime.source.invalidate(['podinfo']);
    const newer = await runtime.reconciler.reconcile({ trigger: 'manual' });
    expect(newer.environments[0]!.updates[0]).toMatchObject({ old: '6.0.0', new: '6.0.2' });
  });

  it('promotes dev → prod only after the tag has been live in dev for `after`', async () => {
    await fleet.remote.commit('main', { 'apps/podinfo.yaml': deployment('podinfo', `${podinfo}:6.0.0`) });
    const body = `${PODINFO_DEV}  prod:
    branch: main
    policies:
      podinfo: { promote: { from: dev, after: 2h } }
`;
    const runtime = await fleet.runtime(fleet.config(body));
    const first = await runtime.reconciler.reconcile({ trigger: 'manual' });
    expect(first.environments.map((e) => e.status)).toEqual(['committed', 'unchanged']);
    const prod = first.environments[1]!.images[0]!.decision!;
    expect(prod.rejected).toContainEqual(expect.objectContaining({ tag: '6.0.1', reason: 'soaking' }));

    const later = await fleet.runtime(fleet.config(body), {
      now: () => new Date(Date.now() + 3 * 3_600_000),
    });
    const second = await later.reconciler.reconcile({ trigger: 'manual' });
    expect(second.environments[1]).toMatchObject({ environment: 'prod', status: 'committed' });
    expect(await fleet.remote.readFile('main', 'apps/podinfo.yaml')).toContain(':6.0.1 #');
  });

  it('pushes to push.branch for review, idempotently, and rebuilds it on a moved base', async () => {
    const body = `images:
  podinfo: { repository: ${podinfo} }
environments:
  dev:
    branch: dev
    push: { branch: drawbridge/dev }
    policies:
      podinfo: { semver: '^6.0.0' }
`;
    const runtime = await fleet.runtime(fleet.config(body));
    const devHead = await fleet.remote.head('dev');
    const first = await runtime.reconciler.reconcile({ trigger: 'manual' });
    expect(first.environments[0]).toMatchObject({ status: 'committed', pushBranch: 'drawbridge/dev' });
    expect(await fleet.remote.head('dev')).toBe(devHead);
    const [pr] = await fleet.remote.log('drawbridge/dev');
    expect(pr!.parents).toEqual([devHead]);

    const again = await runtime.reconciler.reconcile({ trigger: 'manual' });
    expect(again.environments[0]!.status).toBe('unchanged');
    expect(await fleet.remote.head('drawbridge/dev')).toBe(pr!.sha);

    const moved = await fleet.remote.commit('dev', { 'README.md': 'moved\n' });
    const rebuilt = await runtime.reconciler.reconcile({ trigger: 'manual' });
    expect(rebuilt.environments[0]!.status).toBe('committed');
    const [next] = await fleet.remote.log('drawbridge/dev');
    expect(next!.parents).toEqual([moved]);
  });

  it('skips and reports a broken manifest while the good ones still update', async () => {
    await fleet.remote.commit('dev', {
      'apps/broken.yaml': `image: ${podinfo}:6.0.0 # {"$imagepolicy": "podinfo"}\n  bad: [unclosed\n`,
    });
    const runtime = await fleet.runtime(fleet.config(PODINFO_DEV));
    const result = await runtime.reconciler.reconcile({ trigger: 'manual' });
    const env = result.environments[0]!;
    expect(env.status).toBe('committed');
    expect(env.updates[0]!.files).toEqual(['apps/podinfo.yaml']);
    expect(env.problems).toContainEqual(
      expect.objectContaining({ file: 'apps/broken.yaml', severity: 'error' }),
    );
    expect(await fleet.remote.readFile('dev', 'apps/broken.yaml')).toContain(':6.0.0 #');
  });

  it('recovers from ECR throttling mid-scan and reports a missing repository without stopping the rest', async () => {
    const body = `images:
  podinfo: { repository: ${podinfo} }
  ghost: { repository: ${fleet.uri('ghost')} }
environments:
  dev:
    branch: dev
    policies:
      podinfo: { semver: '^6.0.0' }
      ghost: { semver: '*' }
`;
    const runtime = await fleet.runtime(fleet.config(body));
    fleet.emulator.faults.throttleNext(2, 'DescribeImages');
    const result = await runtime.reconciler.reconcile({ trigger: 'manual' });
    expect(result.environments[0]!.status).toBe('committed');
    expect(result.registryFailures).toEqual([
      expect.objectContaining({ image: 'ghost', code: 'RepositoryNotFoundException' }),
    ]);
    expect(result.environments[0]!.images.find((i) => i.image === 'ghost')!.registryError).toContain('ghost');
  });

  it('two reconciliations racing on the same remote end with exactly one commit', async () => {
    const one = await fleet.runtime(fleet.config(PODINFO_DEV, `${fleet.remote.root}/work-a`));
    const two = await fleet.runtime(fleet.config(PODINFO_DEV, `${fleet.remote.root}/work-b`));
    const results = await Promise.all([
      one.reconciler.reconcile({ trigger: 'manual' }),
      two.reconciler.reconcile({ trigger: 'manual' }),
    ]);
    const outcomes = results.map((r) => r.environments[0]!);
    expect(outcomes.some((o) => o.status === 'committed')).toBe(true);
    // The loser either re-planned to nothing, or built the byte-identical commit (same tree,
    // parent, author, second and message) and found it already there.
    const commits = new Set(outcomes.filter((o) => o.status === 'committed').map((o) => o.commit));
    expect(commits.size).toBe(1);
    expect(outcomes.every((o) => o.status === 'committed' || o.status === 'unchanged')).toBe(true);
    expect(drawbridgeCommits(await fleet.remote.log('dev'))).toBe(1);
  });

  it('never pushes leftovers of a crashed run: the checkout is reset to the remote head', async () => {
    const runtime = await fleet.runtime(fleet.config(PODINFO_DEV));
    const workspace = await runtime.workspaces.get('default');
    await workspace.fetch();
    const checkout = await workspace.checkout('dev', 'dev');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(`${checkout.dir}/README.md`, 'half-written junk\n');
    await writeFile(`${checkout.dir}/stray.yaml`, 'junk: true\n');
    await workspace.commit(checkout, 'local junk that was never pushed');

    const result = await runtime.reconciler.reconcile({ trigger: 'manual' });
    expect(result.environments[0]!.status).toBe('committed');
    expect(await fleet.remote.readFile('dev', 'README.md')).toBe('fleet\n');
    expect(await fleet.remote.readFile('dev', 'stray.yaml')).toBeUndefined();
    expect((await fleet.remote.log('dev')).map((e) => e.subject)).not.toContain(
      'local junk that was never pushed',
    );
  });

  it('dry run shows the diff and pushes nothing', async () => {
    const runtime = await fleet.runtime(fleet.config(PODINFO_DEV));
    const head = await fleet.remote.head('dev');
    const result = await runtime.reconciler.reconcile({ trigger: 'manual', dryRun: true });
    expect(result.environments[0]!.status).toBe('dry-run');
    expect(result.environments[0]!.diff).toContain(`-          image: ${podinfo}:6.0.0`);
    expect(result.environments[0]!.diff).toContain(`+          image: ${podinfo}:6.0.1`);
    expect(await fleet.remote.head('dev')).toBe(head);
  });
});

function delegate(target: Workspace, overrides: Partial<Workspace>): Workspace {
  return {
    get dir() {
      return target.dir;
    },
    get url() {
      return target.url;
    },
    fetch: () => target.fetch(),
    remoteHead: (branch) => target.remoteHead(branch),
    checkout: (branch, key) => target.checkout(branch, key),
    untouched: (checkout) => target.untouched(checkout),
    diff: (checkout) => target.diff(checkout),
    commit: (checkout, message) => target.commit(checkout, message),
    revert: (checkout, commit, merge) => target.revert(checkout, commit, merge),
    push: (checkout, pushTarget) => target.push(checkout, pushTarget),
    git: (args) => target.git(args),
    hasCommit: (sha) => target.hasCommit(sha),
    recordedChecks: (sha) => target.recordedChecks(sha),
    recordStatuses: (reports) => target.recordStatuses(reports),
    close: () => target.close(),
    ...overrides,
  };
}
