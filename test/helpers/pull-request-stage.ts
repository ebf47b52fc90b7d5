/**
 * The stage the pull-request end-to-end tests share: the ECR emulator holding `api` (1.0.0)
 * and `web` (2.0.0), a real bare remote whose main has one manifest referencing both, and a
 * config file beside it with one environment, prod, pushing to a pull-request branch. Each
 * test file puts its own forge in front of the remote and names it in `writeConfig`.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { startEmulator, type Emulator } from '../../src/testing/emulator/index.js';
import { appDeployment, pushAged } from './app-deployment.js';
import { createTestRemote, type TestRemote } from './git.js';
import { captureIO } from './io.js';

export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

export interface PullRequestConfig {
  /** The `git.forge` value, as YAML. */
  readonly forge: string;
  /** `push.branch`; default `drawbridge/{env}`. */
  readonly pushBranch?: string;
  /** The `push.pullRequest` value, as YAML. */
  readonly pullRequest: string;
}

export interface PullRequestStage {
  readonly ecr: Emulator;
  readonly remote: TestRemote;
  readonly configFile: string;
  /** The manifest text for these tags of api and web. */
  deployment(images: Record<string, string>): string;
  /** A tag pushed to the emulator, old enough for any soak time. */
  push(repository: string, tag: string): void;
  writeConfig(config: PullRequestConfig): Promise<void>;
  scan(...args: string[]): Promise<CliRun>;
  /** `drawbridge status`'s output; it must exit 0. */
  status(): Promise<string>;
  close(): Promise<void>;
}

export async function openPullRequestStage(env: NodeJS.ProcessEnv): Promise<PullRequestStage> {
  const ecr = await startEmulator();
  const uri = { api: ecr.ecr.createRepository('api'), web: ecr.ecr.createRepository('web') };
  const deployment = (images: Record<string, string>): string => appDeployment(uri, images);
  const push = (repository: string, tag: string): void => pushAged(ecr, repository, tag);
  push('api', '1.0.0');
  push('web', '2.0.0');
  const remote = await createTestRemote({
    main: { 'apps/app.yaml': deployment({ api: '1.0.0', web: '2.0.0' }) },
  });
  const configFile = join(remote.root, 'drawbridge.yaml');
  const cli = async (args: readonly string[]): Promise<CliRun> => {
    const io = captureIO({ env, cwd: remote.root });
    const code = await runCli([...args], io);
    return { code, out: io.out(), err: io.err() };
  };
  return {
    ecr,
    remote,
    configFile,
    deployment,
    push,
    writeConfig: ({ forge, pushBranch = 'drawbridge/{env}', pullRequest }) =>
      writeFile(
        configFile,
        `version: 1
git:
  url: ${remote.url}
  workdir: ${remote.workdir}
  author: { name: drawbridge, email: drawbridge@example.test }
  forge: ${forge}
aws: { region: ${ecr.region}, endpoint: ${ecr.endpoint} }
images:
  api: { repository: ${uri.api} }
  web: { repository: ${uri.web} }
environments:
  prod:
    branch: main
    push: { branch: '${pushBranch}', pullRequest: ${pullRequest} }
    policies: { api: { semver: '^1.0.0' }, web: { semver: '^2.0.0' } }
`,
      ),
    scan: (...args) => cli(['scan', '--config', configFile, ...args]),
    status: async () => {
      const run = await cli(['status', '--config', configFile]);
      expect(run.code, run.out + run.err).toBe(0);
      return run.out;
    },
    close: async () => {
      await ecr.close();
      await remote.cleanup();
    },
  };
}
