/**
 * Announces pushed updates on an EventBridge bus: one `Image Update Committed` event per
 * update, and one `Image Update Reverted` event per revert drawbridge pushed (onFailure),
 * batched (10 entries and 256 KB per PutEvents call, EventBridge's limits). `notify()`
 * only queues; sending happens behind it, one batch at a time, so a slow or failing bus never
 * holds up a reconciliation. Failed entries are retried once, then logged and counted.
 */
import {
  EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
  type PutEventsResultEntry,
} from '@aws-sdk/client-eventbridge';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import type { CredentialProvider } from '../aws-credentials.js';
import type { Redactor } from '../log/redact.js';
import { revertDetail, updateDetail } from './detail.js';
import type { Notifier, PushedUpdate } from './types.js';

export type EventBridgeNotifyConfig = NonNullable<NonNullable<Config['notify']>['eventBridge']>;

export interface EventBridgeNotifierOptions {
  readonly config: Pick<EventBridgeNotifyConfig, 'eventBusName'> & Partial<EventBridgeNotifyConfig>;
  /** Default: a client for `region` (and `endpoint`) with the SDK's credential chain. */
  readonly client?: EventBridgeClient;
  readonly region: string;
  readonly endpoint?: string;
  /** The runtime's base AWS credentials; default the SDK's default chain. */
  readonly credentials?: CredentialProvider;
  readonly logger: Logger;
  /** Called once per batch outcome: entries delivered, or entries given up on. */
  readonly onResult?: (outcome: 'ok' | 'failed', count: number) => void;
  /** Pause before the one retry of failed entries (default 250 ms). */
  readonly retryDelayMs?: number;
  /** Masks registered secrets in the remote as well (user-info is always stripped). */
  readonly redactor?: Redactor;
}

export const DETAIL_TYPE = 'Image Update Committed';
export const REVERT_DETAIL_TYPE = 'Image Update Reverted';
export const DEFAULT_SOURCE = 'drawbridge';
export const MAX_ENTRIES_PER_CALL = 10;
export const MAX_REQUEST_BYTES = 256 * 1024;

export function createEventBridgeNotifier(options: EventBridgeNotifierOptions): Notifier {
  const client =
    options.client ??
    new EventBridgeClient({
      region: options.region,
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
      ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    });
  const source = options.config.source ?? DEFAULT_SOURCE;
  const eventBusName = options.config.eventBusName;
  const retryDelayMs = options.retryDelayMs ?? 250;
  const logger = options.logger;
  let queue: Promise<void> = Promise.resolve();

  const report = (outcome: 'ok' | 'failed', count: number): void => {
    if (count > 0) options.onResult?.(outcome, count);
  };

  async function sendBatch(entries: readonly PutEventsRequestEntry[]): Promise<void> {
    let pending = entries;
    let lastErrors: string[] = [];
    for (let attempt = 1; attempt <= 2 && pending.length > 0; attempt += 1) {
      if (attempt === 2) await sleep(retryDelayMs);
      const outcome = await putEvents(client, pending);
      report('ok', pending.length - outcome.failed.length);
      pending = outcome.failed;
      lastErrors = outcome.errors;
      if (pending.length > 0 && attempt === 1) {
        logger.debug(
          { failed: pending.length, errors: lastErrors },
          'notification entries failed, retrying once',
        );
      }
    }
    if (pending.length === 0) return;
    logger.warn({ failed: pending.length, eventBusName, errors: lastErrors }, 'notifications not delivered');
    report('failed', pending.length);
  }

  async function send(entries: readonly PutEventsRequestEntry[]): Promise<void> {
    const { batches, oversized } = batchEntries(entries);
    if (oversized.length > 0) {
      logger.warn(
        { failed: oversized.length, limitBytes: MAX_REQUEST_BYTES },
        'notification too large to send',
      );
      report('failed', oversized.length);
    }
    for (const batch of batches) await sendBatch(batch);
  }

  const enqueue = (entries: readonly PutEventsRequestEntry[]): void => {
    if (entries.length === 0) return;
    queue = queue.then(() =>
      send(entries).catch((error: unknown) => {
        logger.error({ err: error }, 'notifications failed');
        report('failed', entries.length);
      }),
    );
  };

  return {
    notify(updates) {
      enqueue(updates.map((update) => toEntry(update, source, eventBusName, options.redactor)));
    },
    notifyReverts(reverts) {
      enqueue(
        reverts.map((revert) => ({
          Source: source,
          DetailType: REVERT_DETAIL_TYPE,
          EventBusName: eventBusName,
          Time: revert.pushedAt,
          Detail: JSON.stringify(revertDetail(revert, options.redactor)),
        })),
      );
    },
    flush() {
      return queue;
    },
  };
}

function toEntry(
  update: PushedUpdate,
  source: string,
  eventBusName: string,
  redactor: Redactor | undefined,
): PutEventsRequestEntry {
  return {
    Source: source,
    DetailType: DETAIL_TYPE,
    EventBusName: eventBusName,
    Time: update.pushedAt,
    Detail: JSON.stringify(updateDetail(update, redactor)),
  };
}

/** EventBridge counts Time (14 bytes when set) and the UTF-8 of Source, DetailType, Detail and Resources. */
export function entryBytes(entry: PutEventsRequestEntry): number {
  let size = entry.Time === undefined ? 0 : 14;
  for (const text of [entry.Source, entry.DetailType, entry.Detail, ...(entry.Resources ?? [])]) {
    if (text !== undefined) size += Buffer.byteLength(text);
  }
  return size;
}

/** Greedy batches of at most 10 entries and 256 KB; an entry over the limit on its own cannot be sent. */
export function batchEntries(entries: readonly PutEventsRequestEntry[]): {
  batches: PutEventsRequestEntry[][];
  oversized: PutEventsRequestEntry[];
} {
  const batches: PutEventsRequestEntry[][] = [];
  const oversized: PutEventsRequestEntry[] = [];
  let current: PutEventsRequestEntry[] = [];
  let currentBytes = 0;
  for (const entry of entries) {
    const bytes = entryBytes(entry);
    if (bytes > MAX_REQUEST_BYTES) {
      oversized.push(entry);
      continue;
    }
    if (current.length === MAX_ENTRIES_PER_CALL || currentBytes + bytes > MAX_REQUEST_BYTES) {
      batches.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(entry);
    currentBytes += bytes;
  }
  if (current.length > 0) batches.push(current);
  return { batches, oversized };
}

async function putEvents(
  client: EventBridgeClient,
  entries: readonly PutEventsRequestEntry[],
): Promise<{ failed: PutEventsRequestEntry[]; errors: string[] }> {
  try {
    const output = await client.send(new PutEventsCommand({ Entries: [...entries] }));
    if (!output.FailedEntryCount) return { failed: [], errors: [] };
    const results: readonly PutEventsResultEntry[] = output.Entries ?? [];
    const failed: PutEventsRequestEntry[] = [];
    const errors = new Set<string>();
    entries.forEach((entry, index) => {
      const result = results[index];
      if (result?.EventId) return;
      failed.push(entry);
      errors.add(`${result?.ErrorCode ?? 'Unknown'}: ${result?.ErrorMessage ?? 'no result for the entry'}`);
    });
    return { failed, errors: [...errors] };
  } catch (error) {
    return {
      failed: [...entries],
      errors: [error instanceof Error ? `${error.name}: ${error.message}` : String(error)],
    };
  }
}

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
