/**
 * Long-polls the events queue. Each message is handed over at once (so a burst coalesces) and
 * deleted only when its handler says so: after the reconciliation it caused went through, or
 * when it can never succeed. Anything else is left to reappear after the visibility timeout,
 * and the queue's redrive policy decides when it goes to a dead-letter queue.
 *
 * While a message is in hand its visibility is extended every half visibility timeout (the
 * queue's own, read once), so a reconciliation longer than the timeout is not handed out a
 * second time, and a kept message comes back one timeout after it was let go.
 */
import {
  type BatchResultErrorEntry,
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Logger } from '../log/logger.js';

export interface QueuedMessage {
  readonly id: string;
  readonly body: string;
  readonly receiveCount: number;
}

export type MessageVerdict = 'delete' | 'keep';

export interface SqsPollerOptions {
  readonly client: SQSClient;
  readonly queueUrl: string;
  readonly waitTimeSeconds: number;
  readonly maxMessages: number;
  readonly handle: (message: QueuedMessage) => Promise<MessageVerdict>;
  readonly logger: Logger;
  /** Messages being handled at once before polling pauses; default 100. */
  readonly maxInFlight?: number;
  /** Wait after a failed receive, doubling up to 30 s; default 1 s. */
  readonly retryDelayMs?: number;
  /** The queue's visibility timeout; read from the queue when not given. */
  readonly visibilityTimeoutSeconds?: number;
}

interface InHand {
  readonly id: string;
  readonly receipt: string;
}

/** SQS's bounds for a visibility timeout, in seconds. */
const MAX_VISIBILITY_SECONDS = 43_200;

