/** A scripted Reconciler and a small config for the daemon's tests. */
import { configSchema, type Config, type ConfigInput } from '../../src/config/schema.js';
import type {
  EnvironmentOutcome,
  ReconcileObserver,
  ReconcileResult,
  ReconcileScope,
  Reconciler,
} from '../../src/reconcile.js';
import type { ImageSource } from '../../src/registry.js';

export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';
export const repo = (name: string): string => `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${name}`;

export function testConfig(overrides: Partial<ConfigInput> = {}): Config {
  return configSchema.parse({
    version: 1,
    git: { url: 'file:///nowhere.git' },
    images: {
      web: { repository: repo('team/web') },
      api: { repository: repo('team/api') },
      worker: { repository: repo('team/worker') },
    },
    environments: {
      dev: { branch: 'dev', policies: { web: { semver: '*' }, api: { semver: '*' } } },
      staging: { branch: 'staging', policies: { web: { semver: '*' }, worker: { newest: 'pushed' } } },
      prod: { branch: 'main', policies: { web: { promote: { from: 'staging', after: '1h' } } } },
    },
    server: { port: 0, host: '127.0.0.1' },
    ...overrides,
  } satisfies ConfigInput);
}

interface Deferred {
  readonly promise: Promise<void>;
  readonly resolve: () => void;
}

function deferred(): Deferred {
  let resolve = (): void => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

export type Script = (scope: ReconcileScope, call: number) => Partial<ReconcileResult> | 'throw' | undefined;

/**
 * Records every scope; `hold()` makes the next calls wait until released, `started(n)`
 * resolves when the n-th call (1-based) has begun, `script` shapes results.
 */
export class FakeReconciler implements Reconciler {
  readonly calls: ReconcileScope[] = [];
  running = 0;
  maxRunning = 0;
  script: Script = () => undefined;
  private gate: Deferred | undefined;
  private readonly startWaiters: { count: number; resolve: () => void }[] = [];

  constructor(private readonly observer?: ReconcileObserver) {}

  hold(): () => void {
    const gate = deferred();
    this.gate = gate;
    return () => {
      if (this.gate === gate) this.gate = undefined;
      gate.resolve();
    };
  }

  started(count: number): Promise<void> {
    if (this.calls.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.startWaiters.push({ count, resolve }));
  }

  async reconcile(scope: ReconcileScope): Promise<ReconcileResult> {
    this.calls.push(scope);
    const call = this.calls.length;
    this.running += 1;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    for (const waiter of this.startWaiters.filter((w) => w.count <= call)) waiter.resolve();
    try {
      await this.gate?.promise;
      const scripted = this.script(scope, call);
      if (scripted === 'throw') throw new Error('scripted failure');
      const environments: EnvironmentOutcome[] = (scope.environments ?? []).map((name) =>
        outcome(name, 'unchanged'),
      );
      for (const env of scripted?.environments ?? []) {
        if (env.status === 'committed') this.observer?.onCommit?.(env.environment, env.repository);
        if (env.status === 'committed') this.observer?.onPush?.(env.environment, env.repository, 'pushed');
      }
      return {
        trigger: scope.trigger,
        startedAt: new Date(),
        finishedAt: new Date(),
        environments,
        repositories: [],
        registryFailures: [],
        ecrReachable: true,
        gitReachable: true,
        ...scripted,
      };
    } finally {
      this.running -= 1;
    }
  }
}

export function outcome(
  environment: string,
  status: EnvironmentOutcome['status'],
  extra: Partial<EnvironmentOutcome> = {},
): EnvironmentOutcome {
  return {
    environment,
    repository: 'default',
    branch: environment,
    pushBranch: environment,
    status,
    updates: [],
    decisions: [],
    images: [],
    problems: [],
    attempts: status === 'committed' ? 1 : 0,
    ...extra,
  };
}

/** Records invalidations; listing is never called by the daemon itself. */
export class RecordingSource implements ImageSource {
  readonly invalidated: (readonly string[] | 'all')[] = [];
  list(): never {
    throw new Error('not used');
  }
  scanFindings(): never {
    throw new Error('not used');
  }
  invalidate(keys?: readonly string[]): void {
    this.invalidated.push(keys ?? 'all');
  }
}

export function pushEvent(repositoryName: string, tag: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    version: '0',
    id: `evt-${repositoryName}-${tag}`,
    'detail-type': 'ECR Image Action',
    source: 'aws.ecr',
    account: ACCOUNT,
    time: '2026-01-01T00:00:00Z',
    region: REGION,
    resources: [],
    detail: {
      result: 'SUCCESS',
      'repository-name': repositoryName,
      'image-digest': `sha256:${'a'.repeat(64)}`,
      'action-type': 'PUSH',
      'image-tag': tag,
    },
    ...extra,
  });
}
