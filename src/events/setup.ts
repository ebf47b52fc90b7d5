/**
 * Plan, then apply: read the rule and its targets, compare them with the desired setup and
 * write only what differs. A plan is plain data, so `--dry-run` prints it and tests read it.
 */
import {
  DescribeRuleCommand,
  ListTargetsByRuleCommand,
  PutRuleCommand,
  PutTargetsCommand,
  type DescribeRuleCommandOutput,
  type EventBridgeClient,
  type PutRuleCommandInput,
  type PutTargetsCommandInput,
  type Target,
} from '@aws-sdk/client-eventbridge';
import { DrawbridgeError, messageOf } from '../errors.js';
import { TARGET_ID, type DesiredSetup } from './desired.js';
import { canonicalPattern } from './pattern.js';

export type SetupCall =
  | { readonly operation: 'PutRule'; readonly input: PutRuleCommandInput }
  | { readonly operation: 'PutTargets'; readonly input: PutTargetsCommandInput };

export type Change = 'create' | 'update' | 'unchanged';

export interface SetupPlan {
  readonly rule: Change;
  readonly target: Change;
  readonly calls: readonly SetupCall[];
  /** The ARN of the rule as it exists now, if it does. */
  readonly existingRuleArn?: string;
}

export interface CurrentState {
  readonly rule?: DescribeRuleCommandOutput;
  readonly targets: readonly Target[];
}

export async function readCurrent(client: EventBridgeClient, desired: DesiredSetup): Promise<CurrentState> {
  const rule = await call('DescribeRule', () =>
    client.send(new DescribeRuleCommand({ Name: desired.ruleName, EventBusName: desired.eventBusName })),
  ).catch((error: unknown) => {
    if (error instanceof DrawbridgeError && error.context['code'] === 'ResourceNotFoundException')
      return undefined;
    throw error;
  });
  if (!rule) return { targets: [] };
  const targets: Target[] = [];
  let nextToken: string | undefined;
  do {
    const token = nextToken;
    const page = await call('ListTargetsByRule', () =>
      client.send(
        new ListTargetsByRuleCommand({
          Rule: desired.ruleName,
          EventBusName: desired.eventBusName,
          ...(token === undefined ? {} : { NextToken: token }),
        }),
      ),
    );
    targets.push(...(page.Targets ?? []));
    nextToken = page.NextToken;
  } while (nextToken);
  return { rule, targets };
}

export function planSetup(desired: DesiredSetup, current: CurrentState): SetupPlan {
  if (current.rule?.ManagedBy) {
    throw new DrawbridgeError(`rule ${desired.ruleName} is managed by ${current.rule.ManagedBy}`, {
      hint: 'pick another name with --rule-name',
    });
  }
  const rule = ruleChange(desired, current.rule);
  const target = targetChange(desired, current.targets);
  const calls: SetupCall[] = [];
  if (rule !== 'unchanged') {
    calls.push({
      operation: 'PutRule',
      input: {
        Name: desired.ruleName,
        EventBusName: desired.eventBusName,
        EventPattern: JSON.stringify(desired.pattern),
        State: 'ENABLED',
        Description: desired.description,
      },
    });
  }
  if (target !== 'unchanged') {
    calls.push({
      operation: 'PutTargets',
      input: {
        Rule: desired.ruleName,
        EventBusName: desired.eventBusName,
        Targets: [{ Id: TARGET_ID, Arn: desired.queue.arn }],
      },
    });
  }
  return {
    rule,
    target,
    calls,
    ...(current.rule?.Arn === undefined ? {} : { existingRuleArn: current.rule.Arn }),
  };
}

/** Makes the planned calls in order; returns the rule's ARN as AWS reports it. */
export async function applySetup(client: EventBridgeClient, plan: SetupPlan): Promise<string | undefined> {
  let ruleArn = plan.existingRuleArn;
  for (const planned of plan.calls) {
    if (planned.operation === 'PutRule') {
      const output = await call('PutRule', () => client.send(new PutRuleCommand(planned.input)));
      ruleArn = output.RuleArn ?? ruleArn;
      continue;
    }
    const output = await call('PutTargets', () => client.send(new PutTargetsCommand(planned.input)));
    const failure = output.FailedEntries?.[0];
    if ((output.FailedEntryCount ?? 0) > 0 && failure) {
      throw new DrawbridgeError(
        `PutTargets refused target ${failure.TargetId ?? TARGET_ID}: ${failure.ErrorMessage ?? ''}`,
        {
          hint: 'check the queue ARN (--queue-arn or events.sqs.queueUrl)',
          context: { code: failure.ErrorCode },
        },
      );
    }
  }
  return ruleArn;
}

function ruleChange(desired: DesiredSetup, rule: DescribeRuleCommandOutput | undefined): Change {
  if (!rule) return 'create';
  const samePattern =
    rule.EventPattern !== undefined &&
    canonicalPattern(parseJson(rule.EventPattern)) === canonicalPattern(desired.pattern);
  const same =
    samePattern &&
    rule.State === 'ENABLED' &&
    rule.Description === desired.description &&
    rule.ScheduleExpression === undefined;
  return same ? 'unchanged' : 'update';
}

function targetChange(desired: DesiredSetup, targets: readonly Target[]): Change {
  const plain = (target: Target): boolean =>
    target.Input === undefined && target.InputPath === undefined && target.InputTransformer === undefined;
  if (targets.some((target) => target.Arn === desired.queue.arn && plain(target))) return 'unchanged';
  return targets.some((target) => target.Id === TARGET_ID) ? 'update' : 'create';
}

const IAM_ACTION: Record<string, string> = {
  DescribeRule: 'events:DescribeRule',
  ListTargetsByRule: 'events:ListTargetsByRule',
  PutRule: 'events:PutRule',
  PutTargets: 'events:PutTargets',
};

/** Runs one SDK call and turns its failure into an error that says what to do. */
async function call<T>(operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error';
    const message = messageOf(error);
    throw new DrawbridgeError(`EventBridge ${operation} failed: ${name}: ${message}`, {
      hint: hintFor(operation, name),
      context: { code: name },
      cause: error,
    });
  }
}

function hintFor(operation: string, code: string): string {
  if (code === 'AccessDeniedException' || code === 'AccessDenied' || code === 'UnauthorizedOperation') {
    return `allow ${IAM_ACTION[operation] ?? `events:${operation}`} on the rule for the credentials in use (setup needs events:DescribeRule, events:ListTargetsByRule, events:PutRule, events:PutTargets)`;
  }
  if (
    code === 'CredentialsProviderError' ||
    code === 'UnrecognizedClientException' ||
    code === 'InvalidSignatureException'
  ) {
    return 'no valid AWS credentials: set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY';
  }
  if (code === 'LimitExceededException')
    return 'a rule takes at most 5 targets: remove one, or use another --rule-name';
  if (code === 'InvalidEventPatternException')
    return 'a repository name in the config is not one EventBridge accepts';
  return 'check the region (aws.region), the endpoint (aws.endpoint) and the network';
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
