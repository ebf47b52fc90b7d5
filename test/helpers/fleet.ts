/**
 * End-to-end harness: the ECR emulator over HTTP, a bare Git remote seeded with manifests, a
 * config pointing at both, and the production runtime (real ECR client, real git).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { createLogger, type Logger } from '../../src/log/logger.js';
import type { ReconcileObserver } from '../../src/reconcile.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { startEmulator, type Emulator } from '../../src/testing/emulator/index.js';
import { createTestRemote, isolatedGitEnv, type TestRemote } from './git.js';

export const STATIC_CREDENTIALS = async () => ({ accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' });

export interface Fleet {
  readonly emulator: Emulator;
  readonly remote: TestRemote;
  /** Repository URI of an emulator repository. */
  uri(name: string): string;
  /** A config text with the emulator and remote filled in. */
  configText(body: string, workdir?: string): string;
  config(body: string, workdir?: string): Config;
  runtime(config: Config, options?: RuntimeExtras): Promise<Runtime>;
  close(): Promise<void>;
}

export interface RuntimeExtras {
  readonly now?: () => Date;
  readonly logger?: Logger;
  readonly observer?: ReconcileObserver;
}

export async function startFleet(
  seed: Readonly<Record<string, Readonly<Record<string, string>>>>,
): Promise<Fleet> {
  const emulator = await startEmulator();
  const remote = await createTestRemote(seed);
  const runtimes: Runtime[] = [];
  const configText = (body: string, workdir = remote.workdir): string =>
    `version: 1
git:
  url: ${remote.url}
  author: { name: drawbridge, email: drawbridge@example.test }
  workdir: ${workdir}
aws:
  region: eu-west-1
  endpoint: ${emulator.endpoint}
${body}`;
  const fleet: Fleet = {
    emulator,
    remote,
    uri: (name) => emulator.ecr.repositoryUri(name),
    configText,
    config: (body, workdir) =>
      parseConfig(configText(body, workdir), join(remote.root, 'drawbridge.yaml')).config,
    async runtime(config, options = {}) {
      const runtime = await createRuntime({
        config,
        logger: options.logger ?? createLogger({ level: 'silent' }),
        env: isolatedGitEnv(),
        baseDir: remote.root,
        credentials: STATIC_CREDENTIALS,
        ...(options.now ? { now: options.now } : {}),
        ...(options.observer ? { observer: options.observer } : {}),
      });
      runtimes.push(runtime);
      return runtime;
    },
    async close() {
      for (const runtime of runtimes) await runtime.close();
      await emulator.close();
      await remote.cleanup();
    },
  };
  return fleet;
}

/** Writes a config file into the remote's temp folder (for CLI tests) and returns its path. */
/** Config body (for `fleet.config` / `writeConfigFile`): podinfo in one `dev` environment. */
export const PODINFO_DEV = `images:
  podinfo: { repository: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/podinfo }
environments:
  dev:
    branch: dev
    policies:
      podinfo: { semver: '^6.0.0' }
`;

export async function writeConfigFile(fleet: Fleet, body: string, workdir?: string): Promise<string> {
  const file = join(fleet.remote.root, 'drawbridge.yaml');
  await writeFile(file, fleet.configText(body, workdir));
  return file;
}

export function deployment(name: string, image: string, marker = name): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  template:
    spec:
      containers:
        - name: ${name}
          image: ${image} # {"$imagepolicy": "flux-system:${marker}"}
`;
}
