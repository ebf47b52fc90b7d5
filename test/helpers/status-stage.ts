/**
 * The stage of the commit-status tests (promote.healthy, onFailure.revert): a real bare remote
 * behind the GitHub or the GitLab emulator, drawbridge's token, and "Flux" posting statuses
 * with its own token through the real client (Octokit, gitbeaker), as its `github` and
 * `gitlab` providers do; and a fleet of 150 images on it, for the fleet-size cases.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Commits } from '@gitbeaker/rest';
import { Octokit } from '@octokit/rest';
import { runCli } from '../../src/cli/program.js';
import { startEmulator, type Emulator } from '../../src/testing/emulator/index.js';
import { startGitHubEmulator } from '../../src/testing/github/index.js';
import { startGitLabEmulator } from '../../src/testing/gitlab/index.js';
import { appDeployment, pushAged } from './app-deployment.js';
import { createTestRemote, isolatedGitEnv, type TestRemote } from './git.js';
import { captureIO } from './io.js';

export const TOKEN = 'ghp_healthTESTtoken00000000000000000000';
const FLUX_TOKEN = 'ghp_fluxTESTtoken000000000000000000000';
const GITLAB_TOKEN = 'glpat-healthTESTtoken0000000';
const GITLAB_FLUX_TOKEN = 'glpat-fluxTESTtoken00000000';
export const REPO = 'acme/fleet';
/** Flux's notification-controller appends an id to `kind/name`. */
export const FLUX_CONTEXT = 'kustomization/apps/4f9c2a1b';
export const statusEnv = isolatedGitEnv({
  AWS_ACCESS_KEY_ID: 'AKIDTEST',
  AWS_SECRET_ACCESS_KEY: 'test-secret',
  GH_TOKEN: TOKEN,
  GL_TOKEN: GITLAB_TOKEN,
});

export type StatusForge = 'github' | 'gitlab';

export interface StagePullRequest {
  readonly number: number;
  readonly head: string;
  readonly title: string;
  readonly state: 'open' | 'closed' | 'merged';
}
export const STATUS_FORGES: readonly StatusForge[] = ['github', 'gitlab'];
export type ReportedState = 'success' | 'failure' | 'pending';

export interface StatusHub {
  readonly forge: StatusForge;
  /** The `forge:` entry of the repository in the config. */
  readonly forgeLine: string;
  /** Posts `state` for `sha` under FLUX_CONTEXT, as Flux's notification-controller does. */
  report(sha: string, state: ReportedState): Promise<void>;
  /** The commits whose statuses drawbridge read since the last reset (one call per commit). */
  statusReads(): number;
  /** Pull (merge) requests into `base`, oldest first: GitHub's number, GitLab's iid. */
  pullRequests(base: string): StagePullRequest[];
  /** A person merges it (a merge commit); the base's new head. */
  merge(number: number): Promise<string>;
  /** A person closes it without merging. */
  closePullRequest(number: number): Promise<void>;
  resetCalls(): void;
  close(): Promise<void>;
}

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/** The forge emulator in front of `bare`; drawbridge's token may write when asked. */
export async function startStatusHub(
  bare: string,
  contents: 'read' | 'write',
  forge: StatusForge = 'github',
): Promise<StatusHub> {
  return forge === 'github' ? gitHubHub(bare, contents) : gitLabHub(bare, contents);
}

