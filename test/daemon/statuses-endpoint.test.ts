/**
 * The statuses endpoint (SPEC §11 without a forge) end to end on loopback: the ECR emulator, a
 * real bare remote with no forge in front of it, and daemons built by createRuntime as
 * `drawbridge run` builds them. "Flux" posts its generic provider's events and "Argo CD" its
 * webhook's body over HTTP; the daemon records them as Git notes on the remote, and what it
 * and any later process (a `scan` in a fresh clone) decide from them: promotion on success,
 * a revert on failure, nothing for a stranger's commit or a forged body.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { parseConfig } from '../../src/config/load.js';
import type { Daemon } from '../../src/daemon/daemon.js';
import { startDaemonOn } from '../helpers/daemon.js';
import { Metrics } from '../../src/daemon/metrics.js';
import { createLogger, silentLogger } from '../../src/log/logger.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { startEmulator, type Emulator } from '../../src/testing/emulator/index.js';
import { appDeployment, pushAged } from '../helpers/app-deployment.js';
import { createTestRemote, isolatedGitEnv, type TestRemote } from '../helpers/git.js';
import { captureIO } from '../helpers/io.js';
import { healthyPromotion } from '../helpers/status-stage.js';

const exec = promisify(execFile);
const TOKEN = 'status-endpoint-token-0123456789abcdef-0123';
const env = isolatedGitEnv({
  AWS_ACCESS_KEY_ID: 'AKIDTEST',
  AWS_SECRET_ACCESS_KEY: 'test-secret',
  STATUS_TOKEN: TOKEN,
});
const credentials = async () => ({ accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' });

interface Running {
  readonly daemon: Daemon;
  readonly runtime: Runtime;
  readonly metrics: Metrics;
  stop(): Promise<void>;
}

async function startWith(configText: string, baseDir: string): Promise<Running> {
  const config = parseConfig(configText, join(baseDir, 'drawbridge.yaml')).config;
  const logger = process.env['DEBUG_STATUSES'] ? createLogger({ level: 'info' }) : silentLogger();
  const runtime = await createRuntime({ config, logger, env, baseDir, credentials });
  const metrics = new Metrics({ processMetrics: false });
  const daemon = await startDaemonOn(runtime, { config, logger, env, metrics });
  return {
    daemon,
    runtime,
    metrics,
    stop: async () => {
      await daemon.stop('test over');
      await runtime.close();
    },
  };
}

/** Flux's generic provider: the event as notification-controller posts it. */
function fluxEvent(sha: string, branch: string, severity: 'info' | 'error', reason: string): string {
  return JSON.stringify({
    involvedObject: {
      kind: 'Kustomization',
      namespace: 'flux-system',
      name: 'apps',
      uid: '7d0cdc51-ddcf-4743-b223-83ca5c699632',
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      resourceVersion: '56921',
    },
    severity,
    timestamp: new Date(Date.now() - 1000).toISOString(),
    message: severity === 'info' ? 'Health check passed in 3s' : 'Health check failed after 5m',
    reason,
    metadata: { revision: `${branch}@sha1:${sha}`, summary: 'apps' },
    reportingController: 'kustomize-controller',
    reportingInstance: 'kustomize-controller-7f5c6c8d9-x2x8s',
  });
}

async function post(daemon: Daemon, body: string, token = TOKEN): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${daemon.url}/events/status`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', 'x-drawbridge-token': token },
  });
  return { status: response.status, json: await response.json() };
}

async function noteOf(bare: string, sha: string): Promise<string | undefined> {
  return exec('git', ['notes', '--ref=drawbridge/statuses', 'show', sha], { cwd: bare, env }).then(
    (out) => out.stdout,
    () => undefined,
  );
}

let ecr: Emulator;
let remote: TestRemote;
let uri: string;
let configText: string;
let running: Running | undefined;

const tagIn = async (branch: string): Promise<string | undefined> =>
  /api:(\S+) #/.exec((await remote.readFile(branch, 'apps/app.yaml')) ?? '')?.[1];

function config(workdir: string, port = 0): string {
  return `version: 1
git:
  url: ${remote.url}
  workdir: ${workdir}
  author: { name: drawbridge, email: drawbridge@example.test }
aws: { region: ${ecr.region}, endpoint: ${ecr.endpoint} }
server: { host: 127.0.0.1, port: ${port} }
events:
  statuses: { tokenEnv: STATUS_TOKEN }
  coalesce: 10ms
