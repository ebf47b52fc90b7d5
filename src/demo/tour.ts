/**
 * `drawbridge demo`: the whole loop on this machine. An ECR emulator on loopback, a bare Git
 * remote with a small fleet, a config beside them, and the real daemon (schedule + HTTP
 * events) built by the same runtime as production, with prod's changes going through pull
 * requests on a GitHub API emulator in front of the same remote. Then: a pull request opened
 * and merged, an image push and its event, the decision, the commit, a person's revert being
 * respected, and a newer tag moving on.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { explainDecision, renderStatus } from '../cli/render.js';
import { loadConfig } from '../config/load.js';
import { startDaemon, type Daemon } from '../daemon/daemon.js';
import { Metrics } from '../daemon/metrics.js';
import { createLogger, type Logger } from '../log/logger.js';
import { createRuntime, type Runtime } from '../runtime.js';
import { startEmulator, type Emulator } from '../testing/emulator/index.js';
import { startGitHubEmulator, type GitHubEmulator } from '../testing/github/index.js';
import { seedFleet, type FleetImages } from './fleet.js';
import { demoConfig } from './config.js';

const exec = promisify(execFile);
const HOUR = 3_600_000;
const GITHUB_REPOSITORY = 'acme/fleet';
const DEMO_CREDENTIALS = async () => ({ accessKeyId: 'AKIDDEMO', secretAccessKey: 'demo-secret' });

export interface TourOptions {
  readonly dir?: string;
  readonly keepRunning?: boolean;
  /** The story. */
  readonly out: NodeJS.WritableStream & { isTTY?: boolean };
  /**
   * The daemon's logs when `out` is not a terminal (default stderr), so that
   * `drawbridge demo > story.txt` holds the story alone. On a terminal they go to `out`,
   * pretty and in between the steps, to show what the daemon logs look like.
   */
  readonly logs?: NodeJS.WritableStream & { isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
  /** Resolves when the user wants to stop (--keep-running). */
  readonly untilStopped: () => Promise<void>;
}

interface Stage {
  readonly dir: string;
  readonly remote: string;
  readonly emulator: Emulator;
  readonly runtime: Runtime;
  readonly daemon: Daemon;
  readonly github: GitHubEmulator;
  readonly token: string;
  readonly gitEnv: NodeJS.ProcessEnv;
}

