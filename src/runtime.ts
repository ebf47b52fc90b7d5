/**
 * Builds the production pieces from a loaded config: the image source (ECR, OCI), the Git workspace, the
 * notifier and the reconciler. `scan`, `status`, `run` and `demo` all come through here, so the
 * demo exercises exactly what production runs.
 */
import { dirname, join } from 'node:path';
import { repositoriesOf } from './config/repositories.js';
import type { Config } from './config/schema.js';
import type { Forge } from './forge.js';
import { loadForges } from './forges/index.js';
import { createGitLauncher } from './git/launcher.js';
import { createWorkspaces, type Workspaces } from './git/workspaces.js';
import type { Logger } from './log/logger.js';
import { Redactor } from './log/redact.js';
import { createManifestWorkers } from './manifest/workers.js';
import { fanOut } from './notify/fanout.js';
import { noopNotifier } from './notify/none.js';
import type { Notifier } from './notify/types.js';
import { createReconciler, type ReconcileObserver, type Reconciler } from './reconcile.js';
import { filePlanMemo } from './reconcile/plan-memo.js';
import { fileHistoryMemo } from './git/history-memo.js';
import type { CredentialProvider } from './aws-credentials.js';
import { createImageSource } from './registries/index.js';
import type { ImageSource } from './registry.js';
import { drawbridgeVersion } from './version.js';

export interface RuntimeOptions {
  readonly config: Config;
  readonly logger: Logger;
  readonly env: NodeJS.ProcessEnv;
  /** Folder the config file is in: relative workdir/key paths resolve from here. */
  readonly baseDir: string;
  readonly redactor?: Redactor;
  readonly observer?: ReconcileObserver;
  readonly onEcrCall?: (operation: string, outcome: 'ok' | 'throttled' | 'error') => void;
  /** Every OCI registry response (status 0: no answer). */
  readonly onRegistryRequest?: (host: string, kind: string, status: number) => void;
  readonly onProgress?: (event: { phase: 'registry' | 'git'; done: number; total: number }) => void;
  /** Counts EventBridge notifications sent and failed (metrics). */
  readonly onNotifyResult?: (outcome: 'ok' | 'failed', count: number) => void;
  /** Counts webhook and Slack messages delivered, given up on, or dropped (metrics). */
  readonly onDeliveryResult?: (outcome: 'ok' | 'failed' | 'dropped') => void;
  /** Skip EventBridge notifications even when configured (dry runs, status). */
  readonly quiet?: boolean;
  readonly now?: () => Date;
  /** Base AWS credentials; default the SDK's default chain (env, profile, IRSA, Pod Identity, …). */
  readonly credentials?: CredentialProvider;
}

export interface Runtime {
  readonly config: Config;
  readonly source: ImageSource;
  /** One per repository, each opened on first use. */
  readonly workspaces: Workspaces;
  readonly notifier: Notifier;
  readonly reconciler: Reconciler;
  close(): Promise<void>;
}

