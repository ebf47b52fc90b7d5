/**
 * Pull requests end to end (SPEC §10) through `drawbridge scan`: the ECR emulator, a real bare
 * remote, and the GitHub emulator in front of that remote, driven by the real Octokit client.
 * New tag → branch → pull request with labels and reviewers → newer tag → the same pull
 * request updated → merged (a real merge in the remote) → no pull request → newer tag → a
 * new one → closed unmerged → that tag is not proposed again → a newer one is.
 */
import { appendFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { loadConfig } from '../../src/config/load.js';
import { Metrics } from '../../src/daemon/metrics.js';
import { createLogger } from '../../src/log/logger.js';
import { createRuntime } from '../../src/runtime.js';
import type { Emulator } from '../../src/testing/emulator/index.js';
import { startGitHubEmulator, type GitHubEmulator } from '../../src/testing/github/index.js';
import { git, isolatedGitEnv, type TestRemote } from '../helpers/git.js';
import { captureIO } from '../helpers/io.js';
import { openPullRequestStage, type CliRun, type PullRequestStage } from '../helpers/pull-request-stage.js';

const TOKEN = 'ghp_e2eTESTtoken0000000000000000000000';
const REPO = 'acme/fleet';
const env = isolatedGitEnv({
  AWS_ACCESS_KEY_ID: 'AKIDTEST',
  AWS_SECRET_ACCESS_KEY: 'test-secret',
  GH_TOKEN: TOKEN,
});

let stage: PullRequestStage;
let ecr: Emulator;
let github: GitHubEmulator;
let remote: TestRemote;
let configFile: string;

const deployment = (images: Record<string, string>): string => stage.deployment(images);
const push = (repository: string, tag: string): void => stage.push(repository, tag);
const writeConfig = (pushBranch: string, pullRequest: string): Promise<void> =>
  stage.writeConfig({
    forge: `{ type: github, apiUrl: ${github.apiUrl}, repository: ${REPO}, tokenEnv: GH_TOKEN, paceWrites: false }`,
    pushBranch,
    pullRequest,
  });
const scan = (...args: string[]): Promise<CliRun> => stage.scan(...args);

const open = () => github.pullRequests(REPO).filter((pr) => pr.state === 'open');

beforeEach(async () => {
  stage = await openPullRequestStage(env);
  ({ ecr, remote, configFile } = stage);
  github = await startGitHubEmulator({ gitEnv: env });
  github.addRepository(REPO, remote.bare, { collaborators: ['alice'], teams: ['platform'] });
  github.addToken(TOKEN, { permissions: { pull_requests: 'write', contents: 'write', issues: 'write' } });
});

afterEach(async () => {
  await github.close();
  await stage.close();
});

describe('pull requests on GitHub', () => {
  it('opens, updates, sees merged, opens again, and takes a close without merging as a refusal', async () => {
    await writeConfig(
      'drawbridge/{env}',
      '{ labels: [deploy], reviewers: [alice], teamReviewers: [platform] }',
    );
    const seed = await remote.head('main');

    // A new tag: a branch and a pull request with labels and reviewers; main is untouched.
    push('api', '1.1.0');
    let run = await scan();
    expect(run.code, run.out + run.err).toBe(0);
    expect(run.out).toMatch(/^prod \(main → drawbridge\/prod\): committed [0-9a-f]{12}, 1 update$/m);
    expect(run.out).toMatch(
      /^ {2}pull request #1 opened: http\S+\/acme\/fleet\/pull\/1 \(from drawbridge\/prod\)$/m,
    );
    expect(await remote.head('main')).toBe(seed);
    expect(open()).toHaveLength(1);
    const first = open()[0]!;
    expect(first).toMatchObject({
      number: 1,
      title: 'deploy(prod): api 1.0.0 → 1.1.0',
      head: 'drawbridge/prod',
      base: 'main',
      labels: ['deploy'],
      reviewers: ['alice'],
      teams: ['platform'],
    });
    expect(first.body).toContain(
      '| [api](https://eu-west-1.console.aws.amazon.com/ecr/repositories/private/',
    );
    expect(first.body).toContain('| 1.0.0 | 1.1.0 |');

    // Nothing new: the same pull request, untouched.
    run = await scan();
    expect(run.out).toMatch(/^prod \(main → drawbridge\/prod\): updates pending in a pull request$/m);
    expect(run.out).toContain('pull request #1 open, up to date');

    // A newer tag: the same pull request, brought up to date; still one open.
    push('api', '1.2.0');
    push('web', '2.1.0');
    run = await scan('--json');
    const line = JSON.parse(run.out.trim().split('\n')[0]!) as { pullRequests: unknown[] };
    expect(line.pullRequests).toEqual([
      {
        number: 1,
        url: expect.stringMatching(/\/acme\/fleet\/pull\/1$/) as unknown,
        branch: 'drawbridge/prod',
        action: 'updated',
      },
    ]);
    expect(open()).toHaveLength(1);
    expect(open()[0]?.title).toBe('deploy(prod): api 1.0.0 → 1.2.0, web 2.0.0 → 2.1.0');

    // A person merges it with a merge commit: a real merge in the remote.
    await github.merge(REPO, 1, 'merge');
    expect(await remote.readFile('main', 'apps/app.yaml')).toBe(deployment({ api: '1.2.0', web: '2.1.0' }));
    run = await scan();
    expect(run.out).toMatch(/^prod \(main → drawbridge\/prod\): up to date$/m);
    expect(github.pullRequests(REPO)).toHaveLength(1);

    // A newer tag: a new pull request.
    push('api', '1.3.0');
    run = await scan();
    expect(run.out).toMatch(/pull request #2 opened/);

    // A person closes it without merging: 1.3.0 is refused in prod, as a revert refuses it.
    await github.close(REPO, 2);
    run = await scan();
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/^prod \(main → drawbridge\/prod\): up to date$/m);
    expect(github.pullRequests(REPO)).toHaveLength(2);
    const explained = await scan('--explain');
    expect(explained.out).toContain(
      'rejected 1.3.0: reverted (refused: pull request #2 closed without merging)',
    );
    const status = captureIO({ env, cwd: remote.root });
    expect(await runCli(['status', '--config', configFile], status)).toBe(0);
    expect(status.out()).toMatch(/1\.3\.0 reverted: refused: pull request #2 closed without merging/);

    // A newer eligible tag: proposed in a new pull request.
    push('api', '1.4.0');
    run = await scan();
    expect(run.out).toMatch(/pull request #3 opened/);
    expect(open().map((pr) => pr.title)).toEqual(['deploy(prod): api 1.2.0 → 1.4.0']);

    // No token in anything drawbridge printed.
    for (const text of [run.out, run.err, explained.out, explained.err]) expect(text).not.toContain(TOKEN);
  }, 120_000);

  it('keeps history working through a squash merge, and closes its pull request when a person did the update', async () => {
    await writeConfig('drawbridge/{env}', '{ autoMerge: squash }');
    push('api', '1.1.0');
    let run = await scan();
    expect(run.out).toMatch(/pull request #1 opened, auto-merge on/);
    expect(open()[0]?.autoMerge).toEqual({ method: 'squash' });
    // The checks pass: GitHub merges it by squash; the trailers reach main.
    await github.runAutoMerge();
    const [squashed] = await remote.log('main');
    expect(squashed?.subject).toBe('deploy(prod): api 1.0.0 → 1.1.0 (#1)');
    expect(squashed?.message).toContain('Drawbridge-Update: ');
    // A person reverts the squash commit: the revert rule refuses 1.1.0 from there.
    await remote.withClone('main', async (dir) => {
      const { execFile } = await import('node:child_process');
      const { promisify } = await import('node:util');
      await promisify(execFile)('git', ['revert', '--no-edit', 'HEAD'], { cwd: dir, env });
    });
    run = await scan('--explain');
    expect(run.out).toContain('rejected 1.1.0: reverted (reverted in this environment)');
    expect(open()).toHaveLength(0);

    // A newer tag opens a pull request; a person puts that tag on main by hand: nothing is
    // pending, so drawbridge closes its pull request with a comment.
    push('api', '1.2.0');
    run = await scan();
    expect(run.out).toMatch(/pull request #2 opened/);
    await remote.commit('main', { 'apps/app.yaml': deployment({ api: '1.2.0', web: '2.0.0' }) });
    run = await scan();
    expect(run.out).toMatch(/pull request #2 closed: nothing pending/);
    expect(github.comments(REPO, 2).map((c) => c.body)).toEqual([
      expect.stringContaining('Nothing is pending any more') as unknown,
    ]);
    // Closed by drawbridge itself: that refuses nothing (1.2.0 is what main runs).
    push('api', '1.3.0');
    run = await scan();
    expect(run.out).toMatch(/pull request #3 opened/);
    expect(open()[0]?.title).toBe('deploy(prod): api 1.2.0 → 1.3.0');
  }, 120_000);

  it('opens one pull request per image with {image}, each merged or refused on its own', async () => {
    await writeConfig('drawbridge/{env}/{image}', '{ labels: [deploy] }');
    push('api', '1.1.0');
    push('web', '2.1.0');
    let run = await scan();
    expect(run.code, run.out + run.err).toBe(0);
    const byHead = () => new Map(open().map((pr) => [pr.head, pr]));
    expect([...byHead().keys()].sort()).toEqual(['drawbridge/prod/api', 'drawbridge/prod/web']);
    expect(byHead().get('drawbridge/prod/api')?.title).toBe('deploy(prod): api 1.0.0 → 1.1.0');
    expect(byHead().get('drawbridge/prod/web')?.title).toBe('deploy(prod): web 2.0.0 → 2.1.0');

    // api merged, web closed unmerged.
    await github.merge(REPO, byHead().get('drawbridge/prod/api')!.number, 'merge');
    await github.close(REPO, byHead().get('drawbridge/prod/web')!.number);
    run = await scan();
    expect(open()).toHaveLength(0);
    expect(await remote.readFile('main', 'apps/app.yaml')).toBe(deployment({ api: '1.1.0', web: '2.0.0' }));

    // web 2.1.0 stays refused; newer tags of both get their own pull requests again.
    push('api', '1.2.0');
    run = await scan();
    expect([...byHead().keys()]).toEqual(['drawbridge/prod/api']);
    push('web', '2.2.0');
    run = await scan();
    expect(byHead().get('drawbridge/prod/web')?.title).toBe('deploy(prod): web 2.0.0 → 2.2.0');
    expect(byHead().get('drawbridge/prod/api')?.title).toBe('deploy(prod): api 1.1.0 → 1.2.0');
  }, 120_000);

  it("says what a dry run would do, keeps a person's edits until the branch moves, and carries the pull request into metrics and the EventBridge event", async () => {
    await writeConfig('drawbridge/{env}', '{ labels: [deploy] }');
    await appendFile(configFile, `notify: { eventBridge: { endpoint: ${ecr.endpoint} } }\n`);
    push('api', '1.1.0');

    // A dry run: what it would open, and nothing opened or pushed.
    let run = await scan('--dry-run');
    expect(run.code, run.out + run.err).toBe(0);
    expect(run.out).toContain('pull request would open from drawbridge/prod');
    expect(github.pullRequests(REPO)).toHaveLength(0);
    expect(await remote.head('drawbridge/prod')).toBeUndefined();

    // The runtime as `drawbridge run` builds it, with the daemon's metrics. The EventBridge
    // client takes its credentials from the SDK's default chain, as in a pod.
    process.env['AWS_ACCESS_KEY_ID'] ??= 'AKIDTEST';
    process.env['AWS_SECRET_ACCESS_KEY'] ??= 'test-secret';
    const loaded = await loadConfig({ path: configFile, env, cwd: remote.root });
    const metrics = new Metrics({ processMetrics: false });
    const runtime = await createRuntime({
      config: loaded.config,
      logger: createLogger({ level: 'silent' }),
      env,
      baseDir: remote.root,
      observer: metrics.observer,
      onEcrCall: metrics.onEcrCall,
      onNotifyResult: metrics.onNotifyResult,
    });
    try {
      const result = await runtime.reconciler.reconcile({ trigger: 'manual' });
      metrics.reconciled('manual', 1, result);
      await runtime.notifier.flush();
    } finally {
      await runtime.close();
    }
    const [pr] = open();
    expect(pr?.number).toBe(1);
    const url = `${github.webUrl}/${REPO}/pull/1`;
    const text = await metrics.registry.metrics();
    expect(text).toContain(
      `drawbridge_pull_request_info{environment="prod",repository="default",branch="drawbridge/prod",number="1",url="${url}"} 1`,
    );
    expect(text).toMatch(
      /drawbridge_pull_requests_total\{environment="prod",repository="default",action="opened"\} 1/,
    );
    const details = ecr.events.events.map((event) => event.envelope.detail);
    expect(details).toEqual([
      expect.objectContaining({ image: 'api', new: '1.1.0', pullRequest: { number: 1, url } }) as unknown,
    ]);

    // A person retitles it: kept while the branch stays put.
    github.edit(REPO, 1, { title: 'Deploy api 1.1.0 (checked with the api team)' });
    run = await scan();
    expect(run.out).toContain('pull request #1 open, up to date');
    expect(open()[0]?.title).toBe('Deploy api 1.1.0 (checked with the api team)');
    // The branch moves: drawbridge's title and description again.
    push('api', '1.2.0');
    run = await scan('--dry-run');
    expect(run.out).toMatch(/pull request #1 would update: /);
    run = await scan();
    expect(run.out).toMatch(/pull request #1 updated: /);
    expect(open()[0]?.title).toBe('deploy(prod): api 1.0.0 → 1.2.0');
  }, 120_000);

  it('reads a branch a person deleted as GitHub does: its pull request closed, its tag refused', async () => {
    await writeConfig('drawbridge/{env}', '{}');
    push('api', '1.1.0');
    let run = await scan();
    expect(run.out).toMatch(/pull request #1 opened/);
    // A person deletes drawbridge's branch: GitHub closes the pull request with it.
    await git(remote.bare, ['branch', '-D', 'drawbridge/prod']);
    run = await scan('--explain');
    expect(run.code, run.out).toBe(0);
    expect(run.out).toContain('rejected 1.1.0: reverted (refused: pull request #1 closed without merging)');
    expect(open()).toHaveLength(0);
    expect(await remote.head('drawbridge/prod')).toBeUndefined();
    // A newer tag: the branch pushed again, with a new pull request.
    push('api', '1.2.0');
    run = await scan();
    expect(run.out).toMatch(/pull request #2 opened/);
    expect(await remote.head('drawbridge/prod')).toBeDefined();
  }, 120_000);

  it('fails only the pull request on a forge error, keeps the pushed branch, and says what to fix', async () => {
    await writeConfig('drawbridge/{env}', '{}');
    github.revokeToken(TOKEN);
    github.addToken(TOKEN, { permissions: { contents: 'write', pull_requests: 'read' } });
    push('api', '1.1.0');
    let run = await scan();
    expect(run.code).toBe(1);
    expect(run.out).toMatch(/^prod \(main → drawbridge\/prod\): FAILED$/m);
    expect(run.out).toMatch(/Pull requests: write/);
    expect(run.out + run.err).not.toContain(TOKEN);
    expect(await remote.head('drawbridge/prod')).toBeDefined();
    // The permission granted: the next pass opens the pull request for the branch as it is.
    github.addToken(TOKEN, { permissions: { pull_requests: 'write', contents: 'write', issues: 'write' } });
    run = await scan();
    expect(run.code, run.out).toBe(0);
    expect(run.out).toMatch(/pull request #1 opened/);
  }, 120_000);
});