export async function runTour(options: TourOptions): Promise<void> {
  const { out } = options;
  const say = (text = ''): void => void out.write(`${text}\n`);
  const step = (n: number, text: string): void => say(`\n${bold(`${n}. ${text}`, out)}`);
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'drawbridge-demo-')));
  await mkdir(dir, { recursive: true });
  const gitEnv = isolatedGit(options.env);

  say(bold('drawbridge demo — ECR push → policy → byte-exact edit → commit → push, on this machine', out));

  step(1, 'An ECR-compatible emulator on loopback, with three repositories');
  const emulator = await startEmulator();
  const images = seedRegistry(emulator);
  say(`   endpoint ${emulator.endpoint}`);
  say('   podinfo 6.0.0, 6.0.1 · api main-1700000000-1a2b3c4, main-1700000600-5d6e7f8 · web 1.4.0, 1.4.2');

  step(2, 'A Git remote holding the fleet, with dev and main branches');
  const remote = join(dir, 'fleet.git');
  await seedFleet({
    remote,
    scratch: join(dir, 'seed'),
    images,
    branches: {
      dev: { podinfo: '6.0.0', api: 'main-1700000000-1a2b3c4', web: '1.4.0' },
      main: { podinfo: '6.0.0', api: 'main-1700000000-1a2b3c4', web: '1.4.0' },
    },
    author: { name: 'Demo Person', email: 'person@demo.local' },
    env: gitEnv,
  });
  say(
    `   ${pathToFileURL(remote).href}: a Deployment (podinfo), a kustomization (api) and Helm values (web), each with markers`,
  );
  const github = await startGitHubEmulator({ gitEnv });
  const githubToken = randomBytes(16).toString('hex');
  github.addRepository(GITHUB_REPOSITORY, remote, { collaborators: ['alice'] });
  github.addToken(githubToken, {
    permissions: { contents: 'write', pull_requests: 'write', issues: 'write' },
  });
  say(`   its pull requests: a GitHub API emulator at ${github.apiUrl}, as ${GITHUB_REPOSITORY}`);

  step(3, 'A config beside them');
  const configFile = join(dir, 'drawbridge.yaml');
  await writeFile(
    configFile,
    demoConfig({
      remote: pathToFileURL(remote).href,
      endpoint: emulator.endpoint,
      images,
      githubApi: github.apiUrl,
      githubRepository: GITHUB_REPOSITORY,
    }),
  );
  say(
    `   ${configFile}: dev follows the newest builds; prod takes podinfo ^6 after 1h in ECR and api after 1h live in dev, through pull requests`,
  );

  const token = randomBytes(16).toString('hex');
  const env = {
    ...options.env,
    ...gitEnv,
    DRAWBRIDGE_DEMO_TOKEN: token,
    DRAWBRIDGE_DEMO_GITHUB_TOKEN: githubToken,
  };
  const loaded = await loadConfig({ path: configFile, env, cwd: dir });
  // On a terminal the logs are part of the show; elsewhere the story and the logs stay apart.
  const logs = out.isTTY ? out : (options.logs ?? process.stderr);
  const logger = createLogger({ level: 'info', destination: logs });
  if (logs !== out) say('   (the daemon logs go to stderr, as JSON lines unless stderr is a terminal)');
  logger.info({ component: 'demo' }, 'the daemon logs look like this');
  const metrics = new Metrics();
  const runtime = await createRuntime({
    config: loaded.config,
    logger,
    env,
    baseDir: dir,
    credentials: DEMO_CREDENTIALS,
    observer: metrics.observer,
    onEcrCall: metrics.onEcrCall,
    onNotifyResult: metrics.onNotifyResult,
    onDeliveryResult: metrics.onDeliveryResult,
  });

  step(4, 'The daemon starts (schedule + HTTP events) and sweeps once');
  const daemon = await startDaemon({
    ...runtime,
    config: loaded.config,
    logger,
    env,
    metrics,
    configFile,
    watchConfig: false,
  });
  await daemon.idle();
  const stage: Stage = { dir, remote, emulator, runtime, daemon, github, token, gitEnv };
  say(await gitLog(stage, ['log', '--format=   %h %an  %s', 'dev', 'main', '-n', '4']));
  const pullRequest = showPullRequest(stage, say);

  step(5, `A reviewer merges pull request #${pullRequest} on GitHub; the next sweep finds prod up to date`);
  await github.merge(GITHUB_REPOSITORY, pullRequest, 'merge');
  await sweepNow(daemon);
  say(await gitLog(stage, ['log', '--format=   %h %an  %s', '--first-parent', 'main', '-n', '2']));
  const stillOpen = github.pullRequests(GITHUB_REPOSITORY).filter((pr) => pr.state === 'open').length;
  say(`   open pull requests: ${stillOpen}; the merge carried drawbridge's trailers into main`);

  step(6, 'CI pushes podinfo:6.1.0 to ECR; EventBridge sends the push event to the daemon');
  const commit = await pushAndWait(stage, 'podinfo', '6.1.0', say);
  await explain(stage, 'dev', 'podinfo', say);
  say(`   the commit (git log -1 -p ${commit.slice(0, 7)}):`);
  say(
    indent(
      await gitLog(stage, [
        'log',
        '-1',
        '-p',
        '--format=commit %H%nAuthor: %an <%ae>%nDate:   %cd%n%n%w(0,4,4)%B',
        commit,
      ]),
    ),
  );

  step(7, `A person reverts it: git revert ${commit.slice(0, 7)} && git push`);
  await revertAsPerson(stage, 'dev', commit);
  await sweepNow(daemon);
  const file = await gitLog(stage, ['show', 'dev:apps/podinfo/deployment.yaml']);
  say(
    `   after the next sweep, dev still runs ${/podinfo:(\S+)/.exec(file)?.[1] ?? '?'}: the reverted tag is not re-applied`,
  );
  await explain(stage, 'dev', 'podinfo', say);

  step(8, 'CI pushes podinfo:6.1.1: a newer tag moves on');
  await pushAndWait(stage, 'podinfo', '6.1.1', say);

  step(9, 'drawbridge status');
  const status = await runtime.reconciler.reconcile({ trigger: 'manual', dryRun: true });
  say(indent(renderStatus(status, new Date())));

  say(bold('Poke around:', out));
  say(`   git -C ${remote} log --oneline --graph --all`);
  say(`   config ${configFile}; the daemon's clone ${join(dir, 'work')}`);
  // No AWS keys needed: status sees that aws.endpoint is on this machine (see status.ts).
  say(
    options.keepRunning
      ? `   DRAWBRIDGE_DEMO_GITHUB_TOKEN=${githubToken} drawbridge status --config ${configFile}   (no AWS credentials needed: aws.endpoint is the emulator)`
      : `   drawbridge demo --keep-running keeps the emulator up, for: drawbridge status --config ${configFile}`,
  );
  if (options.keepRunning) {
    say(`   the daemon keeps running at ${daemon.url} (metrics at ${daemon.url}/metrics); Ctrl-C stops it`);
    say(`   try: curl -s -XPOST -H 'x-drawbridge-token: ${token}' ${daemon.url}/events/ecr -d @event.json`);
    await options.untilStopped();
  }
  await daemon.stop('demo finished');
  await runtime.close();
  await github.close();
  await emulator.close();
  say(`\ndone: everything is in ${dir}`);
}

