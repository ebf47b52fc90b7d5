/**
 * SQS over AWS JSON 1.0 (`AmazonSQS.<Op>`), enough for the daemon and its tests: queues by URL
 * `<endpoint>/<account>/<name>`, visibility timeouts, long polls that wake on arrival, receipt
 * handles per receive, MD5 of bodies (the SDK checks them) and a redrive policy.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { StoreOptions } from './ecr.js';
import { AwsError, type AwsService } from './server.js';
import { handleSqsOperation } from './sqs-operations.js';

export interface SqsMessage {
  readonly messageId: string;
  readonly body: string;
  readonly md5: string;
  readonly sentAt: number;
  visibleAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
  /** The receipt handle of the latest receive; older handles no longer delete. */
  receipt?: string;
}

export interface SqsQueue {
  readonly name: string;
  readonly arn: string;
  readonly createdAt: number;
  attributes: Record<string, string>;
  messages: SqsMessage[];
  waiters: Set<() => void>;
}

const MAX_BODY_BYTES = 262_144;

export class SqsStore {
  private readonly queues = new Map<string, SqsQueue>();
  private closed = false;

  constructor(readonly options: StoreOptions) {}

  queueUrl(endpoint: string, name: string): string {
    return `${endpoint}/${this.options.accountId}/${name}`;
  }

  createQueue(name: string, attributes: Record<string, string> = {}): SqsQueue {
    if (!/^[A-Za-z0-9_-]{1,80}(\.fifo)?$/.test(name)) {
      throw new AwsError('InvalidParameterValue', `invalid queue name ${name}`);
    }
    const existing = this.queues.get(name);
    if (existing) return existing;
    const queue: SqsQueue = {
      name,
      arn: `arn:aws:sqs:${this.options.region}:${this.options.accountId}:${name}`,
      createdAt: this.nowMs(),
      attributes: { VisibilityTimeout: '30', DelaySeconds: '0', ...attributes },
      messages: [],
      waiters: new Set(),
    };
    this.queues.set(name, queue);
    return queue;
  }

  queue(name: string): SqsQueue {
    const queue = this.queues.get(name);
    if (!queue) {
      throw new AwsError('com.amazonaws.sqs#QueueDoesNotExist', 'The specified queue does not exist.', 400, {
        'x-amzn-query-error': 'AWS.SimpleQueueService.NonExistentQueue;Sender',
      });
    }
    return queue;
  }

  /** Queue by its URL (any host: the SDK sends to the URL's host). */
  queueByUrl(url: unknown): SqsQueue {
    if (typeof url !== 'string' || url === '') throw new AwsError('MissingParameter', 'QueueUrl is required');
    let path: string;
    try {
      path = new URL(url).pathname;
    } catch {
      throw new AwsError('InvalidAddress', `not a queue URL: ${url}`);
    }
    const name = path.split('/').filter(Boolean).at(-1) ?? '';
    return this.queue(name);
  }

  send(queue: SqsQueue, body: string, delaySeconds?: number): SqsMessage {
    if (body.length === 0) throw new AwsError('MissingParameter', 'MessageBody is required');
    if (Buffer.byteLength(body) > MAX_BODY_BYTES) {
      throw new AwsError('InvalidParameterValue', 'message must be shorter than 262144 bytes');
    }
    const delay = delaySeconds ?? Number(queue.attributes['DelaySeconds'] ?? 0);
    const now = this.nowMs();
    const message: SqsMessage = {
      messageId: randomUUID(),
      body,
      md5: md5(body),
      sentAt: now,
      visibleAt: now + delay * 1000,
      receiveCount: 0,
    };
    queue.messages.push(message);
    this.wake(queue);
    return message;
  }