export class SqsPoller {
  private readonly abort = new AbortController();
  private readonly handling = new Set<Promise<void>>();
  private readonly inHand = new Map<string, InHand>();
  private heartbeat: NodeJS.Timeout | undefined;
  private deletes: InHand[] = [];
  private deleteFlush: Promise<void> | undefined;
  private loop: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: SqsPollerOptions) {}

  start(): void {
    this.loop ??= this.run();
  }

  /** Stops receiving (an open long poll is cut off); messages in hand keep being handled. */
  stop(): void {
    this.stopped = true;
    this.abort.abort();
  }

  /** Waits for the messages in hand and their deletes (after stop()). */
  async drain(): Promise<void> {
    await this.loop;
    await Promise.all([...this.handling]);
    this.stopHeartbeat();
    await this.flushDeletes();
  }

  private async run(): Promise<void> {
    const { logger } = this.options;
    let delay = this.options.retryDelayMs ?? 1_000;
    const visibility = this.options.visibilityTimeoutSeconds ?? (await this.readVisibilityTimeout());
    if (visibility !== undefined && !this.stopped) this.startHeartbeat(visibility);
    while (!this.stopped) {
      if (this.handling.size >= (this.options.maxInFlight ?? 100)) {
        await Promise.race([...this.handling]);
        continue;
      }
      let messages: Message[];
      try {
        const output = await this.options.client.send(
          new ReceiveMessageCommand({
            QueueUrl: this.options.queueUrl,
            WaitTimeSeconds: this.options.waitTimeSeconds,
            MaxNumberOfMessages: this.options.maxMessages,
            MessageSystemAttributeNames: ['ApproximateReceiveCount'],
          }),
          { abortSignal: this.abort.signal },
        );
        messages = output.Messages ?? [];
        delay = this.options.retryDelayMs ?? 1_000;
      } catch (error) {
        if (this.stopped) break;
        logger.warn({ err: error, retryInMs: delay }, 'cannot receive from the events queue');
        await this.sleep(delay);
        delay = Math.min(delay * 2, 30_000);
        continue;
      }
      for (const message of messages) this.accept(message);
    }
  }

  private accept(message: Message): void {
    const id = message.MessageId ?? '';
    const receipt = message.ReceiptHandle;
    if (receipt) this.inHand.set(receipt, { id, receipt });
    const task = this.options
      .handle({
        id,
        body: message.Body ?? '',
        receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? 1),
      })
      .then(
        (verdict) => {
          if (verdict === 'delete' && receipt) this.queueDelete(id, receipt);
        },
        (error: unknown) => {
          this.options.logger.error(
            { err: error, messageId: id },
            'event handling failed; the message will return',
          );
        },
      )
      .finally(() => {
        if (receipt) this.inHand.delete(receipt);
        this.handling.delete(task);
      });
    this.handling.add(task);
  }

  private async readVisibilityTimeout(): Promise<number | undefined> {
    try {
      const output = await this.options.client.send(
        new GetQueueAttributesCommand({
          QueueUrl: this.options.queueUrl,
          AttributeNames: ['VisibilityTimeout'],
        }),
        { abortSignal: this.abort.signal },
      );
      const seconds = Number(output.Attributes?.['VisibilityTimeout']);
      if (Number.isInteger(seconds) && seconds >= 1 && seconds <= MAX_VISIBILITY_SECONDS) return seconds;
      this.options.logger.warn(
        { visibilityTimeout: output.Attributes?.['VisibilityTimeout'] },
        'the events queue reports no usable visibility timeout; messages in hand are not extended',
      );
    } catch (error) {
      if (this.stopped) return undefined;
      this.options.logger.warn(
        { err: error, hint: 'allow sqs:GetQueueAttributes on the queue' },
        'cannot read the events queue visibility timeout; messages in hand are not extended',
      );
    }
    return undefined;
  }

  private startHeartbeat(seconds: number): void {
    this.heartbeat = setInterval(() => void this.extendInHand(seconds), (seconds * 1000) / 2);
    this.heartbeat.unref();
  }

  private stopHeartbeat(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  /** Keeps every message in hand invisible for another full timeout. */
  private async extendInHand(seconds: number): Promise<void> {
    await this.inBatches(
      [...this.inHand.values()],
      (QueueUrl, Entries) =>
        this.options.client.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl,
            Entries: Entries.map((entry) => ({ ...entry, VisibilityTimeout: seconds })),
          }),
        ),
      // One let go meanwhile (deleted, or kept to come back) needs no extending.
      (entry) => this.inHand.has(entry.receipt),
      {
        one: 'cannot extend a message in hand; it may be handled twice',
        batch: 'cannot extend messages in hand; they may be handled twice',
      },
    );
  }

  /**
   * Sends receipts ten at a time (SQS's batch bound) and logs each entry that failed (`one`),
   * or each batch that could not be sent (`batch`).
   */
  private async inBatches(
    held: readonly InHand[],
    send: (
      queueUrl: string,
      entries: { Id: string; ReceiptHandle: string }[],
    ) => Promise<{ readonly Failed?: readonly BatchResultErrorEntry[] | undefined }>,
    stillMatters: (entry: InHand) => boolean,
    messages: { readonly one: string; readonly batch: string },
  ): Promise<void> {
    for (let start = 0; start < held.length; start += 10) {
      const batch = held.slice(start, start + 10);
      try {
        const output = await send(
          this.options.queueUrl,
          batch.map((entry, index) => ({ Id: String(index), ReceiptHandle: entry.receipt })),
        );
        for (const failure of output.Failed ?? []) {
          const entry = batch[Number(failure.Id)];
          if (!entry || !stillMatters(entry)) continue;
          this.options.logger.warn(
            { messageId: entry.id, code: failure.Code, reason: failure.Message },
            messages.one,
          );
        }
      } catch (error) {
        this.options.logger.warn({ err: error, messageIds: batch.map((entry) => entry.id) }, messages.batch);
      }
    }
  }

  private queueDelete(id: string, receipt: string): void {
    this.deletes.push({ id, receipt });
    // Deletes resolved together (one coalesced reconciliation) go out as one batch.
    this.deleteFlush ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() =>
      this.flushDeletes(),
    );
  }

  private async flushDeletes(): Promise<void> {
    this.deleteFlush = undefined;
    while (this.deletes.length > 0)
      await this.inBatches(
        this.deletes.splice(0),
        (QueueUrl, Entries) => this.options.client.send(new DeleteMessageBatchCommand({ QueueUrl, Entries })),
        () => true,
        {
          one: 'cannot delete a handled message; it will be handled again',
          batch: 'cannot delete handled messages; they will be handled again',
        },
      );
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const signal = this.abort.signal;
      function done(): void {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done);
    });
  }
}
