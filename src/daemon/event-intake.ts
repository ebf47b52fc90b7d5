/**
 * One place where events from both sources (SQS, HTTP) become work: classify the envelope,
 * find its scope, invalidate the repository's cached listing, queue the reconciliation.
 */
import type { Config } from '../config/schema.js';
import { DROPPED_MESSAGE, pushFieldProblem } from '../events/push-fields.js';
import type { Logger } from '../log/logger.js';
import { printable } from '../log/printable.js';
import type { ImageSource } from '../registry.js';
import { parseEcrEventText } from './ecr-event.js';
import { scopeForPush } from './event-scope.js';
import type { EventSource, Metrics } from './metrics.js';
import type { WorkOutcome, WorkQueue } from './work-queue.js';

export type Intake =
  | { readonly kind: 'malformed'; readonly detail: string }
  | { readonly kind: 'ignored'; readonly reason: string }
  | {
      readonly kind: 'accepted';
      readonly images: readonly string[];
      readonly environments: readonly string[];
      readonly done: Promise<WorkOutcome>;
    };

export interface IntakeDeps {
  readonly config: () => Config;
  readonly source: () => ImageSource | undefined;
  readonly queue: WorkQueue;
  readonly metrics: Metrics;
  readonly logger: Logger;
}

/** Event ids and ignore details come from the body: escaped and capped before they are logged. */
const SHOWN = 120;

export function takeEvent(deps: IntakeDeps, from: EventSource, body: string, messageId?: string): Intake {
  const { metrics, logger } = deps;
  metrics.eventReceived(from);
  const event = parseEcrEventText(body);
  const ids = {
    source: from,
    ...(messageId === undefined ? {} : { messageId: printable(messageId, SHOWN) }),
  };
  if (event.kind === 'malformed') {
    metrics.eventFailed(from, 'malformed');
    logger.warn({ ...ids, reason: event.detail }, 'malformed event dropped');
    return { kind: 'malformed', detail: event.detail };
  }
  if (event.kind === 'ignored') {
    metrics.eventIgnored(from, event.reason);
    const eventId = event.id === undefined ? undefined : printable(event.id, SHOWN);
    logger.debug(
      { ...ids, eventId, reason: event.reason, detail: printable(event.detail, SHOWN) },
      'event ignored',
    );
    return { kind: 'ignored', reason: event.reason };
  }
  // Checked before anything is scoped, invalidated, queued or logged by value.
  const eventId = printable(event.id, SHOWN);
  const problem = pushFieldProblem(event);
  if (problem !== undefined) {
    metrics.eventFailed(from, problem.reason);
    logger.warn(
      { ...ids, eventId, reason: problem.reason, field: problem.field, value: problem.shown },
      DROPPED_MESSAGE,
    );
    return { kind: 'malformed', detail: `${problem.field} is not valid (${problem.reason})` };
  }
  const scoped = scopeForPush(deps.config(), event);
  if (scoped.kind === 'ignored') {
    metrics.eventIgnored(from, scoped.reason);
    logger.debug(
      { ...ids, eventId, reason: scoped.reason, detail: printable(scoped.detail, SHOWN) },
      'event ignored',
    );
    return { kind: 'ignored', reason: scoped.reason };
  }
  const { images, environments } = scoped.scope;
  logger.info(
    { ...ids, eventId, repository: event.repositoryName, tag: event.tag, images, environments },
    'push event',
  );
  deps.source()?.invalidate(images);
  const done = deps.queue.submit({ trigger: 'event', images, environments }).then((outcome) => {
    if (!outcome.ok) {
      metrics.eventFailed(from, 'reconcile');
      logger.warn({ ...ids, eventId, failures: outcome.failures }, 'event not handled; it will be retried');
    }
    return outcome;
  });
  return { kind: 'accepted', images, environments, done };
}