  /** Takes up to `max` visible messages, moving those received too often to the dead-letter queue. */
  take(queue: SqsQueue, max: number, visibilitySeconds: number): SqsMessage[] {
    const now = this.nowMs();
    const taken: SqsMessage[] = [];
    const redrive = parseRedrive(queue.attributes['RedrivePolicy']);
    for (const message of [...queue.messages]) {
      if (taken.length >= max) break;
      if (message.visibleAt > now) continue;
      if (redrive && message.receiveCount >= redrive.maxReceiveCount) {
        const target = [...this.queues.values()].find((q) => q.arn === redrive.deadLetterTargetArn);
        if (target) {
          queue.messages = queue.messages.filter((m) => m !== message);
          target.messages.push({ ...message, visibleAt: now, receipt: undefined });
          this.wake(target);
          continue;
        }
      }
      message.receiveCount += 1;
      message.firstReceivedAt ??= now;
      message.visibleAt = now + visibilitySeconds * 1000;
      message.receipt = `${Buffer.from(message.messageId).toString('base64url')}.${randomUUID()}`;
      taken.push(message);
    }
    return taken;
  }

  /** Waits until a message may be visible, the deadline passes, or the store closes. */
  waitForMessages(queue: SqsQueue, deadline: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    const now = this.nowMs();
    const nextVisible = Math.min(...queue.messages.map((m) => m.visibleAt).filter((t) => t > now));
    const until = Math.min(deadline, Number.isFinite(nextVisible) ? nextVisible : deadline);
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        queue.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, until - now));
      timer.unref();
      queue.waiters.add(done);
    });
  }

  findByReceipt(queue: SqsQueue, receipt: unknown): SqsMessage | 'stale' {
    if (typeof receipt !== 'string' || !receipt.includes('.')) {
      throw new AwsError(
        'ReceiptHandleIsInvalid',
        `The input receipt handle "${String(receipt)}" is not valid.`,
      );
    }
    // SQS accepts an outdated handle without deleting the message; so does this emulator.
    return queue.messages.find((m) => m.receipt === receipt) ?? 'stale';
  }

  deleteMessage(queue: SqsQueue, receipt: unknown): void {
    const message = this.findByReceipt(queue, receipt);
    if (message === 'stale') return;
    queue.messages = queue.messages.filter((m) => m !== message);
  }

  purge(queue: SqsQueue): void {
    queue.messages = [];
  }

  deleteQueue(queue: SqsQueue): void {
    this.queues.delete(queue.name);
    this.wake(queue);
  }

  /** Messages in the queue: visible, in flight and delayed. */
  counts(queue: SqsQueue): { visible: number; inFlight: number; delayed: number } {
    const now = this.nowMs();
    let visible = 0;
    let inFlight = 0;
    let delayed = 0;
    for (const message of queue.messages) {
      if (message.visibleAt <= now) visible += 1;
      else if (message.receiveCount > 0) inFlight += 1;
      else delayed += 1;
    }
    return { visible, inFlight, delayed };
  }

  listQueues(): SqsQueue[] {
    return [...this.queues.values()];
  }

  /** Ends every long poll at once (the server is closing). */
  close(): void {
    this.closed = true;
    for (const queue of this.queues.values()) this.wake(queue);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  nowMs(): number {
    return this.options.now().getTime();
  }

  private wake(queue: SqsQueue): void {
    for (const waiter of [...queue.waiters]) waiter();
  }
}

function parseRedrive(
  text: string | undefined,
): { deadLetterTargetArn: string; maxReceiveCount: number } | undefined {
  if (!text) return undefined;
  try {
    const parsed = JSON.parse(text) as { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown };
    const max = Number(parsed.maxReceiveCount);
    if (typeof parsed.deadLetterTargetArn !== 'string' || !Number.isFinite(max)) return undefined;
    return { deadLetterTargetArn: parsed.deadLetterTargetArn, maxReceiveCount: max };
  } catch {
    throw new AwsError('InvalidAttributeValue', 'RedrivePolicy is not JSON');
  }
}

function md5(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

export function sqsService(store: SqsStore): AwsService {
  return {
    targetPrefix: 'AmazonSQS',
    contentType: 'application/x-amz-json-1.0',
    handle: async (operation, input, context) => handleSqsOperation(store, operation, input, context),
  };
}
