/** The SQS operations over the store (AWS JSON 1.0 shapes in, out). */
import { AwsError, type RequestContext } from './server.js';
import type { SqsMessage, SqsQueue, SqsStore } from './sqs.js';
export async function handleSqsOperation(
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
      const message = store.send(queue, text(input['MessageBody']), optionalNumber(input['DelaySeconds']));
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
    case 'ChangeMessageVisibility':
      changeVisibility(store, store.queueByUrl(input['QueueUrl']), input);
      return {};
    case 'ChangeMessageVisibilityBatch':
      return changeVisibilityBatch(store, input);
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
      const message = store.send(queue, text(entry['MessageBody']), optionalNumber(entry['DelaySeconds']));
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
  return eachEntry(input, (entry) => store.deleteMessage(queue, entry['ReceiptHandle']));
}

function changeVisibility(store: SqsStore, queue: SqsQueue, entry: Record<string, unknown>): void {
  const message = store.findByReceipt(queue, entry['ReceiptHandle']);
  if (message === 'stale' || message.visibleAt <= store.nowMs()) {
    throw new AwsError('MessageNotInflight', 'The message referred to is not in flight.');
  }
  const seconds = optionalNumber(entry['VisibilityTimeout']) ?? 0;
  if (seconds < 0 || seconds > 43_200) {
    throw new AwsError('InvalidParameterValue', 'VisibilityTimeout must be between 0 and 43200');
  }
  message.visibleAt = store.nowMs() + seconds * 1000;
}

function changeVisibilityBatch(store: SqsStore, input: Record<string, unknown>): unknown {
  const queue = store.queueByUrl(input['QueueUrl']);
  return eachEntry(input, (entry) => changeVisibility(store, queue, entry));
}

/** Applies a batch entry by entry; an AWS error fails only its own entry, as SQS answers. */
function eachEntry(input: Record<string, unknown>, apply: (entry: Record<string, unknown>) => void): unknown {
  const successful: unknown[] = [];
  const failed: unknown[] = [];
  for (const entry of entryList(input['Entries'])) {
    const id = text(entry['Id']);
    try {
      apply(entry);
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
