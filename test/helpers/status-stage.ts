/**
 * The stage of the commit-status tests (promote.healthy, onFailure.revert): a real bare remote
 * behind the GitHub emulator, drawbridge's token, and "Flux" posting statuses with its own
 * token through the real Octokit client; and a fleet of 150 images on it, for the fleet-size
 * cases.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Octokit } from '@octokit/rest';
import { runCli } from '../../src/cli/program.js';
import { startEmulator, type Emulator } from '../../src/testing/emulator/index.js';
import { startGitHubEmulator, type GitHubEmulator } from '../../src/testing/github/index.js';
import { appDeployment, pushAged } from './app-deployment.js';
import { createTestRemote, isolatedGitEnv, type TestRemote } from './git.js';
import { captureIO } from './io.js';

export const TOKEN = 'ghp_healthTESTtoken00000000000000000000';
const FLUX_TOKEN = 'ghp_fluxTESTtoken000000000000000000000';
export const REPO = 'acme/fleet';
/** Flux's notification-controller appends an id to `kind/name`. */
export const FLUX_CONTEXT = 'kustomization/apps/4f9c2a1b';
export const statusEnv = isolatedGitEnv({
  AWS_ACCESS_KEY_ID: 'AKIDTEST',
  AWS_SECRET_ACCESS_KEY: 'test-secret',
  GH_TOKEN: TOKEN,
});

export interface StatusHub {
  readonly hub: GitHubEmulator;
  /** Posts `state` for `sha` under FLUX_CONTEXT, as Flux's notification-controller does. */
  report(sha: string, state: 'success' | 'failure' | 'pending'): Promise<void>;
}

/** The GitHub emulator in front of `bare`; drawbridge's token may write contents when asked. */
export async function startStatusHub(bare: string, contents: 'read' | 'write'): Promise<StatusHub> {
  const hub = await startGitHubEmulator({ gitEnv: statusEnv });
  hub.addRepository(REPO, bare);
  hub.addToken(TOKEN, { permissions: { contents, statuses: 'read', checks: 'read' } });
  hub.addToken(FLUX_TOKEN, { permissions: { statuses: 'write' } });
  const flux = new Octokit({
    baseUrl: hub.apiUrl,
    auth: FLUX_TOKEN,
    log: { debug() {}, info() {}, warn() {}, error() {} },
  });
  return {
    hub,
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
  };
}

export function forgeLine(hub: GitHubEmulator): string {
  return `forge: { type: github, apiUrl: ${hub.apiUrl}, repository: ${REPO}, tokenEnv: GH_TOKEN, paceWrites: false }`;
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
  const hub = await startStatusHub(remote.bare, options.contents);
  const file = join(remote.root, 'drawbridge.yaml');
  await writeFile(
    file,
    [
      'version: 1',
      'git:',
      `  url: ${remote.url}`,
      `  workdir: ${remote.workdir}`,
      '  author: { name: drawbridge, email: drawbridge@example.test }',
      `  ${forgeLine(hub.hub)}`,
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
      await hub.hub.close();
      await ecr.close();
      await remote.cleanup();
    },
  };
}
