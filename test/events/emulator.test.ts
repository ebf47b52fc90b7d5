import {
  CreateApiDestinationCommand,
  CreateConnectionCommand,
  DeleteRuleCommand,
  DescribeRuleCommand,
  EventBridgeClient,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ecrPushPattern } from '../../src/events/pattern.js';
import { startEmulator, type Emulator } from '../../src/testing/emulator/index.js';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
let emulator: Emulator;
let events: EventBridgeClient;

beforeAll(async () => {
  emulator = await startEmulator();
  events = new EventBridgeClient({
    region: 'eu-west-1',
    endpoint: emulator.endpoint,
    credentials,
    maxAttempts: 1,
  });
});
afterAll(async () => {
  events.destroy();
  await emulator.close();
});
beforeEach(() => emulator.server.resetCalls());

const entry = (detail: Record<string, unknown> = { n: 1 }) => ({
  Source: 'drawbridge',
  DetailType: 'Image Update Committed',
  Detail: JSON.stringify(detail),
});

describe('PutEvents', () => {
  it('accepts 1 to 10 entries, stores them and reports per-entry failures', async () => {
    const before = emulator.events.events.length;
    const output = await events.send(
      new PutEventsCommand({
        Entries: [
          entry({ n: 1 }),
          { ...entry(), Source: 'aws.ecr' },
          { ...entry(), Detail: 'not json' },
          { Source: 'drawbridge', DetailType: 'x' },
          { ...entry({ n: 5 }), EventBusName: 'audit', Time: new Date('2026-01-02T03:04:05Z') },
        ],
      }),
    );
    expect(output.FailedEntryCount).toBe(3);
    expect(output.Entries?.map((result) => result.ErrorCode ?? 'ok')).toEqual([
      'ok',
      'NotAuthorizedForSourceException',
      'MalformedDetail',
      'InvalidArgument',
      'ok',
    ]);
    const stored = emulator.events.events.slice(before);
    expect(stored.map((event) => event.eventBusName)).toEqual(['default', 'audit']);
    expect(stored[1]?.envelope).toMatchObject({
      source: 'drawbridge',
      'detail-type': 'Image Update Committed',
      account: emulator.accountId,
      region: emulator.region,
      time: '2026-01-02T03:04:05Z',
      detail: { n: 5 },
    });
    expect(stored[0]?.envelope.id).toBe(output.Entries?.[0]?.EventId);
  });

  it('refuses more than 10 entries and more than 256 KB in total', async () => {
    const eleven = Array.from({ length: 11 }, (_, n) => entry({ n }));
    await expect(events.send(new PutEventsCommand({ Entries: eleven }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
    const big = (n: number) => entry({ n, pad: 'x'.repeat(100 * 1024) });
    await expect(events.send(new PutEventsCommand({ Entries: [big(1), big(2), big(3)] }))).rejects.toThrow(
      /over the limit/,
    );
    const fits = await events.send(new PutEventsCommand({ Entries: [big(1), big(2)] }));
    expect(fits.FailedEntryCount).toBe(0);
  });

  it('fails the next N entries on request, then recovers', async () => {
    emulator.events.failNextEntries(2, 'ThrottlingException', 'slow down');
    const first = await events.send(new PutEventsCommand({ Entries: [entry(), entry(), entry()] }));
    expect(first.Entries?.map((result) => result.ErrorCode ?? 'ok')).toEqual([
      'ThrottlingException',
      'ThrottlingException',
      'ok',
    ]);
    expect(first.Entries?.[0]?.ErrorMessage).toBe('slow down');
    const second = await events.send(new PutEventsCommand({ Entries: [entry()] }));
    expect(second.FailedEntryCount).toBe(0);
  });
});

describe('rules and targets', () => {
  const pattern = JSON.stringify(ecrPushPattern({ repositoryNames: ['team/api'] }));

  it('PutRule replaces the whole rule; DescribeRule and ListRules show it', async () => {
    const created = await events.send(
      new PutRuleCommand({ Name: 'r1', EventPattern: pattern, Description: 'first', State: 'DISABLED' }),
    );
    expect(created.RuleArn).toBe(`arn:aws:events:eu-west-1:${emulator.accountId}:rule/r1`);
    await events.send(new PutRuleCommand({ Name: 'r1', EventPattern: pattern }));
    const described = await events.send(new DescribeRuleCommand({ Name: 'r1' }));
    expect(described).toMatchObject({
      Name: 'r1',
      Arn: created.RuleArn,
      State: 'ENABLED',
      EventBusName: 'default',
    });
    expect(described.Description).toBeUndefined();

    const onBus = await events.send(
      new PutRuleCommand({ Name: 'r1', EventPattern: pattern, EventBusName: 'audit' }),
    );
    expect(onBus.RuleArn).toMatch(/:rule\/audit\/r1$/);

    await expect(events.send(new DescribeRuleCommand({ Name: 'missing' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    await expect(
      events.send(new PutRuleCommand({ Name: 'bad', EventPattern: '{"source":[]}' })),
    ).rejects.toMatchObject({ name: 'InvalidEventPatternException' });
    await expect(events.send(new PutRuleCommand({ Name: 'none' }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });

  it('pages ListRules with a prefix', async () => {
    for (const name of ['page-c', 'page-a', 'page-b']) {
      await events.send(new PutRuleCommand({ Name: name, EventPattern: pattern }));
    }
    const first = await events.send(new ListRulesCommand({ NamePrefix: 'page-', Limit: 2 }));
    expect(first.Rules?.map((rule) => rule.Name)).toEqual(['page-a', 'page-b']);
    const second = await events.send(
      new ListRulesCommand({ NamePrefix: 'page-', Limit: 2, NextToken: first.NextToken }),
    );
    expect(second.Rules?.map((rule) => rule.Name)).toEqual(['page-c']);
    expect(second.NextToken).toBeUndefined();
  });

  it('keeps at most 10 targets per call and 5 per rule; reports bad targets; guards DeleteRule', async () => {
    await events.send(new PutRuleCommand({ Name: 't1', EventPattern: pattern }));
    const target = (n: number) => ({ Id: `t${n}`, Arn: `arn:aws:sqs:eu-west-1:${emulator.accountId}:q${n}` });
    const eleven = Array.from({ length: 11 }, (_, n) => target(n));
    await expect(events.send(new PutTargetsCommand({ Rule: 't1', Targets: eleven }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
    const put = await events.send(
      new PutTargetsCommand({
        Rule: 't1',
        Targets: [target(1), target(2), { Id: 'bad', Arn: 'not-an-arn' }],
      }),
    );
    expect(put.FailedEntryCount).toBe(1);
    expect(put.FailedEntries?.[0]?.TargetId).toBe('bad');
    await events.send(new PutTargetsCommand({ Rule: 't1', Targets: [target(3), target(4), target(5)] }));
    await expect(
      events.send(new PutTargetsCommand({ Rule: 't1', Targets: [target(6)] })),
    ).rejects.toMatchObject({
      name: 'LimitExceededException',
    });
    // Updating an existing id is not a new target.
    await events.send(new PutTargetsCommand({ Rule: 't1', Targets: [{ ...target(1), Input: '{"x":1}' }] }));
    const listed = await events.send(new ListTargetsByRuleCommand({ Rule: 't1' }));
    expect(listed.Targets?.map((item) => item.Id)).toEqual(['t1', 't2', 't3', 't4', 't5']);
    expect(listed.Targets?.[0]?.Input).toBe('{"x":1}');

    await expect(events.send(new DeleteRuleCommand({ Name: 't1' }))).rejects.toThrow(/has targets/);
    await events.send(new RemoveTargetsCommand({ Rule: 't1', Ids: ['t1', 't2', 't3', 't4', 't5'] }));
    await events.send(new DeleteRuleCommand({ Name: 't1' }));
    await expect(events.send(new DescribeRuleCommand({ Name: 't1' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    await expect(events.send(new ListTargetsByRuleCommand({ Rule: 't1' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('creates connections and API destinations', async () => {
    const connection = await events.send(
      new CreateConnectionCommand({
        Name: 'drawbridge',
        AuthorizationType: 'API_KEY',
        AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: 'x-drawbridge-token', ApiKeyValue: 'secret' } },
      }),
    );
    expect(connection.ConnectionArn).toMatch(/^arn:aws:events:eu-west-1:\d{12}:connection\/drawbridge\//);
    const destination = await events.send(
      new CreateApiDestinationCommand({
        Name: 'drawbridge',
        ConnectionArn: connection.ConnectionArn,
        InvocationEndpoint: 'https://drawbridge.example.com/events/ecr',
        HttpMethod: 'POST',
      }),
    );
    expect(destination.ApiDestinationState).toBe('ACTIVE');
    expect(emulator.events.destinations.connections.get('drawbridge')?.authParameters).toMatchObject({
      ApiKeyAuthParameters: { ApiKeyName: 'x-drawbridge-token' },
    });
    await expect(
      events.send(
        new CreateConnectionCommand({
          Name: 'drawbridge',
          AuthorizationType: 'BASIC',
          AuthParameters: { BasicAuthParameters: { Username: 'u', Password: 'p' } },
        }),
      ),
    ).rejects.toMatchObject({ name: 'ResourceAlreadyExistsException' });
  });
});

describe('delivery', () => {
  it('an ECR push event matching the rule lands in the queue; others do not', async () => {
    const queue = emulator.sqs.createQueue('ecr-events');
    const queueUrl = emulator.sqs.queueUrl(emulator.endpoint, 'ecr-events');
    await events.send(
      new PutRuleCommand({
        Name: 'ecr-push',
        EventPattern: JSON.stringify(
          ecrPushPattern({ repositoryNames: ['team/api'], accounts: [emulator.accountId] }),
        ),
      }),
    );
    await events.send(new PutTargetsCommand({ Rule: 'ecr-push', Targets: [{ Id: 'sqs', Arn: queue.arn }] }));

    const detail = (name: string, action = 'PUSH') => ({
      'action-type': action,
      result: 'SUCCESS',
      'repository-name': name,
      'image-digest': 'sha256:0123',
      'image-tag': '1.2.3',
    });
    const pushed = emulator.events.publish({
      source: 'aws.ecr',
      detailType: 'ECR Image Action',
      detail: detail('team/api'),
    });
    emulator.events.publish({
      source: 'aws.ecr',
      detailType: 'ECR Image Action',
      detail: detail('team/web'),
    });
    emulator.events.publish({
      source: 'aws.ecr',
      detailType: 'ECR Image Action',
      detail: detail('team/api', 'DELETE'),
    });
    emulator.events.publish({
      source: 'aws.ecr',
      detailType: 'ECR Image Action',
      detail: detail('team/api'),
      account: '999999999999',
    });

    const sqs = new SQSClient({ region: 'eu-west-1', endpoint: emulator.endpoint, credentials });
    try {
      const received = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      expect(received.Messages).toHaveLength(1);
      const body = JSON.parse(received.Messages?.[0]?.Body ?? '{}');
      expect(body).toEqual({ ...pushed, detail: detail('team/api') });
      expect(body['detail-type']).toBe('ECR Image Action');
    } finally {
      sqs.destroy();
    }
  });

  it('records a failed delivery when the target queue does not exist', async () => {
    await events.send(
      new PutRuleCommand({ Name: 'to-nowhere', EventPattern: '{"source":["custom.nowhere"]}' }),
    );
    await events.send(
      new PutTargetsCommand({
        Rule: 'to-nowhere',
        Targets: [
          { Id: 'q', Arn: `arn:aws:sqs:eu-west-1:${emulator.accountId}:missing`, InputPath: '$.detail' },
        ],
      }),
    );
    await events.send(
      new PutEventsCommand({ Entries: [{ Source: 'custom.nowhere', DetailType: 't', Detail: '{"k":"v"}' }] }),
    );
    const delivery = emulator.events.deliveries.at(-1);
    expect(delivery?.rule.name).toBe('to-nowhere');
    expect(delivery?.body).toBe('{"k":"v"}');
    expect(delivery?.error).toMatch(/does not exist/);
  });

  it('an API destination target receives the event over HTTP with its connection auth', async () => {
    const received: { headers: Record<string, unknown>; body: string }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(202).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const connection = await events.send(
        new CreateConnectionCommand({
          Name: 'http-events',
          AuthorizationType: 'API_KEY',
          AuthParameters: {
            ApiKeyAuthParameters: { ApiKeyName: 'X-Drawbridge-Token', ApiKeyValue: 's3cret' },
          },
        }),
      );
      const destination = await events.send(
        new CreateApiDestinationCommand({
          Name: 'http-events',
          ConnectionArn: connection.ConnectionArn,
          InvocationEndpoint: `http://127.0.0.1:${port}/events/ecr`,
          HttpMethod: 'POST',
        }),
      );
      await events.send(
        new PutRuleCommand({
          Name: 'to-http',
          EventPattern: '{"source":["aws.ecr"],"detail":{"repository-name":["team/http"]}}',
        }),
      );
      await events.send(
        new PutTargetsCommand({
          Rule: 'to-http',
          Targets: [{ Id: 'api', Arn: destination.ApiDestinationArn }],
        }),
      );
      const event = emulator.events.publish({
        source: 'aws.ecr',
        detailType: 'ECR Image Action',
        detail: { 'repository-name': 'team/http', 'action-type': 'PUSH', result: 'SUCCESS' },
      });
      await emulator.events.settle();
      expect(received).toHaveLength(1);
      expect(received[0]?.headers['x-drawbridge-token']).toBe('s3cret');
      expect(JSON.parse(received[0]?.body ?? '{}')).toEqual(event);
      expect(emulator.events.httpResults.at(-1)).toMatchObject({ status: 202 });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