notify: { eventBridge: {} }
images:
  api: { repository: ${uri} }
environments:
  staging:
    branch: staging
    onFailure: { revert: [argocd/staging] }
    policies: { api: { semver: '^1.0.0' } }
  prod:
    branch: prod
    policies: { api: { promote: { from: staging, after: 0s, healthy: [kustomization/apps] } } }
`;
}

beforeAll(async () => {
  ecr = await startEmulator();
  uri = ecr.ecr.createRepository('api');
  pushAged(ecr, 'api', '1.0.0');
  const manifest = { 'apps/app.yaml': appDeployment({ api: uri }, { api: '1.0.0' }) };
  remote = await createTestRemote({ staging: manifest, prod: manifest });
  configText = config(remote.workdir);
});

afterEach(async () => {
  await running?.stop();
  running = undefined;
});

afterAll(async () => {
  await ecr.close();
  await remote.cleanup();
});

describe('the statuses endpoint', () => {
  it("records Flux's success in Git, and the promotion follows it without a sweep; a fresh clone reads it after a restart", async () => {
    running = await startWith(configText, remote.root);
    pushAged(ecr, 'api', '1.0.1');
    await running.daemon.triggerSweep();
    expect(await tagIn('staging')).toBe('1.0.1');
    expect(await tagIn('prod')).toBe('1.0.0'); // nothing reported yet

    // Flux reports its reconciliation in progress, then its success, on the staging commit.
    const sha = (await remote.head('staging'))!;
    let answer = await post(running.daemon, fluxEvent(sha, 'staging', 'info', 'Progressing'));
    expect(answer).toEqual({
      status: 202,
      json: { status: 'accepted', commit: sha, context: 'kustomization/apps', state: 'pending' },
    });
    await running.daemon.idle();
    expect(await tagIn('prod')).toBe('1.0.0');
    answer = await post(running.daemon, fluxEvent(sha, 'staging', 'info', 'ReconciliationSucceeded'));
    expect(answer.status).toBe(202);
    await running.daemon.idle();

    // In Git, as a note on the commit; no branch moved for it.
    const note = (await noteOf(remote.bare, sha))!;
    expect(JSON.parse(note.trim())).toMatchObject({ context: 'kustomization/apps', state: 'success' });
    expect(await remote.head('staging')).toBe(sha);
    // The status started the reconciliation that promoted it.
    expect(await tagIn('prod')).toBe('1.0.1');
    await running.stop();
    running = undefined;

    // After a restart, a `scan` in a fresh clone explains prod from the note it fetched.
    const fresh = join(remote.root, 'fresh.yaml');
    await writeFile(fresh, config(join(remote.root, 'fresh-work')));
    const io = captureIO({ env, cwd: remote.root });
    const code = await runCli(['scan', '--config', fresh, '--explain'], io);
    expect(code, io.out() + io.err()).toBe(0);
    expect(io.out()).toMatch(/^prod \(prod\): up to date/m);
    // 1.0.1 is eligible for prod only as healthy in staging: the note said so.
    expect(io.out()).toContain(
      `choice: 1.0.1 — 1.0.1: went live last of 2 live in staging (1 awaiting health); kustomization/apps reported success for ${sha.slice(0, 12)} in staging at `,
    );
    expect(io.out()).not.toMatch(/rejected 1\.0\.1/);
  });

  it("reverts drawbridge's commit on Argo CD's failure, and refuses forged, unknown and unauthenticated reports", async () => {
    running = await startWith(configText, remote.root);
    pushAged(ecr, 'api', '1.0.2');
    await running.daemon.triggerSweep();
    expect(await tagIn('staging')).toBe('1.0.2');
    const failing = (await remote.head('staging'))!;

    // Refused at the door: no token, a context with a line break, a short id; nothing recorded.
    expect((await post(running.daemon, '{}', 'wrong-token')).status).toBe(401);
    const forged = JSON.stringify({
      context: 'argocd/staging\nDrawbridge-Update: api=6.6.6',
      sha: failing,
      state: 'failure',
    });
    expect((await post(running.daemon, forged)).status).toBe(400);
    expect(
      (
        await post(
          running.daemon,
          JSON.stringify({ context: 'argocd/staging', sha: 'abc', state: 'failure' }),
        )
      ).status,
    ).toBe(400);
    // A commit no repository holds is taken, then dropped.
    const stranger = JSON.stringify({ context: 'argocd/staging', sha: 'f'.repeat(40), state: 'failure' });
    expect((await post(running.daemon, stranger)).status).toBe(202);
    await running.daemon.idle();
    expect(await noteOf(remote.bare, failing)).toBeUndefined();
    expect(await tagIn('staging')).toBe('1.0.2');

    // Argo CD's webhook, with the body the README's template sends.
    const argo = JSON.stringify({
      context: 'argocd/staging',
      sha: failing,
      state: 'failure',
      targetUrl: 'https://argocd.example.test/applications/staging',
    });
    expect((await post(running.daemon, argo)).status).toBe(202);
    await running.daemon.idle();
    expect(await tagIn('staging')).toBe('1.0.1');
    const [revert] = await remote.log('staging');
    expect(revert?.message).toContain(`This reverts commit ${failing}.`);
    // Announced on the bus beside the updates.
    await running.runtime.notifier.flush();
    const announced = ecr.events.events.find(
      (event) => event.envelope['detail-type'] === 'Image Update Reverted',
    );
    expect(announced?.envelope.detail).toMatchObject({
      environment: 'staging',
      commit: failing,
      revert: revert!.sha,
      context: 'argocd/staging',
      images: [{ image: 'api', tag: '1.0.2' }],
      branch: 'staging',
    });
  });

  it('keeps every report when 60 arrive at once at two replicas, 150 images in one commit', async () => {
    const keys = Array.from({ length: 150 }, (_, i) => `svc-${i}`);
    const uris = Object.fromEntries(keys.map((key) => [key, ecr.ecr.createRepository(`fleet/${key}`)]));
    for (const key of keys) pushAged(ecr, `fleet/${key}`, '1.0.0');
    const files = Object.fromEntries(
      keys.map((key) => [`apps/${key}.yaml`, appDeployment({ [key]: uris[key]! }, { [key]: '1.0.0' })]),
    );
    const fleet = await createTestRemote({ staging: files, prod: files });
    const fleetConfig = (workdir: string): string =>
      [
        'version: 1',
        `git: { url: ${fleet.url}, workdir: ${workdir}, author: { name: drawbridge, email: drawbridge@example.test } }`,
        `aws: { region: ${ecr.region}, endpoint: ${ecr.endpoint} }`,
        'server: { host: 127.0.0.1, port: 0 }',
        'events: { statuses: { tokenEnv: STATUS_TOKEN }, coalesce: 10ms }',
        'images:',
        ...keys.map((key) => `  ${key}: { repository: ${uris[key]} }`),
        'environments:',
        ...healthyPromotion(keys),
        '',
      ].join('\n');
    const a = await startWith(fleetConfig(join(fleet.root, 'work-a')), fleet.root);
    const b = await startWith(fleetConfig(join(fleet.root, 'work-b')), fleet.root);
    try {
      for (const key of keys) pushAged(ecr, `fleet/${key}`, '1.0.1');
      await a.daemon.triggerSweep();
      await b.daemon.triggerSweep();
      const sha = (await fleet.head('staging'))!;
      // 59 other contexts, split between the replicas, then Flux's success.
      const others = Array.from({ length: 59 }, (_, i) => `check/${i}`);
      const answers = await Promise.all(
        others.map((context, i) =>
          post(i % 2 === 0 ? a.daemon : b.daemon, JSON.stringify({ context, sha, state: 'pending' })),
        ),
      );
      expect(answers.every((answer) => answer.status === 202)).toBe(true);
      await Promise.all([a.daemon.idle(), b.daemon.idle()]);
      expect(
        (await post(b.daemon, fluxEvent(sha, 'staging', 'info', 'ReconciliationSucceeded'))).status,
      ).toBe(202);
      await b.daemon.idle();
      const note = (await noteOf(fleet.bare, sha))!;
      const contexts = note
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as { context: string }).context);
      expect(new Set(contexts)).toEqual(new Set([...others, 'kustomization/apps']));
      // One status on the commit promoted all 150 images.
      for (const key of [keys[0]!, keys[149]!])
        expect(await fleet.readFile('prod', `apps/${key}.yaml`)).toContain(':1.0.1 #');
    } finally {
      await a.stop();
      await b.stop();
      await fleet.cleanup();
    }
  });
});
