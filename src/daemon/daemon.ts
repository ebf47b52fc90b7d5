/**
 * `drawbridge run`: reconciliations on a schedule, on ECR push events (SQS, HTTP) and at
 * startup, with health, readiness and metrics on one port. No state of its own: Git and ECR
 * are the state, so replicas and restarts converge (Git push is the compare-and-swap).
 */
import { performance } from 'node:perf_hooks';
import { schedule as cronSchedule, type ScheduledTask } from 'node-cron';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Config } from '../config/schema.js';
import { ConfigError, formatError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { Notifier } from '../notify/types.js';
import type { ReconcileResult, ReconcileScope, Reconciler } from '../reconcile.js';
import type { ImageSource } from '../registry.js';
import { watchConfigFile, type ConfigWatch } from './config-watch.js';
import { takeEvent, type IntakeDeps } from './event-intake.js';
import { checkDaemonConfig, type DaemonAuth } from './config-checks.js';
import { isAuthorized, type EventsAuth } from './http-auth.js';
import {
  startHttpServer,
  type EventAnswer,
  type HttpServer,
  type PostEndpoint,
  type Readiness,
} from './http-server.js';
import { takeRegistryEvent } from './registry-intake.js';
import { Metrics } from './metrics.js';
import { defaultSqsClient } from './sqs-client.js';
import { SqsPoller, type MessageVerdict, type QueuedMessage } from './sqs-poller.js';
import { createStatusIntake, type StatusIntake, type StatusWorkspaces } from './status-intake.js';
import { WorkQueue, type WorkOutcome } from './work-queue.js';

export interface DaemonPieces {
  readonly config: Config;
  readonly reconciler: Reconciler;
  /** To forget one repository's cached listing when it gets a push. */
  readonly source?: ImageSource;
  /** Flushed on stop (the reconciler announces pushed updates through it). */
  readonly notifier?: Notifier;
  /** Where the statuses endpoint records reports (the runtime's workspaces). */
  readonly workspaces?: StatusWorkspaces;
}

export interface DaemonDeps extends DaemonPieces {
  /** For reloads when it changes. */
  readonly configFile?: string;
  readonly logger: Logger;
  readonly now?: () => Date;
  readonly env?: NodeJS.ProcessEnv;
  readonly sqsClient?: SQSClient;
  /** New pieces from the config file as it is now; throws ConfigError when it is invalid. */
  readonly reload?: () => Promise<DaemonPieces>;
  readonly metrics?: Metrics;
  /** How long stop() lets the reconciliation in flight finish; default 25 s. */
  readonly graceMs?: number;
  /** Reconcile calls at once on disjoint environments; default 1 (one shared Git workspace). */
  readonly maxConcurrent?: number;
  /** Watch configFile for changes; default true when configFile is given. */
  readonly watchConfig?: boolean;
  /** Run a full sweep at startup; default true. */
  readonly startupSweep?: boolean;
  /**
   * After a pass that could not reach Git or ECR, sweep again after this long, doubling up to
   * `retryMaxMs` while it keeps failing (defaults 5 s and 5 min); the schedule runs meanwhile.
   */
  readonly retryBaseMs?: number;
  readonly retryMaxMs?: number;
}

export interface Daemon {
  readonly port: number;
  /** `http://host:port` of the HTTP server. */
  readonly url: string;
  readonly metrics: Metrics;
  /** A full reconciliation now; 'skipped' while the previous sweep still runs. */
  triggerSweep(trigger?: 'schedule' | 'manual' | 'startup' | 'retry'): Promise<WorkOutcome | 'skipped'>;
  /** Reloads the config (SIGHUP); false when the new one is invalid and the old one stays. */
  reload(): Promise<boolean>;
  /** Resolves when no work is queued or running (statuses recorded included). */
  idle(): Promise<void>;
  stop(reason?: string): Promise<void>;
}

export async function startDaemon(deps: DaemonDeps): Promise<Daemon> {
  const logger = deps.logger.child({ component: 'daemon' });
  const env = deps.env ?? process.env;
  const now = deps.now ?? (() => new Date());
  const metrics = deps.metrics ?? new Metrics();
  let current: DaemonPieces = {
    config: deps.config,
    reconciler: deps.reconciler,
    ...(deps.source ? { source: deps.source } : {}),
    ...(deps.notifier ? { notifier: deps.notifier } : {}),
    ...(deps.workspaces ? { workspaces: deps.workspaces } : {}),
  };
  let auth = buildAuth(current.config);
  let stopping = false;
  let stopped: Promise<void> | undefined;
  let sweep: Promise<WorkOutcome> | undefined;
  let readiness: Readiness = { ready: false, reason: 'no reconciliation has finished yet' };

  function buildAuth(config: Config): DaemonAuth {
    return checkDaemonConfig(config, env, deps.configFile);
  }

  async function run(scope: ReconcileScope): Promise<ReconcileResult> {
    const started = performance.now();
    const log = logger.child({ trigger: scope.trigger });
    log.debug({ environments: scope.environments, images: scope.images }, 'reconciling');
    try {
      const result = await current.reconciler.reconcile(scope);
      metrics.reconciled(scope.trigger, (performance.now() - started) / 1000, result);
      readiness = readinessOf(result);
      retryIfUnreachable(result);
      logResult(log, result);
      log.debug(
        {
          ms: Math.round(performance.now() - started),
          committed: result.environments.filter((e) => e.status === 'committed').map((e) => e.environment),
          failed: result.environments.filter((e) => e.status === 'failed').map((e) => e.environment),
        },
        'reconciled',
      );
      return result;
    } catch (error) {
      metrics.reconciled(scope.trigger, (performance.now() - started) / 1000, undefined);
      readiness = {
        ready: false,
        reason: `last reconciliation failed: ${formatError(error)}`,
        at: now().toISOString(),
      };
      log.error({ err: error, environments: scope.environments }, 'reconciliation failed');
      throw error;
    }
  }

  const queue = new WorkQueue({
    run,
    environments: () => Object.keys(current.config.environments),
    coalesceMs: current.config.events?.coalesce ?? 500,
    ...(deps.maxConcurrent === undefined ? {} : { maxConcurrent: deps.maxConcurrent }),
  });
  const intake: IntakeDeps = {
    config: () => current.config,
    source: () => current.source,
    queue,
    metrics,
    logger,
  };
  const statusIntake: StatusIntake = createStatusIntake({
    config: () => current.config,
    workspaces: () => current.workspaces,
    queue,
    metrics,
    logger,
    now,
  });

  // A sweep again soon after Git or ECR could not be reached, with backoff: a daemon started
  // while a remote is down commits once it is back, without waiting for the schedule.
  let retryTimer: NodeJS.Timeout | undefined;
  let retryAttempt = 0;
  function retryIfUnreachable(result: ReconcileResult): void {
    if (result.gitReachable && result.ecrReachable) {
      retryAttempt = 0;
      return;
    }
    if (stopping || retryTimer !== undefined) return;
    const base = deps.retryBaseMs ?? 5_000;
    const delay = Math.min(deps.retryMaxMs ?? 300_000, base * 2 ** retryAttempt);
    retryAttempt += 1;
    logger.warn(
      { delayMs: delay, attempt: retryAttempt, reason: readiness.reason },
      'sweeping again after a failed reconciliation',
    );
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void triggerSweep('retry');
    }, delay);
  }

  function triggerSweep(
    trigger: 'schedule' | 'manual' | 'startup' | 'retry' = 'manual',
  ): Promise<WorkOutcome | 'skipped'> {
    if (stopping) return Promise.resolve('skipped');
    if (sweep) {
      metrics.sweepSkipped();
      logger.warn({ trigger }, 'sweep skipped: the previous sweep is still running');
      return Promise.resolve('skipped');
    }
    current.source?.invalidate();
    const started = queue.submit({ trigger }).finally(() => {
      sweep = undefined;
    });
    sweep = started;
    return started;
  }

  async function handleMessage(message: QueuedMessage): Promise<MessageVerdict> {
    const taken = takeEvent(intake, 'sqs', message.body, message.id);
    if (taken.kind !== 'accepted') return 'delete';
    const outcome = await taken.done;
    return outcome.ok ? 'delete' : 'keep';
  }

  function onHttpEvent(body: string): EventAnswer {
    const taken = takeEvent(intake, 'http', body);
    if (taken.kind === 'malformed') return { status: 400, body: { error: taken.detail } };
    if (taken.kind === 'ignored') return { status: 202, body: { status: 'ignored', reason: taken.reason } };
    void taken.done;
    return {
      status: 202,
      body: { status: 'accepted', images: taken.images, environments: taken.environments },
    };
  }

  let cron: ScheduledTask | undefined;
  function startCron(): void {
    cron = cronSchedule(current.config.schedule, () => void triggerSweep('schedule'), {
      name: 'drawbridge-sweep',
    });
  }

  let poller: SqsPoller | undefined;
  function startPoller(): void {
    const sqs = current.config.events?.sqs;
    if (!sqs) return;
    poller = new SqsPoller({
      client: deps.sqsClient ?? defaultSqsClient(current.config, sqs.queueUrl, env),
      queueUrl: sqs.queueUrl,
      waitTimeSeconds: sqs.waitTimeSeconds,
      maxMessages: sqs.maxMessages,
      handle: handleMessage,
      logger: logger.child({ component: 'sqs' }),
    });
    poller.start();
  }

  const server: HttpServer = await startHttpServer(
    current.config.server,
    {
      readiness: () => (stopping ? { ready: false, reason: 'shutting down' } : readiness),
      metrics: async () => ({ contentType: metrics.contentType, text: await metrics.text() }),
      eventsPath: () => (auth.events ? current.config.events?.http?.path : undefined),
      acceptingEvents: () => !stopping,
      authorize: (headers) => (auth.events ? isAuthorized(auth.events, headers) : false),
      onEvent: onHttpEvent,
      onRejected: (reason) => {
        metrics.eventReceived('http');
        metrics.eventFailed('http', reason);
      },
      endpoints: () => {
        const endpoints: PostEndpoint[] = [];
        const add = (
          source: 'status' | 'registry',
          secrets: EventsAuth | undefined,
          path: string | undefined,
          onEvent: (body: string) => EventAnswer,
        ): void => {
          if (secrets === undefined || path === undefined) return;
          endpoints.push({
            path,
            authorize: (headers) => isAuthorized(secrets, headers),
            onEvent,
            onRejected: (reason) => {
              metrics.eventReceived(source);
              metrics.eventFailed(source, reason);
            },
          });
        };
        add('status', auth.statuses, current.config.events?.statuses?.path, (body) =>
          statusIntake.take(body),
        );
        add('registry', auth.registry, current.config.events?.registry?.path, (body) =>
          takeRegistryEvent(intake, body),
        );
        return endpoints;
      },
    },
    logger.child({ component: 'http' }),
  );

  let reloading: Promise<boolean> = Promise.resolve(true);
  async function reload(): Promise<boolean> {
    const next = reloading.then(reloadOnce);
    reloading = next;
    return next;
  }

  async function reloadOnce(): Promise<boolean> {
    if (!deps.reload || stopping) {
      if (!deps.reload) logger.warn('reload requested, but this daemon cannot reload');
      return false;
    }
    await queue.pause();
    try {
      const pieces = await deps.reload();
      const nextAuth = buildAuth(pieces.config);
      const before = current.config;
      current = pieces;
      auth = nextAuth;
      if (before.schedule !== pieces.config.schedule) {
        await cron?.destroy();
        startCron();
      }
      if (JSON.stringify(before.events?.sqs) !== JSON.stringify(pieces.config.events?.sqs)) {
        poller?.stop();
        void poller?.drain();
        poller = undefined;
        startPoller();
      }
      if (JSON.stringify(before.server) !== JSON.stringify(pieces.config.server)) {
        logger.warn('server.port and server.host change only on restart');
      }
      logger.info({ environments: Object.keys(pieces.config.environments).length }, 'config reloaded');
      return true;
    } catch (error) {
      const issues = error instanceof ConfigError ? error.issues : undefined;
      logger.error({ err: error, issues }, 'new config rejected; the old one keeps running');
      return false;
    } finally {
      queue.resume();
    }
  }

  let watcher: ConfigWatch | undefined;
  if (deps.configFile && (deps.watchConfig ?? true) && deps.reload) {
    watcher = await watchConfigFile(deps.configFile, () => void reload(), logger);
  }

  async function stop(reason = 'stop'): Promise<void> {
    stopping = true;
    clearTimeout(retryTimer);
    logger.info({ reason }, 'stopping: no new work, finishing the reconciliation in flight');
    await cron?.destroy();
    watcher?.close();
    poller?.stop();
    const graceMs = deps.graceMs ?? 25_000;
    await statusIntake.settled();
    const finished = await queue.close(graceMs);
    if (finished) await poller?.drain();
    else logger.warn({ graceMs }, 'grace period over with a reconciliation still running');
    await current.notifier?.flush();
    await server.close();
    logger.info({ reason }, 'stopped');
  }

  startCron();
  startPoller();
  if (deps.startupSweep ?? true) void triggerSweep('startup');
  logger.info(
    {
      url: server.url,
      schedule: current.config.schedule,
      sqs: current.config.events?.sqs?.queueUrl,
      http: auth.events ? current.config.events?.http?.path : undefined,
      statuses: auth.statuses ? current.config.events?.statuses?.path : undefined,
      registry: auth.registry ? current.config.events?.registry?.path : undefined,
    },
    'daemon started',
  );

  return {
    port: server.port,
    url: server.url,
    metrics,
    triggerSweep,
    reload,
    idle: async () => {
      await statusIntake.settled();
      await queue.idle();
    },
    stop(reason) {
      stopped ??= stop(reason);
      return stopped;
    },
  };
}

