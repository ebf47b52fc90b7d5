/**
 * The real thing on loopback, shared by the replicas test and the daemon benchmark: the AWS
 * emulator (ECR + SQS), a bare Git remote with one manifest per image, and daemons built by
 * createRuntime exactly as `drawbridge run` builds them.
 */
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { configSchema, type Config, type ConfigInput } from '../../src/config/schema.js';
import { startDaemon, type Daemon } from '../../src/daemon/daemon.js';
import { Metrics } from '../../src/daemon/metrics.js';
import type { Logger } from '../../src/log/logger.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { startEmulator, type Emulator } from '../../src/testing/emulator/index.js';
import { createTestRemote, isolatedGitEnv, type TestRemote } from '../helpers/git.js';

export const EVENTS_TOKEN = 'e2e-events-token-0123456789abcdef-0123456789';
const CREDENTIALS = { accessKeyId: 'AKIDE2E', secretAccessKey: 'e2e-secret' };

export interface World {
  readonly emulator: Emulator;
  readonly remote: TestRemote;
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly images: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  repositoryName(image: string): string;
  /** The tag in the manifest on the remote's dev branch. */
  tagInGit(image: string): Promise<string | undefined>;
  close(): Promise<void>;
}

export interface Replica {
  readonly daemon: Daemon;
  readonly runtime: Runtime;
  readonly metrics: Metrics;
  stop(): Promise<void>;
}

const manifest = (uri: string, tag: string, image: string): string =>
  `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${image}
spec:
  template:
    spec:
      containers:
        - name: ${image}
          image: ${uri}:${tag} # {"$imagepolicy": "${image}"}
`;

export async function createWorld(imageCount: number): Promise<World> {
  // The ECR client takes its credentials from the SDK's default chain.
  process.env['AWS_ACCESS_KEY_ID'] = CREDENTIALS.accessKeyId;
  process.env['AWS_SECRET_ACCESS_KEY'] = CREDENTIALS.secretAccessKey;
  const emulator = await startEmulator();
  const images = Array.from({ length: imageCount }, (_, i) => `app${String(i).padStart(2, '0')}`);
  const files: Record<string, string> = {};
  for (const image of images) {
    const uri = emulator.ecr.createRepository(`team/${image}`);
    emulator.ecr.pushImage({ repository: `team/${image}`, tags: ['1.0.0'] });
    files[`apps/${image}.yaml`] = manifest(uri, '1.0.0', image);
  }
  const remote = await createTestRemote({ dev: files });
  const sqs = new SQSClient({
    region: emulator.region,
    endpoint: emulator.endpoint,
    credentials: CREDENTIALS,
  });
  const created = await sqs.send(
    new CreateQueueCommand({ QueueName: 'drawbridge-ecr', Attributes: { VisibilityTimeout: '30' } }),
  );
  const queueUrl = created.QueueUrl ?? '';
  return {
    emulator,
    remote,
    sqs,
    queueUrl,
    images,
    env: isolatedGitEnv({ DRAWBRIDGE_EVENTS_TOKEN: EVENTS_TOKEN }),
    repositoryName: (image) => `team/${image}`,
    async tagInGit(image) {
      const text = await remote.readFile('dev', `apps/${image}.yaml`);
      return /:([^:\s]+) # /.exec(text ?? '')?.[1];
    },
    async close() {
      sqs.destroy();
      await emulator.close();
      await remote.cleanup();
    },
  };
}

export function worldConfig(world: World, workdir: string, overrides: Partial<ConfigInput> = {}): Config {
  const uri = (image: string): string => world.emulator.ecr.repositoryUri(world.repositoryName(image));
  return configSchema.parse({
    version: 1,
    git: { url: world.remote.url, workdir },
    aws: { region: world.emulator.region, endpoint: world.emulator.endpoint },
    images: Object.fromEntries(world.images.map((image) => [image, { repository: uri(image) }])),
    environments: {
      dev: {
        branch: 'dev',
        policies: Object.fromEntries(world.images.map((image) => [image, { semver: '*' }])),
      },
    },
    // Never fires during a test: sweeps are triggered by hand.
    schedule: '0 0 1 1 *',
    server: { port: 0, host: '127.0.0.1' },
    events: {
      sqs: { queueUrl: world.queueUrl, waitTimeSeconds: 20 },
      http: { path: '/events/ecr', tokenEnv: 'DRAWBRIDGE_EVENTS_TOKEN' },
      coalesce: '100ms',
    },
    ...overrides,
  } satisfies ConfigInput);
}

export async function startReplica(
  world: World,
  name: string,
  logger: Logger,
  overrides: Partial<ConfigInput> = {},
): Promise<Replica> {
  const workdir = join(world.remote.root, `workdir-${name}`);
  await mkdir(workdir, { recursive: true });
  const config = worldConfig(world, workdir, overrides);
  const metrics = new Metrics({ processMetrics: false });
  const runtime = await createRuntime({
    config,
    logger: logger.child({ replica: name }),
    env: world.env,
    baseDir: world.remote.root,
    observer: metrics.observer,
    onEcrCall: metrics.onEcrCall,
  });
  const daemon = await startDaemon({
    config,
    reconciler: runtime.reconciler,
    source: runtime.source,
    notifier: runtime.notifier,
    logger: logger.child({ replica: name }),
    env: world.env,
    metrics,
    sqsClient: world.sqs,
  });
  return {
    daemon,
    runtime,
    metrics,
    async stop() {
      await daemon.stop('test over');
      await runtime.close();
    },
  };
}

/** Pushes `tag` of an image to the emulated ECR and returns the event ECR would send. */
export function pushTag(world: World, image: string, tag: string): string {
  const pushed = world.emulator.ecr.pushImage({ repository: world.repositoryName(image), tags: [tag] });
  return JSON.stringify(pushEvent(world, image, tag, pushed.digest));
}

/** The EventBridge envelope ECR sends for a push of `tag` (nothing is pushed). */
export function pushEvent(world: World, image: string, tag: string, digest: string) {
  return {
    version: '0',
    id: `${image}-${tag}`,
    'detail-type': 'ECR Image Action',
    source: 'aws.ecr',
    account: world.emulator.accountId,
    time: new Date().toISOString(),
    region: world.emulator.region,
    resources: [] as string[],
    detail: {
      result: 'SUCCESS',
      'repository-name': world.repositoryName(image),
      'image-digest': digest,
      'action-type': 'PUSH',
      'image-tag': tag,
    } as Record<string, string>,
  };
}

/** Polls `condition` every 50 ms until it holds, or fails naming `what`. */
export async function until(
  condition: () => Promise<boolean>,
  what: string,
  limitMs = 100_000,
): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