/** Prints the pull request the first sweep opened for prod; answers its number. */
function showPullRequest(stage: Stage, say: (t?: string) => void): number {
  const [pr] = stage.github.pullRequests(GITHUB_REPOSITORY).filter((p) => p.state === 'open');
  if (pr === undefined) throw new Error('the first sweep opened no pull request for prod');
  say(`   prod passes review: pull request #${pr.number} from ${pr.head} into ${pr.base}`);
  say(`     ${stage.github.webUrl}/${GITHUB_REPOSITORY}/pull/${pr.number}`);
  say(`     title: ${pr.title}`);
  say(`     labels: ${pr.labels.join(', ')} · reviewers: ${pr.reviewers.join(', ')}`);
  for (const line of (pr.body ?? '').split('\n').filter((l) => l.startsWith('|'))) say(`     ${line}`);
  return pr.number;
}

/** A full sweep through the daemon, waiting out one that is already running. */
async function sweepNow(daemon: Daemon): Promise<void> {
  for (;;) {
    await daemon.idle();
    if ((await daemon.triggerSweep('manual')) !== 'skipped') return;
  }
}

function seedRegistry(emulator: Emulator): FleetImages {
  const ecr = emulator.ecr;
  const at = (hoursAgo: number): Date => new Date(Date.now() - hoursAgo * HOUR);
  const images = {
    podinfo: ecr.createRepository('podinfo'),
    api: ecr.createRepository('acme/api'),
    web: ecr.createRepository('web'),
  };
  ecr.pushImage({ repository: 'podinfo', tags: ['6.0.0'], pushedAt: at(72) });
  ecr.pushImage({ repository: 'podinfo', tags: ['6.0.1', 'stable'], pushedAt: at(48) });
  ecr.pushImage({ repository: 'acme/api', tags: ['main-1700000000-1a2b3c4'], pushedAt: at(30) });
  ecr.pushImage({ repository: 'acme/api', tags: ['main-1700000600-5d6e7f8'], pushedAt: at(20) });
  ecr.pushImage({ repository: 'acme/api', tags: ['cache-main'], pushedAt: at(1) });
  ecr.pushImage({ repository: 'web', tags: ['1.4.0'], pushedAt: at(50) });
  const web = ecr.pushImage({ repository: 'web', tags: ['1.4.2'], pushedAt: at(26) });
  ecr.pushReferrer({ repository: 'web', subject: web.digest, kind: 'cosign-signature', pushedAt: at(26) });
  return images;
}