export async function createRuntime(options: RuntimeOptions): Promise<Runtime> {
  const { config, logger, env } = options;
  const redactor = options.redactor ?? new Redactor();
  const repositories = repositoriesOf(config);
  // Tokens are secrets from the start, before the workspace that uses one is opened.
  for (const repository of repositories) {
    const tokenEnv = repository.auth?.tokenEnv;
    if (tokenEnv) redactor.add(env[tokenEnv]);
    const forgeToken = repository.forge?.tokenEnv;
    if (forgeToken) redactor.add(env[forgeToken]);
  }
  // Registry passwords and tokens never reach a log line either.
  for (const entry of Object.values(config.registries ?? {})) {
    for (const name of [entry.passwordEnv, entry.tokenEnv]) if (name) redactor.add(env[name]);
  }
  // Each repository's forge, made on first use (a pass that opens no pull request makes none);
  // only the forge folders the config names are loaded.
  const factories = await loadForges(repositories.flatMap((repository) => repository.forge?.type ?? []));
  const forges = new Map<string, Forge>();
  const forgeOf = (name: string): Forge | undefined => {
    const settings = repositories.find((repository) => repository.name === name)?.forge;
    if (settings === undefined) return undefined;
    let forge = forges.get(name);
    if (forge === undefined) {
      const factory = factories.get(settings.type);
      if (factory === undefined) throw new Error(`forge ${settings.type} was not loaded`);
      forge = factory({
        settings,
        env,
        logger: logger.child({ component: 'forge', repository: name }),
        redactor,
        baseDir: options.baseDir,
        ...(options.now ? { now: options.now } : {}),
        ...(config.aws.endpoint === undefined ? {} : { awsEndpoint: config.aws.endpoint }),
      });
      forges.set(name, forge);
    }
    return forge;
  };

  // The registry folders the config's images need (ECR, OCI), one source routing by image key.
  const source = await createImageSource({
    config,
    logger,
    env,
    ...(options.now ? { now: options.now } : {}),
    ...(options.onEcrCall ? { onEcrCall: options.onEcrCall } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...(options.onRegistryRequest ? { onRegistryRequest: options.onRegistryRequest } : {}),
  });
  // Git starts from a small child process: forking this one grows costly with its memory.
  const gitLauncher = createGitLauncher();
  const workspaces = createWorkspaces({
    repositories,
    baseDir: options.baseDir,
    env,
    logger,
    redactor,
    spawner: gitLauncher.spawn,
    statusNotes: config.events?.statuses !== undefined,
  });
  const eventBridge = config.notify?.eventBridge;
  const overHttp =
    !options.quiet && (config.notify?.webhooks !== undefined || config.notify?.slack !== undefined)
      ? (await import('./notify/receivers.js')).httpNotifier(config.notify, {
          env,
          logger: logger.child({ component: 'notify' }),
          redactor,
          userAgent: `drawbridge/${drawbridgeVersion()}`,
          ...(options.onDeliveryResult ? { onResult: options.onDeliveryResult } : {}),
        })
      : undefined;
  const onEventBridge =
    eventBridge && !options.quiet
      ? (await import('./notify/eventbridge.js')).createEventBridgeNotifier({
          config: eventBridge,
          region: config.aws.region ?? env['AWS_REGION'] ?? 'us-east-1',
          ...((eventBridge.endpoint ?? config.aws.endpoint)
            ? { endpoint: eventBridge.endpoint ?? config.aws.endpoint }
            : {}),
          ...(options.credentials ? { credentials: options.credentials } : {}),
          logger: logger.child({ component: 'notify' }),
          redactor,
          ...(options.onNotifyResult ? { onResult: options.onNotifyResult } : {}),
        })
      : undefined;
  const notifier =
    onEventBridge && overHttp
      ? fanOut([onEventBridge, overHttp])
      : (onEventBridge ?? overHttp ?? noopNotifier());
  // Large scans read and parse manifests on worker threads (started on first use only).
  const manifestWorkers = createManifestWorkers({ logger: logger.child({ component: 'manifest' }) });
  const stamp = drawbridgeVersion();
  const reconcileLogger = logger.child({ component: 'reconcile' });
  const reconciler = createReconciler({
    config,
    source,
    workspaces,
    manifestWorkers,
    // Beside each repository's clone, so the next scan process starts with them.
    planMemo: (workspace) =>
      filePlanMemo({
        file: join(dirname(workspace.dir), 'unchanged-plans.json'),
        stamp,
        logger: reconcileLogger,
      }),
    historyMemo: (workspace) =>
      fileHistoryMemo({
        file: join(dirname(workspace.dir), 'branch-histories.json'),
        stamp,
        logger: reconcileLogger,
      }),
    logger: reconcileLogger,
    notifier,
    forges: forgeOf,
    ...(options.now ? { now: options.now } : {}),
    ...(options.observer ? { observer: options.observer } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  return {
    config,
    source,
    workspaces,
    notifier,
    reconciler,
    async close() {
      await notifier.flush();
      await workspaces.close();
      await manifestWorkers.close();
      await gitLauncher.close();
    },
  };
}
