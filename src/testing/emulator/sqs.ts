/**
 * SQS over AWS JSON 1.0 (`AmazonSQS.<Op>`), enough for the daemon and its tests: queues by URL
 * `<endpoint>/<account>/<name>`, visibility timeouts, long polls that wake on arrival, receipt
 * handles per receive, MD5 of bodies (the SDK checks them) and a redrive policy.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { StoreOptions } from './ecr.js';
import { AwsError, type AwsService, type RequestContext } from './server.js';

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

export function sqsService(store: SqsStore): AwsService {
  return {
    targetPrefix: 'AmazonSQS',
    contentType: 'application/x-amz-json-1.0',
    handle: async (operation, input, context) => handleOperation(store, operation, input, context),
  };
}

async function handleOperation(
  store: SqsStore,
  operation: string,
  input: Record<string, unknown>,
  context: RequestContext,
): Promise<unknown> {
  switch (operation) {
    case 'CreateQueue': {
      const queue = store.createQueue(text(input['QueueName']), stringRecord(input['Attributes']));
      return { QueueUrl: store.queueUrl(context.endpoint, queue.name) };
    }
    case 'GetQueueUrl': {
      const queue = store.queue(text(input['QueueName']));
      return { QueueUrl: store.queueUrl(context.endpoint, queue.name) };
    }
    case 'ListQueues': {
      const prefix = text(input['QueueNamePrefix']);
      const urls = store
        .listQueues()
        .filter((q) => q.name.startsWith(prefix))
        .map((q) => store.queueUrl(context.endpoint, q.name));
      return { QueueUrls: urls };
    }
    case 'DeleteQueue':
      store.deleteQueue(store.queueByUrl(input['QueueUrl']));
      return {};
    case 'GetQueueAttributes':
      return {
        Attributes: queueAttributes(store, store.queueByUrl(input['QueueUrl']), input['AttributeNames']),
      };
    case 'SetQueueAttributes': {
      const queue = store.queueByUrl(input['QueueUrl']);
      queue.attributes = { ...queue.attributes, ...stringRecord(input['Attributes']) };
      return {};
    }
    case 'SendMessage': {
      const queue = store.queueByUrl(input['QueueUrl']);
      const message = store.send(
        queue,
        text(input['MessageBody']),
        optionalNumber(input['DelaySeconds']),
      );
      return { MessageId: message.messageId, MD5OfMessageBody: message.md5 };
    }
    case 'SendMessageBatch':
      return sendBatch(store, input);
    case 'ReceiveMessage':
      return receive(store, input);
    case 'DeleteMessage':
      store.deleteMessage(store.queueByUrl(input['QueueUrl']), input['ReceiptHandle']);
      return {};
    case 'DeleteMessageBatch':
      return deleteBatch(store, input);
    case 'ChangeMessageVisibility': {
      const queue = store.queueByUrl(input['QueueUrl']);
      const message = store.findByReceipt(queue, input['ReceiptHandle']);
      if (message === 'stale' || message.visibleAt <= store.nowMs()) {
        throw new AwsError('MessageNotInflight', 'The message referred to is not in flight.');
      }
      message.visibleAt = store.nowMs() + (optionalNumber(input['VisibilityTimeout']) ?? 0) * 1000;
      return {};
    }
    case 'PurgeQueue':
      store.purge(store.queueByUrl(input['QueueUrl']));
      return {};
    default:
      throw new AwsError('UnknownOperationException', `unsupported operation ${operation}`);
  }
}

function sendBatch(store: SqsStore, input: Record<string, unknown>): unknown {
  const queue = store.queueByUrl(input['QueueUrl']);
  const entries = entryList(input['Entries']);
  const successful: unknown[] = [];
  const failed: unknown[] = [];
  for (const entry of entries) {
    const id = text(entry['Id']);
    try {
      const message = store.send(
        queue,
        text(entry['MessageBody']),
        optionalNumber(entry['DelaySeconds']),
      );
      successful.push({ Id: id, MessageId: message.messageId, MD5OfMessageBody: message.md5 });
    } catch (error) {
      if (!(error instanceof AwsError)) throw error;
      failed.push({ Id: id, Code: error.type, Message: error.message, SenderFault: true });
    }
  }
  return { Successful: successful, Failed: failed };
}

function deleteBatch(store: SqsStore, input: Record<string, unknown>): unknown {
  const queue = store.queueByUrl(input['QueueUrl']);
  const successful: unknown[] = [];
  const failed: unknown[] = [];
  for (const entry of entryList(input['Entries'])) {
    const id = text(entry['Id']);
    try {
      store.deleteMessage(queue, entry['ReceiptHandle']);
      successful.push({ Id: id });
    } catch (error) {
      if (!(error instanceof AwsError)) throw error;
      failed.push({ Id: id, Code: error.type, Message: error.message, SenderFault: true });
    }
  }
  return { Successful: successful, Failed: failed };
}

async function receive(store: SqsStore, input: Record<string, unknown>): Promise<unknown> {
  const queue = store.queueByUrl(input['QueueUrl']);
  const max = optionalNumber(input['MaxNumberOfMessages']) ?? 1;
  if (max < 1 || max > 10) {
    throw new AwsError('InvalidParameterValue', 'MaxNumberOfMessages must be between 1 and 10');
  }
  const wait =
    optionalNumber(input['WaitTimeSeconds']) ??
    Number(queue.attributes['ReceiveMessageWaitTimeSeconds'] ?? 0);
  const visibility =
    optionalNumber(input['VisibilityTimeout']) ?? Number(queue.attributes['VisibilityTimeout']);
  const wanted = new Set([
    ...stringList(input['AttributeNames']),
    ...stringList(input['MessageSystemAttributeNames']),
  ]);
  const deadline = store.nowMs() + wait * 1000;
  let messages = store.take(queue, max, visibility);
  while (messages.length === 0 && store.nowMs() < deadline && !store.isClosed) {
    await store.waitForMessages(queue, deadline);
    messages = store.take(queue, max, visibility);
  }
  return {
    Messages: messages.map((message) => ({
      MessageId: message.messageId,
      ReceiptHandle: message.receipt,
      MD5OfBody: message.md5,
      Body: message.body,
      ...(wanted.size > 0 ? { Attributes: messageAttributes(message, wanted) } : {}),
    })),
  };
}

function messageAttributes(message: SqsMessage, wanted: Set<string>): Record<string, string> {
  const all: Record<string, string> = {
    ApproximateReceiveCount: String(message.receiveCount),
    SentTimestamp: String(message.sentAt),
    ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt ?? message.sentAt),
    SenderId: 'AIDAEMULATOR',
  };
  if (wanted.has('All')) return all;
  return Object.fromEntries(Object.entries(all).filter(([name]) => wanted.has(name)));
}

function queueAttributes(store: SqsStore, queue: SqsQueue, names: unknown): Record<string, string> {
  const counts = store.counts(queue);
  const all: Record<string, string> = {
    ...queue.attributes,
    QueueArn: queue.arn,
    CreatedTimestamp: String(Math.floor(queue.createdAt / 1000)),
    ApproximateNumberOfMessages: String(counts.visible),
    ApproximateNumberOfMessagesNotVisible: String(counts.inFlight),
    ApproximateNumberOfMessagesDelayed: String(counts.delayed),
  };
  const wanted = new Set(stringList(names));
  if (wanted.size === 0 || wanted.has('All')) return all;
  return Object.fromEntries(Object.entries(all).filter(([name]) => wanted.has(name)));
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

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function optionalNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function stringRecord(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null) return {};
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
}

function entryList(value: unknown): Record<string, unknown>[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new AwsError(
      'AWS.SimpleQueueService.EmptyBatchRequest',
      'The batch request does not contain any entries.',
    );
  }
  if (value.length > 10) {
    throw new AwsError(
      'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
      'Maximum number of entries is 10.',
    );
  }
  return value.filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null);
}
