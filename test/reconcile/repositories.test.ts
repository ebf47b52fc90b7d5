/**
 * Environments in several repositories (SPEC §9), against real remotes: three bare
 * repositories on disk (one of them refusing every push with a pre-receive hook) and one
 * served over smart HTTP, which the tests make unreachable before and in the middle of a
 * reconciliation. ECR is the emulator, read through the real SDK.
 */
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { renderStatus } from '../../src/cli/render.js';
import { loadConfig } from '../../src/config/load.js';
import { startDaemon } from '../../src/daemon/daemon.js';
import { Metrics } from '../../src/daemon/metrics.js';
import type { Workspace } from '../../src/git/workspace.js';
import type { Workspaces } from '../../src/git/workspaces.js';
import { createLogger } from '../../src/log/logger.js';
import { createReconciler } from '../../src/reconcile.js';
import type { ImageSource } from '../../src/registry.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { startEmulator, type Emulator } from '../../src/testing/emulator/index.js';
import { STATIC_CREDENTIALS } from '../helpers/fleet.js';
import { startGitHttpServer, type GitHttpServer } from '../helpers/git-http.js';
import { createTestRemote, isolatedGitEnv, type TestRemote } from '../helpers/git.js';
import { captureIO } from '../helpers/io.js';

const HOUR = 3_600_000;
const DESCRIBE_IMAGES = 'AmazonEC2ContainerRegistry_V20150921.DescribeImages';
const env = isolatedGitEnv({ AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'test-secret' });

let emulator: Emulator;
let fleet: TestRemote;
let payments: TestRemote;
let web: TestRemote;
let locked: TestRemote;
let http: GitHttpServer;
let configFile: string;
const runtimes: Runtime[] = [];
const uri: Record<string, string> = {};

function deployment(name: string, images: Record<string, string>): string {
  const containers = Object.entries(images)
    .map(
      ([key, tag]) =>
        `        - name: ${key}\n          image: ${uri[key]}:${tag} # {"$imagepolicy": "flux-system:${key}"}\n`,
    )
    .join('');
  return `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\nspec:\n  template:\n    spec:\n      containers:\n${containers}`;
}

function push(repository: string, tag: string, pushedAt = new Date(Date.now() - 2 * HOUR)): void {
  emulator.ecr.pushImage({ repository, tags: [tag], pushedAt });
}

beforeEach(async () => {
  emulator = await startEmulator();
  for (const name of ['platform', 'api', 'pay', 'web', 'lock'])
    uri[name] = emulator.ecr.createRepository(name);
  const old = new Date(Date.now() - 5 * HOUR);
  push('platform', '1.0.0', old);
  push('platform', '1.1.0');
  push('api', '2.0.0', old);
  push('api', '2.1.0');
  push('pay', '3.0.0', old);
  push('pay', '3.1.0');
  push('web', '4.0.0', old);
  push('web', '4.1.0');
  push('lock', '5.0.0', old);
  push('lock', '5.1.0');

  // dev has run api 2.0.0 for three hours: payments-prod promotes it from there.
  fleet = await createTestRemote();
  await fleet.commit(
    'dev',
    { 'apps/api.yaml': deployment('api', { api: '2.0.0', platform: '1.0.0' }) },
    { date: new Date(Date.now() - 3 * HOUR) },
  );
  payments = await createTestRemote({
    main: { 'deploy/pay.yaml': deployment('pay', { pay: '3.0.0', platform: '1.0.0', api: '1.9.0' }) },
  });
  web = await createTestRemote({
    main: { 'web.yaml': deployment('web', { web: '4.0.0', platform: '1.0.0' }) },
  });
  locked = await createTestRemote({
    main: { 'lock.yaml': deployment('lock', { lock: '5.0.0', platform: '1.0.0' }) },
  });
  const hook = join(locked.bare, 'hooks', 'pre-receive');
  await writeFile(hook, '#!/bin/sh\necho "protected: changes go through review" >&2\nexit 1\n');
  await chmod(hook, 0o755);
  http = await startGitHttpServer({ projectRoot: web.root });

  configFile = join(fleet.root, 'drawbridge.yaml');
  await writeFile(
    configFile,
    `version: 1
git: { url: ${fleet.url}, workdir: ${join(fleet.root, 'work')}, author: { name: drawbridge, email: drawbridge@example.test } }
repositories:
  payments: { url: ${payments.url} }
  web: { url: ${http.baseUrl}remote.git }
  locked: { url: ${locked.url} }
aws: { region: eu-west-1, endpoint: ${emulator.endpoint} }
server: { port: 0, host: 127.0.0.1 }
images:
${Object.entries(uri)
  .map(([key, value]) => `  ${key}: { repository: ${value} }`)
  .join('\n')}
environments:
  dev:
    branch: dev
    policies: { api: { semver: '^2.0.0' }, platform: { semver: '^1.0.0' } }
  payments-prod:
    repository: payments
    branch: main
    policies:
      pay: { semver: '^3.0.0' }
      platform: { semver: '^1.0.0' }
      api: { promote: { from: dev, after: 1h } }
  web-prod:
    repository: web
    branch: main
    policies: { web: { semver: '^4.0.0' }, platform: { semver: '^1.0.0' } }
  locked-prod:
    repository: locked
    branch: main
    policies: { lock: { semver: '^5.0.0' }, platform: { semver: '^1.0.0' } }
`,
  );
});

