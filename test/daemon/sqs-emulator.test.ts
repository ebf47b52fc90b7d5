import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  PurgeQueueCommand,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/testing/emulator/index.js';

let emulator: Emulator;
let sqs: SQSClient;

beforeEach(async () => {
  emulator = await startEmulator();
  sqs = new SQSClient({
    region: 'eu-west-1',
    endpoint: emulator.endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
});

afterEach(async () => {
  sqs.destroy();
  await emulator.close();
});

async function queue(name: string, attributes: Record<string, string> = {}): Promise<string> {
  const out = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  return out.QueueUrl ?? '';
}

async function visibleCount(url: string): Promise<number> {
  const out = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }),
  );
  return Number(out.Attributes?.ApproximateNumberOfMessages);
}

describe('SQS emulator with the real SDK', () => {
  it('creates queues at <endpoint>/<account>/<name> and finds them by name', async () => {
    const url = await queue('events');
    expect(url).toBe(`${emulator.endpoint}/123456789012/events`);
    expect(await queue('events')).toBe(url);
    const found = await sqs.send(new GetQueueUrlCommand({ QueueName: 'events' }));
    expect(found.QueueUrl).toBe(url);
  });

  it('answers a missing queue with the modeled QueueDoesNotExist error', async () => {
    const error = await sqs.send(new GetQueueUrlCommand({ QueueName: 'missing' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueueDoesNotExist);
    expect((error as QueueDoesNotExist).name).toBe('QueueDoesNotExist');
    expect((error as { Code?: string }).Code).toBe('AWS.SimpleQueueService.NonExistentQueue');
  });

  it('sends and receives with body MD5s the SDK accepts, one receipt handle per receive', async () => {
    const url = await queue('events', { VisibilityTimeout: '0' });
    const body = JSON.stringify({ hello: 'wörld ✓' });
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));
    expect(sent.MessageId).toBeTruthy();
    const first = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }),
    );
    const second = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MessageSystemAttributeNames: ['All'] }),
    );
    expect(first.Messages?.[0]?.Body).toBe(body);
    expect(first.Messages?.[0]?.MessageId).toBe(sent.MessageId);
    expect(first.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe('1');
    expect(second.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe('2');
    expect(second.Messages?.[0]?.ReceiptHandle).not.toBe(first.Messages?.[0]?.ReceiptHandle);
  });

  it('hides a received message for the visibility timeout, then delivers it again', async () => {
    const url = await queue('events', { VisibilityTimeout: '30' });
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'one' }));
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 1 }));
    expect(got.Messages).toHaveLength(1);
    const none = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }));
    expect(none.Messages ?? []).toHaveLength(0);
    // The long poll wakes when the message becomes visible again (about a second).
    const again = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        WaitTimeSeconds: 5,
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
    );
    expect(again.Messages?.[0]?.Body).toBe('one');
    expect(again.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe('2');
  });

  it('wakes a long poll when a message arrives', async () => {
    const url = await queue('events');
    const polling = sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20 }));
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'wake up' }));
    const got = await polling;
    expect(got.Messages?.[0]?.Body).toBe('wake up');
  });

  it('ends an open long poll when the emulator closes', async () => {
    const url = await queue('events');
    const polling = sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20 })).then(
      () => 'answered',
      () => 'cut off',
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    await emulator.close();
    expect(['answered', 'cut off']).toContain(await polling);
  });

  it('batches sends (MD5 per entry) and receives at most MaxNumberOfMessages', async () => {
    const url = await queue('events');
    const entries = Array.from({ length: 10 }, (_, i) => ({ Id: `m${i}`, MessageBody: `body ${i}` }));
    const sent = await sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries }));
    expect(sent.Successful).toHaveLength(10);
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 4 }));
    expect(got.Messages).toHaveLength(4);
    const tooMany = await sqs
      .send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 11 }))
      .catch((e: Error) => e.name);
    expect(tooMany).toBe('InvalidParameterValue');
  });

  it('deletes one by one and in batches; a stale receipt deletes nothing', async () => {
    const url = await queue('events', { VisibilityTimeout: '0' });
    for (const body of ['a', 'b', 'c'])
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));
    const stale = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    const fresh = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    const [a, b, c] = fresh.Messages ?? [];
    await sqs.send(
      new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: stale.Messages?.[0]?.ReceiptHandle }),
    );
    expect(await visibleCount(url)).toBe(3);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: a?.ReceiptHandle }));
    const batch = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'b', ReceiptHandle: b?.ReceiptHandle },
          { Id: 'c', ReceiptHandle: c?.ReceiptHandle },
          { Id: 'bad', ReceiptHandle: 'garbage' },
        ],
      }),
    );
    expect(batch.Successful?.map((s) => s.Id)).toEqual(['b', 'c']);
    expect(batch.Failed?.[0]).toMatchObject({ Id: 'bad', Code: 'ReceiptHandleIsInvalid' });
    expect(await visibleCount(url)).toBe(0);
  });

  it('changes the visibility of a message in flight and purges', async () => {
    const url = await queue('events', { VisibilityTimeout: '30' });
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' }));
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }));
    expect(await visibleCount(url)).toBe(0);
    const receipt = got.Messages?.[0]?.ReceiptHandle;
    await sqs.send(
      new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: receipt, VisibilityTimeout: 0 }),
    );
    expect(await visibleCount(url)).toBe(1);
    const notInFlight = await sqs
      .send(
        new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: receipt, VisibilityTimeout: 5 }),
      )
      .catch((e: Error) => e.name);
    expect(notInFlight).toBe('MessageNotInflight');
    await sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
    expect(await visibleCount(url)).toBe(0);
  });

  it('moves a message received maxReceiveCount times to the dead-letter queue', async () => {
    const dlqUrl = await queue('events-dlq');
    const dlq = emulator.sqs.queue('events-dlq');
    const url = await queue('events', {
      VisibilityTimeout: '0',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 }),
    });
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'poison' }));
    for (let i = 0; i < 2; i++) {
      const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }));
      expect(got.Messages).toHaveLength(1);
    }
    const third = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }));
    expect(third.Messages ?? []).toHaveLength(0);
    const dead = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl }));
    expect(dead.Messages?.[0]?.Body).toBe('poison');
  });
});
