import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { describe, expect, it } from 'vitest';
import { parseQueueArn, queueFromUrl } from '../../src/events/arn.js';
import { desiredSetup } from '../../src/events/desired.js';
import { applySetup, planSetup, readCurrent } from '../../src/events/setup.js';
import { parseConfig } from '../../src/config/load.js';

const config = (extra = '') =>
  parseConfig(
    [
      'version: 1',
      'git: { url: "file:///srv/fleet.git" }',
      'images:',
      '  api: { repository: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api }',
      '  shared: { repository: 210987654321.dkr.ecr.eu-west-1.amazonaws.com/base/node }',
      'environments:',
      '  dev: { branch: dev, policies: { api: { semver: "*" } } }',
      'events: { sqs: { queueUrl: "https://sqs.eu-west-1.amazonaws.com/123456789012/drawbridge-ecr" } }',
      extra,
    ].join('\n'),
    'drawbridge.yaml',
  ).config;

describe('queue ARNs', () => {
  it.each([
    ['https://sqs.eu-west-1.amazonaws.com/123456789012/q', 'arn:aws:sqs:eu-west-1:123456789012:q'],
    ['https://eu-west-1.queue.amazonaws.com/123456789012/q', 'arn:aws:sqs:eu-west-1:123456789012:q'],
    ['https://queue.amazonaws.com/123456789012/q', 'arn:aws:sqs:us-east-1:123456789012:q'],
    ['https://sqs.cn-north-1.amazonaws.com.cn/123456789012/q', 'arn:aws-cn:sqs:cn-north-1:123456789012:q'],
    [
      'https://vpce-0abc-xyz.sqs.eu-west-1.vpce.amazonaws.com/123456789012/q.fifo',
      'arn:aws:sqs:eu-west-1:123456789012:q.fifo',
    ],
    ['http://127.0.0.1:4566/123456789012/q', 'arn:aws:sqs:ap-south-1:123456789012:q'],
  ])('%s', (url, arn) => {
    expect(queueFromUrl(url, 'ap-south-1')?.arn).toBe(arn);
  });

  it('refuses what is not a queue', () => {
    expect(queueFromUrl('https://sqs.eu-west-1.amazonaws.com/q')).toBeUndefined();
    expect(queueFromUrl('http://127.0.0.1:4566/123456789012/q')).toBeUndefined();
    expect(queueFromUrl('not a url')).toBeUndefined();
    expect(parseQueueArn('arn:aws:sqs:eu-west-1:123456789012:q')?.region).toBe('eu-west-1');
    expect(parseQueueArn('arn:aws:sns:eu-west-1:123456789012:q')).toBeUndefined();
  });
});

describe('desiredSetup', () => {
  it('takes the region from the queue URL and warns about another registry account', () => {
    const desired = desiredSetup(config(), { ruleName: 'r' });
    expect(desired.region).toBe('eu-west-1');
    expect(desired.pattern).toMatchObject({ account: ['123456789012', '210987654321'] });
    expect(desired.warnings.join('\n')).toMatch(/registry 210987654321 is not the queue's account/);
    expect(desired.queue.arn).toBe('arn:aws:sqs:eu-west-1:123456789012:drawbridge-ecr');
  });

  it('refuses a region without repositories', () => {
    expect(() => desiredSetup(config('aws: { region: us-west-2 }'), { ruleName: 'r' })).toThrow(
      /no configured repository is in us-west-2/,
    );
  });
});

describe('planSetup and applySetup', () => {
  const desired = desiredSetup(config(), { ruleName: 'r' });

  it('replaces a rule with a schedule, a disabled state or another pattern; keeps a matching target of another id', () => {
    const rule = {
      Name: 'r',
      Arn: 'arn:aws:events:eu-west-1:123456789012:rule/r',
      EventPattern: JSON.stringify(desired.pattern),
      State: 'DISABLED' as const,
      Description: desired.description,
      $metadata: {},
    };
    const plan = planSetup(desired, { rule, targets: [{ Id: 'mine', Arn: desired.queue.arn }] });
    expect(plan.rule).toBe('update');
    expect(plan.target).toBe('unchanged');
    expect(plan.existingRuleArn).toBe(rule.Arn);
    expect(planSetup(desired, { rule: { ...rule, State: 'ENABLED' }, targets: [] }).rule).toBe('unchanged');
    expect(
      planSetup(desired, {
        rule: { ...rule, State: 'ENABLED' },
        targets: [{ Id: 'drawbridge-sqs', Arn: desired.queue.arn, InputPath: '$.detail' }],
      }).target,
    ).toBe('update');
    expect(() => planSetup(desired, { rule: { ...rule, ManagedBy: 'amazon.aws' }, targets: [] })).toThrow(
      /managed by/,
    );
  });

  it('names the IAM action when access is denied', async () => {
    const denied = {
      send: async () => {
        throw Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException' });
      },
    } as unknown as EventBridgeClient;
    await expect(readCurrent(denied, desired)).rejects.toMatchObject({
      hint: expect.stringMatching(/^allow events:DescribeRule/),
    });
    const plan = planSetup(desired, { targets: [] });
    await expect(applySetup(denied, plan)).rejects.toMatchObject({
      hint: expect.stringMatching(/^allow events:PutRule/),
    });
  });
});
