/**
 * The SQS queue policy that lets the rule deliver: EventBridge sends as the service principal,
 * and `aws:SourceArn` pins it to this rule so no other rule (or account) can write to the queue.
 */

export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Id?: string;
  readonly Statement: readonly Record<string, unknown>[];
}

export function queuePolicy(queueArn: string, ruleArn: string): PolicyDocument {
  return {
    Version: '2012-10-17',
    Id: 'drawbridge-ecr-events',
    Statement: [
      {
        Sid: 'AllowEventBridgeRule',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: queueArn,
        Condition: { ArnEquals: { 'aws:SourceArn': ruleArn } },
      },
    ],
  };
}