async function gitHubHub(bare: string, contents: 'read' | 'write'): Promise<StatusHub> {
  const hub = await startGitHubEmulator({ gitEnv: statusEnv });
  hub.addRepository(REPO, bare);
  hub.addToken(TOKEN, {
    permissions: {
      contents,
      statuses: 'read',
      checks: 'read',
      ...(contents === 'write' ? { pull_requests: 'write' } : {}),
    },
  });
  hub.addToken(FLUX_TOKEN, { permissions: { statuses: 'write' } });
  const flux = new Octokit({ baseUrl: hub.apiUrl, auth: FLUX_TOKEN, log: quiet });
  return {
    forge: 'github',
    forgeLine: `forge: { type: github, apiUrl: ${hub.apiUrl}, repository: ${REPO}, tokenEnv: GH_TOKEN, paceWrites: false }`,
    report: async (sha, state) => {
      await flux.rest.repos.createCommitStatus({
        owner: 'acme',
        repo: 'fleet',
        sha,
        state,
        context: FLUX_CONTEXT,
        target_url: 'https://flux.example.test/kustomization/apps',
      });
    },
    statusReads: () => hub.calls('repos.getCombinedStatusForRef'),
    pullRequests: (base) =>
      hub
        .pullRequests(REPO)
        .filter((pr) => pr.base === base)
        .map((pr) => ({
          number: pr.number,
          head: pr.head,
          title: pr.title,
          state: pr.merged ? 'merged' : pr.state,
        })),
    merge: (number) => hub.merge(REPO, number),
    closePullRequest: (number) => hub.close(REPO, number),
    resetCalls: () => hub.resetCalls(),
    close: () => hub.close(),
  };
}

/** GitLab's words for the states Flux's `gitlab` provider posts. */
const GITLAB_STATES = { success: 'success', failure: 'failed', pending: 'pending' } as const;

async function gitLabHub(bare: string, contents: 'read' | 'write'): Promise<StatusHub> {
  const lab = await startGitLabEmulator({ env: statusEnv });
  lab.addProject(REPO, bare);
  lab.addToken(GITLAB_TOKEN, {
    scopes: contents === 'write' ? ['api'] : ['read_api'],
    role: contents === 'write' ? 'developer' : 'reporter',
  });
  lab.addToken(GITLAB_FLUX_TOKEN, { username: 'flux', scopes: ['api'], role: 'developer' });
  const flux = new Commits({ host: lab.url, token: GITLAB_FLUX_TOKEN });
  return {
    forge: 'gitlab',
    forgeLine: `forge: { type: gitlab, apiUrl: ${lab.apiUrl}, repository: ${REPO}, tokenEnv: GL_TOKEN }`,
    report: async (sha, state) => {
      await flux.editStatus(REPO, sha, GITLAB_STATES[state], {
        name: FLUX_CONTEXT,
        targetUrl: 'https://flux.example.test/kustomization/apps',
      });
    },
    statusReads: () => lab.calls('GET /projects/:id/repository/commits/:sha/statuses'),
    pullRequests: (base) =>
      lab
        .mergeRequests(REPO)
        .filter((mr) => mr.targetBranch === base)
        .map((mr) => ({
          number: mr.iid,
          head: mr.sourceBranch,
          title: mr.title,
          state: mr.state === 'merged' ? 'merged' : mr.state === 'opened' ? 'open' : 'closed',
        })),
    merge: (number) => lab.merge(REPO, number),
    closePullRequest: (number) => lab.close(REPO, number),
    resetCalls: () => lab.resetCalls(),
    close: () => lab.close(),
  };
}

/** `drawbridge scan` in this process, as a CI job runs it. */
export async function scanWith(
  configFile: string,
  cwd: string,
  ...args: string[]
): Promise<{ code: number; out: string; err: string }> {
  const io = captureIO({ env: statusEnv, cwd });
  const code = await runCli(['scan', '--config', configFile, ...args], io);
  return { code, out: io.out(), err: io.err() };
}

export interface ApiStage {
  readonly ecr: Emulator;
  readonly remote: TestRemote;
  readonly hub: StatusHub;
  readonly configFile: string;
  scan(...args: string[]): Promise<{ code: number; out: string; err: string }>;
  /** The tag of image `api` in apps/app.yaml on `branch`. */
  tagIn(branch: string): Promise<string | undefined>;
  close(): Promise<void>;
}

/**
 * One image, `api`, at 1.0.0 in ECR and in apps/app.yaml on each of `branches`, behind the
 * forge's emulator, and a config whose environments are `environments` (lines under it).
 */
