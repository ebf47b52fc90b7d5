/**
 * The daemon's Prometheus metrics, on a registry of its own (never prom-client's global one,
 * so two daemons in one process, as in tests, do not collide).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ReconcileObserver, ReconcileResult, Trigger } from '../reconcile.js';
import type { PullRequestRecord } from '../reconcile/pull-requests.js';

export type EventSource = 'sqs' | 'http' | 'status' | 'registry';
export type EcrCallOutcome = 'ok' | 'throttled' | 'error';
export type ReconcileOutcome = 'success' | 'partial' | 'error';

export interface MetricsOptions {
  /** Node process metrics (CPU, memory, event loop); default on. */
  readonly processMetrics?: boolean;
}

export class Metrics {
  readonly registry = new Registry();
  /** Pass to the reconciler (createReconciler's `observer`). */
  readonly observer: ReconcileObserver;
  private readonly reconciliations: Counter<'trigger' | 'result'>;
  private readonly duration: Histogram<'trigger'>;
  private readonly environmentRuns: Counter<'environment' | 'repository' | 'status'>;
  private readonly ecrCalls: Counter<'operation' | 'outcome'>;
  private readonly registryRequests: Counter<'host' | 'kind' | 'status'>;
  private readonly commits: Counter<'environment' | 'repository'>;
  private readonly pushes: Counter<'environment' | 'repository' | 'outcome'>;
  private readonly pushRetries: Counter<'environment' | 'repository'>;
  private readonly reverts: Counter<'environment' | 'repository' | 'result'>;
  private readonly eventsReceived: Counter<'source'>;
  private readonly eventsIgnored: Counter<'source' | 'reason'>;
  private readonly eventsFailed: Counter<'source' | 'reason'>;
  private readonly lastSuccess: Gauge<'environment' | 'repository'>;
  private readonly repositoryUp: Gauge<'repository'>;
  private readonly sweepsSkipped: Counter;
  private readonly notifications: Counter<'outcome'>;
  private readonly deliveries: Counter<'outcome'>;
  private readonly ready: Gauge;
  private readonly pullRequests: Counter<'environment' | 'repository' | 'action'>;
  private readonly pullRequestInfo: Gauge<'environment' | 'repository' | 'branch' | 'number' | 'url'>;
  /** The info labels set last per environment and branch, removed when its pull request changes. */
  private readonly shownPullRequests = new Map<string, Record<string, string>>();

  constructor(options: MetricsOptions = {}) {
    const registers = [this.registry];
    this.reconciliations = new Counter({
      name: 'drawbridge_reconciliations_total',
      help: 'Reconcile calls by trigger and result (success, partial: some environment failed, error: threw).',
      labelNames: ['trigger', 'result'],
      registers,
    });
    this.duration = new Histogram({
      name: 'drawbridge_reconciliation_duration_seconds',
      help: 'Duration of reconcile calls.',
      labelNames: ['trigger'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers,
    });
    this.environmentRuns = new Counter({
      name: 'drawbridge_environment_reconciliations_total',
      help: 'Environment passes by status (committed, unchanged, failed, dry-run).',
      labelNames: ['environment', 'repository', 'status'],
      registers,
    });
    this.ecrCalls = new Counter({
      name: 'drawbridge_ecr_calls_total',
      help: 'ECR API calls by operation and outcome (ok, throttled, error).',
      labelNames: ['operation', 'outcome'],
      registers,
    });
    this.registryRequests = new Counter({
      name: 'drawbridge_registry_requests_total',
      help: 'OCI registry requests by host, kind (tags, head, manifest, blob, token) and HTTP status (0: no answer).',
      labelNames: ['host', 'kind', 'status'],
      registers,
    });
    this.commits = new Counter({
      name: 'drawbridge_commits_total',
      help: 'Commits made, per environment.',
      labelNames: ['environment', 'repository'],
      registers,
    });
    this.pushes = new Counter({
      name: 'drawbridge_pushes_total',
      help: 'Push attempts by outcome (pushed, rejected: the remote moved, failed).',
      labelNames: ['environment', 'repository', 'outcome'],
      registers,
    });
    this.pushRetries = new Counter({
      name: 'drawbridge_push_retries_total',
      help: 'Re-plans after a rejected push.',
      labelNames: ['environment', 'repository'],
      registers,
    });
    this.reverts = new Counter({
      name: 'drawbridge_reverts_total',
      help: "Drawbridge's commits whose deployment failed (onFailure), by what became of the revert: reverted, blocked, rejected, dry-run.",
      labelNames: ['environment', 'repository', 'result'],
      registers,
    });
    this.eventsReceived = new Counter({
      name: 'drawbridge_events_received_total',
      help: 'Events received, by source (sqs, http; status: the statuses endpoint).',
      labelNames: ['source'],
      registers,
    });
    this.eventsIgnored = new Counter({
      name: 'drawbridge_events_ignored_total',
      help: 'Events ignored, by source and reason.',
      labelNames: ['source', 'reason'],
      registers,
    });
    this.eventsFailed = new Counter({
      name: 'drawbridge_events_failed_total',
      help: 'Events that failed (malformed, unauthorized, a field outside its grammar: invalid-tag and the like, reconciliation failed), by source and reason.',
      labelNames: ['source', 'reason'],
      registers,
    });
    this.lastSuccess = new Gauge({
      name: 'drawbridge_last_success_timestamp_seconds',
      help: 'When each environment last reconciled without failure (Unix time).',
      labelNames: ['environment', 'repository'],
      registers,
    });
    this.repositoryUp = new Gauge({
      name: 'drawbridge_repository_up',
      help: '1 when the last fetch of the repository worked, 0 when it failed.',
      labelNames: ['repository'],
      registers,
    });
    this.sweepsSkipped = new Counter({
      name: 'drawbridge_schedule_skipped_total',
      help: 'Scheduled sweeps skipped because the previous sweep was still running.',
      registers,
    });
    this.deliveries = new Counter({
      name: 'drawbridge_webhook_messages_total',
      help: 'Webhook and Slack messages, by outcome: ok, failed (after the retries) or dropped (queue full, or left at shutdown).',
      labelNames: ['outcome'],
      registers,
    });
    this.notifications = new Counter({
      name: 'drawbridge_notifications_total',
      help: 'Update events sent to EventBridge, by outcome (failed: after the retry).',
      labelNames: ['outcome'],
      registers,
    });
    this.ready = new Gauge({
      name: 'drawbridge_ready',
      help: '1 when the last reconciliation reached Git and ECR.',
      registers,
    });
    this.pullRequests = new Counter({
      name: 'drawbridge_pull_requests_total',
      help: 'What drawbridge did to pull requests (opened, updated, unchanged, closed), per environment.',
      labelNames: ['environment', 'repository', 'action'],
      registers,
    });
    this.pullRequestInfo = new Gauge({
      name: 'drawbridge_pull_request_info',
      help: "1 for each environment's open drawbridge pull request, with its number and URL as labels.",
      labelNames: ['environment', 'repository', 'branch', 'number', 'url'],
      registers,
    });
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });

    this.observer = {
      onCommit: (environment, repository) => this.commits.inc({ environment, repository }),
      onPush: (environment, repository, outcome) => this.pushes.inc({ environment, repository, outcome }),
      onPushRetry: (environment, repository) => this.pushRetries.inc({ environment, repository }),
      onRevert: (environment, repository, result) => this.reverts.inc({ environment, repository, result }),
    };
  }

  /** Pass to the ECR source (createRuntime's `onEcrCall`). */
  readonly onEcrCall = (operation: string, outcome: EcrCallOutcome): void => {
    this.ecrCalls.inc({ operation, outcome });
  };

  /** Pass to the OCI source (createRuntime's `onRegistryRequest`); hosts come from the config. */
  readonly onRegistryRequest = (host: string, kind: string, status: number): void => {
    this.registryRequests.inc({ host, kind, status: String(status) });
  };

  /** Pass to the notifier (createRuntime's `onNotifyResult`). */
  readonly onNotifyResult = (outcome: 'ok' | 'failed', count: number): void => {
    this.notifications.inc({ outcome }, count);
  };

  /** Pass to the webhook and Slack notifiers (createRuntime's `onDeliveryResult`). */
  readonly onDeliveryResult = (outcome: 'ok' | 'failed' | 'dropped'): void => {
    this.deliveries.inc({ outcome });
  };

  reconciled(trigger: Trigger, seconds: number, result: ReconcileResult | undefined): void {
    this.duration.observe({ trigger }, seconds);
    if (!result) {
      this.reconciliations.inc({ trigger, result: 'error' });
      return;
    }
    const failed =
      result.environments.some((e) => e.status === 'failed') || result.registryFailures.length > 0;
    this.reconciliations.inc({ trigger, result: failed ? 'partial' : 'success' });
    for (const outcome of result.environments) {
      const labels = { environment: outcome.environment, repository: outcome.repository };
      this.environmentRuns.inc({ ...labels, status: outcome.status });
      if (outcome.status !== 'failed') this.lastSuccess.set(labels, result.finishedAt.getTime() / 1000);
      for (const pullRequest of outcome.pullRequests ?? []) this.pullRequestSeen(labels, pullRequest);
    }
    for (const repository of result.repositories) {
      this.repositoryUp.set({ repository: repository.repository }, repository.status === 'failed' ? 0 : 1);
    }
    this.ready.set(result.ecrReachable && result.gitReachable ? 1 : 0);
  }

  private pullRequestSeen(
    labels: { environment: string; repository: string },
    pullRequest: PullRequestRecord,
  ): void {
    if (pullRequest.action.startsWith('would-')) return;
    this.pullRequests.inc({ ...labels, action: pullRequest.action });
    const key = `${labels.environment}\u0000${pullRequest.branch}`;
    const shown = this.shownPullRequests.get(key);
    if (shown) this.pullRequestInfo.remove(shown);
    this.shownPullRequests.delete(key);
    if (pullRequest.action === 'closed') return;
    const info = {
      ...labels,
      branch: pullRequest.branch,
      number: String(pullRequest.number),
      url: pullRequest.url,
    };
    this.pullRequestInfo.set(info, 1);
    this.shownPullRequests.set(key, info);
  }

  eventReceived(source: EventSource): void {
    this.eventsReceived.inc({ source });
  }

  eventIgnored(source: EventSource, reason: string): void {
    this.eventsIgnored.inc({ source, reason });
  }

  eventFailed(source: EventSource, reason: string): void {
    this.eventsFailed.inc({ source, reason });
  }

  sweepSkipped(): void {
    this.sweepsSkipped.inc();
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