async function pushAndWait(
  stage: Stage,
  repository: string,
  tag: string,
  say: (t?: string) => void,
): Promise<string> {
  const before = await head(stage, 'dev');
  const pushed = stage.emulator.ecr.pushImage({ repository, tags: [tag] });
  const event = {
    version: '0',
    id: randomBytes(8).toString('hex'),
    'detail-type': 'ECR Image Action',
    source: 'aws.ecr',
    account: stage.emulator.accountId,
    time: new Date().toISOString(),
    region: stage.emulator.region,
    resources: [],
    detail: {
      result: 'SUCCESS',
      'repository-name': repository,
      'image-digest': pushed.digest,
      'action-type': 'PUSH',
      'image-tag': tag,
    },
  };
  const started = performance.now();
  const response = await fetch(`${stage.daemon.url}/events/ecr`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-drawbridge-token': stage.token },
    body: JSON.stringify(event),
  });
  say(
    `   POST /events/ecr ${repository}:${tag} → ${response.status} ${await response.text()} (${Math.round(performance.now() - started)} ms)`,
  );
  await stage.daemon.idle();
  const after = await head(stage, 'dev');
  if (after === before) throw new Error(`the push of ${repository}:${tag} produced no commit on dev`);
  say(
    `   dev moved to ${after.slice(0, 7)} ${Math.round(performance.now() - started)} ms after the event arrived`,
  );
  return after;
}

async function explain(
  stage: Stage,
  environment: string,
  image: string,
  say: (t?: string) => void,
): Promise<void> {
  const result = await stage.runtime.reconciler.reconcile({
    trigger: 'manual',
    environments: [environment],
    images: [image],
    dryRun: true,
  });
  const decision = result.environments[0]?.images.find((i) => i.image === image)?.decision;
  if (!decision) return;
  say(`   the decision for ${image} in ${environment} (drawbridge scan --explain):`);
  for (const line of explainDecision(decision).slice(0, 6)) say(`     ${line}`);
}

async function revertAsPerson(stage: Stage, branch: string, sha: string): Promise<void> {
  const clone = join(stage.dir, 'person');
  await exec('git', ['clone', '--quiet', '--branch', branch, stage.remote, clone], { env: stage.gitEnv });
  await exec('git', ['revert', '--no-edit', sha], { cwd: clone, env: stage.gitEnv });
  await exec('git', ['push', '--quiet', 'origin', branch], { cwd: clone, env: stage.gitEnv });
}

async function head(stage: Stage, branch: string): Promise<string> {
  return (await gitLog(stage, ['rev-parse', branch])).trim();
}

async function gitLog(stage: Stage, args: readonly string[]): Promise<string> {
  const { stdout } = await exec('git', [...args], {
    cwd: stage.remote,
    env: stage.gitEnv,
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout.trimEnd();
}

function isolatedGit(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    ...env,
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: 'Demo Person',
    GIT_AUTHOR_EMAIL: 'person@demo.local',
    GIT_COMMITTER_NAME: 'Demo Person',
    GIT_COMMITTER_EMAIL: 'person@demo.local',
  };
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `   ${line}`)
    .join('\n');
}

function bold(text: string, out: { isTTY?: boolean }): string {
  return out.isTTY ? `\x1b[1m${text}\x1b[0m` : text;
}

export type { Logger };