export async function startApiStage(options: {
  readonly forge: StatusForge;
  readonly contents: 'read' | 'write';
  readonly branches: readonly string[];
  readonly environments: string;
}): Promise<ApiStage> {
  const ecr = await startEmulator();
  const uri = { api: ecr.ecr.createRepository('api') };
  pushAged(ecr, 'api', '1.0.0');
  const manifest = { 'apps/app.yaml': appDeployment(uri, { api: '1.0.0' }) };
  const remote = await createTestRemote(Object.fromEntries(options.branches.map((b) => [b, manifest])));
  const hub = await startStatusHub(remote.bare, options.contents, options.forge);
  const configFile = join(remote.root, 'drawbridge.yaml');
  await writeFile(
    configFile,
    `version: 1
git:
  url: ${remote.url}
  workdir: ${remote.workdir}
  author: { name: drawbridge, email: drawbridge@example.test }
  ${hub.forgeLine}
aws: { region: ${ecr.region}, endpoint: ${ecr.endpoint} }
images:
  api: { repository: ${uri.api} }
environments:
${options.environments.trimEnd()}
`,
  );
  return {
    ecr,
    remote,
    hub,
    configFile,
    scan: (...args) => scanWith(configFile, remote.root, ...args),
    tagIn: async (branch) => /api:(\S+) #/.exec((await remote.readFile(branch, 'apps/app.yaml')) ?? '')?.[1],
    close: async () => {
      await hub.close();
      await ecr.close();
      await remote.cleanup();
    },
  };
}

/** Config lines: `staging` follows semver, `prod` promotes each image from it once `healthy` reports success. */
export function healthyPromotion(keys: readonly string[], healthy = 'kustomization/apps'): string[] {
  return [
    '  staging:',
    '    branch: staging',
    '    policies:',
    ...keys.map((key) => `      ${key}: { semver: '^1.0.0' }`),
    '  prod:',
    '    branch: prod',
    '    policies:',
    ...keys.map((key) => `      ${key}: { promote: { from: staging, after: 0s, healthy: [${healthy}] } }`),
  ];
}

export interface StatusFleet extends StatusHub {
  readonly keys: readonly string[];
  readonly remote: TestRemote;
  scan(...args: string[]): Promise<{ code: number; out: string; err: string }>;
  close(): Promise<void>;
}

/**
 * 150 images at 1.0.0 and 1.0.1 in ECR, one file each at 1.0.0 on `branches`, and a config
 * whose environments `environments(keys)` writes (lines under `environments:`).
 */
export async function startStatusFleet(options: {
  readonly branches: readonly string[];
  readonly contents: 'read' | 'write';
  readonly environments: (keys: readonly string[]) => string[];
  readonly forge?: StatusForge;
}): Promise<StatusFleet> {
  const ecr: Emulator = await startEmulator();
  const keys = Array.from({ length: 150 }, (_, i) => `svc-${i}`);
  const uris = Object.fromEntries(keys.map((key) => [key, ecr.ecr.createRepository(`fleet/${key}`)]));
  for (const key of keys) {
    pushAged(ecr, `fleet/${key}`, '1.0.0');
    pushAged(ecr, `fleet/${key}`, '1.0.1');
  }
  const files = Object.fromEntries(
    keys.map((key) => [`apps/${key}.yaml`, appDeployment({ [key]: uris[key]! }, { [key]: '1.0.0' })]),
  );
  const remote = await createTestRemote(
    Object.fromEntries(options.branches.map((branch) => [branch, files])),
  );
  const hub = await startStatusHub(remote.bare, options.contents, options.forge);
  const file = join(remote.root, 'drawbridge.yaml');
  await writeFile(
    file,
    [
      'version: 1',
      'git:',
      `  url: ${remote.url}`,
      `  workdir: ${remote.workdir}`,
      '  author: { name: drawbridge, email: drawbridge@example.test }',
      `  ${hub.forgeLine}`,
      `aws: { region: ${ecr.region}, endpoint: ${ecr.endpoint} }`,
      'images:',
      ...keys.map((key) => `  ${key}: { repository: ${uris[key]} }`),
      'environments:',
      ...options.environments(keys),
      '',
    ].join('\n'),
  );
  return {
    ...hub,
    keys,
    remote,
    scan: (...args) => scanWith(file, remote.root, ...args),
    close: async () => {
      await hub.close();
      await ecr.close();
      await remote.cleanup();
    },
  };
}