afterEach(async () => {
  for (const runtime of runtimes.splice(0)) await runtime.close();
  await http.close();
  await emulator.close();
  for (const remote of [fleet, payments, web, locked]) await remote.cleanup();
});

async function runtime(metrics?: Metrics): Promise<Runtime> {
  const { config } = await loadConfig({ path: configFile, env, cwd: fleet.root });
  const created = await createRuntime({
    config,
    logger: createLogger({ level: 'silent' }),
    env,
    baseDir: fleet.root,
    credentials: STATIC_CREDENTIALS,
    ...(metrics ? { observer: metrics.observer } : {}),
  });
  runtimes.push(created);
  return created;
}

const drawbridgeSubjects = async (remote: TestRemote, branch: string): Promise<string[]> =>
  (await remote.log(branch))
    .filter((entry) => entry.authorName === 'drawbridge')
    .map((entry) => entry.subject);

describe('environments in several repositories', () => {
  it('reconciles every repository, reads ECR once per image, and fails only the one refusing pushes', async () => {
    const io = captureIO({ env, cwd: fleet.root });
    expect(await runCli(['scan', '--config', configFile], io)).toBe(1);
    const out = io.out();
    expect(out).toMatch(/^dev \(default: dev\): committed [0-9a-f]{12}, 2 updates$/m);
    expect(out).toMatch(/^payments-prod \(payments: main\): committed [0-9a-f]{12}, 3 updates$/m);
    expect(out).toMatch(/^web-prod \(web: main\): committed [0-9a-f]{12}, 2 updates$/m);
    expect(out).toMatch(/^locked-prod \(locked: main\): FAILED$/m);
    expect(out).toContain('pre-receive hook declined');
    expect(out).toMatch(/^failed: 1 environment \(locked-prod\); the others were reconciled$/m);

    // platform is in all four repositories and still read once: one call per image.
    expect(emulator.server.calls(DESCRIBE_IMAGES)).toBe(5);

    expect(await drawbridgeSubjects(fleet, 'dev')).toEqual([
      'deploy(dev): api 2.0.0 → 2.1.0, platform 1.0.0 → 1.1.0',
    ]);
    // Promotion across repositories: api 2.0.0 has been live in dev (repository default) for
    // three hours; 2.1.0 went live there in this very pass.
    expect(await payments.readFile('main', 'deploy/pay.yaml')).toBe(
      deployment('pay', { pay: '3.1.0', platform: '1.1.0', api: '2.0.0' }),
    );
    expect(await web.readFile('main', 'web.yaml')).toBe(
      deployment('web', { web: '4.1.0', platform: '1.1.0' }),
    );
    expect(await drawbridgeSubjects(locked, 'main')).toEqual([]);

    // JSON lines name the repository of every environment.
    const json = captureIO({ env, cwd: fleet.root });
    expect(await runCli(['scan', '--config', configFile, '--json', '--env', 'locked-prod'], json)).toBe(1);
    const [line] = json.out().trim().split('\n');
    expect(JSON.parse(line!)).toMatchObject({
      environment: 'locked-prod',
      repository: 'locked',
      status: 'failed',
      error: expect.stringContaining('pre-receive hook declined') as unknown,
    });
  }, 60_000);

  it('keeps the other repositories committing while one is unreachable, mid-run and at fetch, and catches up', async () => {
    const metrics = new Metrics({ processMetrics: false });
    const pieces = await runtime(metrics);
    const first = await pieces.reconciler.reconcile({ trigger: 'manual' });
    expect(first.environments.map((e) => [e.environment, e.repository, e.status])).toEqual([
      ['dev', 'default', 'committed'],
      ['payments-prod', 'payments', 'committed'],
      ['web-prod', 'web', 'committed'],
      ['locked-prod', 'locked', 'failed'],
    ]);

    // The network fails between fetch and push: the push is lost, nothing else is.
    http.setMode('no-push');
    push('platform', '1.2.0');
    pieces.source.invalidate();
    const midRun = await pieces.reconciler.reconcile({ trigger: 'manual' });
    const byName = new Map(midRun.environments.map((e) => [e.environment, e]));
    expect(byName.get('dev')?.status).toBe('committed');
    expect(byName.get('payments-prod')?.status).toBe('committed');
    expect(byName.get('web-prod')).toMatchObject({ status: 'failed', repository: 'web' });
    expect(byName.get('web-prod')?.error).toMatch(/git push failed/);
    expect(midRun.repositories.find((r) => r.repository === 'web')?.status).toBe('fetched');

    // The host is down: the fetch fails, its environment fails, the others still commit.
    http.setMode('down');
    push('platform', '1.3.0');
    pieces.source.invalidate();
    const down = await pieces.reconciler.reconcile({ trigger: 'manual' });
    expect(down.gitReachable).toBe(false);
    expect(down.repositories.find((r) => r.repository === 'web')).toMatchObject({ status: 'failed' });
    expect(down.environments.find((e) => e.environment === 'web-prod')).toMatchObject({
      status: 'failed',
      attempts: 0,
    });
    expect(down.environments.find((e) => e.environment === 'dev')?.status).toBe('committed');
    expect(down.environments.find((e) => e.environment === 'payments-prod')?.status).toBe('committed');
    metrics.reconciled('manual', 1, down);
    const text = await metrics.text();
    expect(text).toContain('drawbridge_repository_up{repository="web"} 0');
    expect(text).toContain('drawbridge_repository_up{repository="payments"} 1');
    expect(text).toContain(
      'drawbridge_environment_reconciliations_total{environment="web-prod",repository="web",status="failed"} 1',
    );
    expect(text).toContain('drawbridge_commits_total{environment="payments-prod",repository="payments"}');
    const table = renderStatus(down, new Date());
    expect(table.split('\n')[0]).toMatch(/^ENVIRONMENT +REPOSITORY +IMAGE +IN GIT +NEXT +WHY$/);
    expect(table).toMatch(/^web-prod +web +- +- +- +error: /m);

    // Back up: the next pass brings web-prod to the newest tag in one commit.
    http.setMode('up');
    const back = await pieces.reconciler.reconcile({ trigger: 'manual' });
    expect(back.environments.find((e) => e.environment === 'web-prod')).toMatchObject({
      status: 'committed',
      updates: [expect.objectContaining({ image: 'platform', old: '1.1.0', new: '1.3.0' })],
    });
    expect(await web.readFile('main', 'web.yaml')).toBe(
      deployment('web', { web: '4.1.0', platform: '1.3.0' }),
    );
    expect(await drawbridgeSubjects(fleet, 'dev')).toEqual([
      'deploy(dev): platform 1.2.0 → 1.3.0',
      'deploy(dev): platform 1.1.0 → 1.2.0',
      'deploy(dev): api 2.0.0 → 2.1.0, platform 1.0.0 → 1.1.0',
    ]);
  }, 60_000);

  it('a daemon started while a remote is down serves /readyz 503 with the reason and commits once it is back', async () => {
    http.setMode('down');
    const pieces = await runtime();
    const daemon = await startDaemon({
      config: pieces.config,
      reconciler: pieces.reconciler,
      source: pieces.source,
      logger: createLogger({ level: 'silent' }),
      env,
      retryBaseMs: 100,
      retryMaxMs: 400,
    });
    try {
      const readiness = async () => {
        const response = await fetch(`${daemon.url}/readyz`);
        const body = (await response.json()) as { reason?: string };
        return { status: response.status, reason: body.reason };
      };
      await expect
        .poll(readiness, { timeout: 20_000, interval: 100 })
        .toEqual({ status: 503, reason: 'Git (web) unreachable' });
      // The other repositories committed meanwhile.
      expect(await drawbridgeSubjects(payments, 'main')).toHaveLength(1);
      expect(await drawbridgeSubjects(web, 'main')).toEqual([]);

      http.setMode('up');
      await expect
        .poll(async () => drawbridgeSubjects(web, 'main'), { timeout: 20_000, interval: 200 })
        .toEqual(['deploy(web-prod): web 4.0.0 → 4.1.0, platform 1.0.0 → 1.1.0']);
      await expect.poll(async () => (await readiness()).status, { timeout: 20_000, interval: 100 }).toBe(200);
    } finally {
      await daemon.stop();
    }
  }, 60_000);
  it("reads every repository's branches while ECR is still answering, not only as many as git.maxConcurrency", async () => {
    const pieces = await runtime();
    // ECR answers only once every environment that does not promote has checked out its branch.
    const checkedOut: string[] = [];
    let answer!: () => void;
    const answered = new Promise<void>((resolve) => (answer = resolve));
    const source: ImageSource = {
      ...pieces.source,
      list: async (imageKey) => {
        await answered;
        return pieces.source.list(imageKey);
      },
    };
    const spied = new Map<string, Workspace>();
    const workspaces: Workspaces = {
      ...pieces.workspaces,
      get: async (name) => {
        const known = spied.get(name);
        if (known) return known;
        const workspace = await pieces.workspaces.get(name);
        const spy: Workspace = {
          ...workspace,
          checkout: async (branch, key) => {
            const checkout = await workspace.checkout(branch, key);
            checkedOut.push(key);
            if (['dev', 'web-prod', 'locked-prod'].every((e) => checkedOut.includes(e))) answer();
            return checkout;
          },
        };
        spied.set(name, spy);
        return spy;
      },
    };
    const config = { ...pieces.config, git: { ...pieces.config.git, maxConcurrency: 1 } };
    const reconciler = createReconciler({
      config,
      source,
      workspaces,
      logger: createLogger({ level: 'silent' }),
    });
    const result = await reconciler.reconcile({ trigger: 'manual' });
    expect(result.environments.map((e) => [e.environment, e.status])).toEqual([
      ['dev', 'committed'],
      ['payments-prod', 'committed'],
      ['web-prod', 'committed'],
      ['locked-prod', 'failed'],
    ]);
    // Read ahead once each, not again when their turn came; payments-prod promotes, so it
    // reads its branch after dev committed.
    expect(checkedOut.slice(0, 3).sort()).toEqual(['dev', 'locked-prod', 'web-prod']);
    expect(checkedOut.filter((key) => key !== 'locked-prod').sort()).toEqual([
      'dev',
      'payments-prod',
      'web-prod',
    ]);
  }, 60_000);
});