function readinessOf(result: ReconcileResult): Readiness {
  const at = result.finishedAt.toISOString();
  const failed = result.repositories.filter((repository) => repository.status === 'failed');
  const base = {
    ecrReachable: result.ecrReachable,
    gitReachable: result.gitReachable,
    ...(failed.length > 0
      ? { unreachableRepositories: failed.map(({ repository, error }) => ({ repository, error })) }
      : {}),
    at,
  };
  if (result.ecrReachable && result.gitReachable) return { ready: true, ...base };
  const git = failed.length > 0 ? `Git (${failed.map((r) => r.repository).join(', ')})` : 'Git';
  const unreachable = [result.gitReachable ? undefined : git, result.ecrReachable ? undefined : 'ECR'];
  return { ready: false, reason: `${unreachable.filter(Boolean).join(' and ')} unreachable`, ...base };
}

/** One line per change that reached Git, with what changed and where. */
function logResult(logger: Logger, result: ReconcileResult): void {
  for (const outcome of result.environments) {
    if (outcome.status !== 'committed') continue;
    for (const update of outcome.updates) {
      logger.info(
        {
          environment: outcome.environment,
          repository: outcome.repository,
          image: update.image,
          old: update.old,
          new: update.new,
          digest: update.digest,
          imageRepository: update.repository,
          commit: outcome.commit,
          branch: outcome.pushBranch,
        },
        'image updated',
      );
    }
  }
}
