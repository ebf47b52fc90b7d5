/**
 * What `drawbridge events setup` wants to exist, derived from the config alone: the rule on
 * the default bus matching ECR pushes of the configured repositories, and its SQS target.
 * ECR publishes on the default bus of the registry's account, in the repository's region, so
 * repositories elsewhere cannot be caught by this rule: they are reported, not silently dropped.
 */
import type { Config } from '../config/schema.js';
import { UsageError } from '../errors.js';
import { parseRepositoryUri } from '../checks/ecr-uri.js';
import { parseQueueArn, partitionOf, queueFromUrl, ruleArn, type QueueRef } from './arn.js';
import { ecrPushPattern, type EventPattern } from './pattern.js';

export const TARGET_ID = 'drawbridge-sqs';
export const RULE_DESCRIPTION = 'ECR image pushes for drawbridge (managed by `drawbridge events setup`)';

export interface DesiredSetup {
  readonly region: string;
  readonly ruleName: string;
  readonly eventBusName: 'default';
  readonly pattern: EventPattern;
  readonly description: string;
  readonly queue: QueueRef;
  /** The queue URL from the config, when there is one (for the printed instructions). */
  readonly queueUrl?: string;
  /** The rule's ARN if it is created with the queue's account (the caller's may differ). */
  readonly expectedRuleArn: string;
  readonly warnings: readonly string[];
}

export interface DesiredOptions {
  readonly ruleName: string;
  readonly queueArn?: string;
  /** AWS_REGION / AWS_DEFAULT_REGION from the environment, the last resort. */
  readonly envRegion?: string;
}

export function desiredSetup(config: Config, options: DesiredOptions): DesiredSetup {
  const queueUrl = config.events?.sqs?.queueUrl;
  if (!options.queueArn && !queueUrl) {
    throw new UsageError('no queue to deliver ECR events to', {
      hint: 'set events.sqs.queueUrl in the config or pass --queue-arn',
    });
  }
  const region = config.aws.region ?? regionOf(queueUrl, options.queueArn) ?? options.envRegion;
  if (!region) {
    throw new UsageError('cannot tell which region to create the rule in', {
      hint: 'set aws.region in the config (ECR events are published in the repository region)',
    });
  }
  const queue = options.queueArn ? parseQueueArn(options.queueArn) : queueFromUrl(queueUrl ?? '', region);
  if (!queue) {
    throw new UsageError(
      `not an SQS queue ${options.queueArn ? 'ARN' : 'URL'}: ${options.queueArn ?? queueUrl}`,
      {
        hint: 'expected arn:aws:sqs:<region>:<account>:<name> or https://sqs.<region>.amazonaws.com/<account>/<name>',
      },
    );
  }

  const warnings: string[] = [];
  const names = new Set<string>();
  const accounts = new Set<string>();
  for (const [key, image] of Object.entries(config.images)) {
    const parsed = parseRepositoryUri(image.repository);
    if (!parsed) {
      warnings.push(`images.${key}: ${image.repository} is not an ECR repository URI; left out of the rule`);
      continue;
    }
    const imageRegion = image.region ?? parsed.region;
    if (imageRegion !== region) {
      warnings.push(
        `images.${key}: repository is in ${imageRegion}, the rule in ${region}; ECR publishes its events in ${imageRegion}, so run setup there too (aws.region) or rely on the schedule`,
      );
      continue;
    }
    names.add(parsed.name);
    accounts.add(parsed.registryId);
  }
  if (names.size === 0) {
    throw new UsageError(`no configured repository is in ${region}`, {
      hint: 'set aws.region to the region of your ECR repositories',
    });
  }
  const sortedAccounts = [...accounts].sort();
  for (const account of sortedAccounts) {
    if (account !== queue.account) {
      warnings.push(
        `registry ${account} is not the queue's account ${queue.account}: its push events reach only the default bus of ${account}; create the rule there (run setup with that account's credentials) — the queue policy then names that rule`,
      );
    }
  }
  return {
    region,
    ruleName: options.ruleName,
    eventBusName: 'default',
    pattern: ecrPushPattern({ repositoryNames: [...names], accounts: sortedAccounts }),
    description: RULE_DESCRIPTION,
    queue,
    ...(queueUrl === undefined ? {} : { queueUrl }),
    expectedRuleArn: ruleArn({
      partition: partitionOf(region),
      region,
      account: sortedAccounts[0] ?? queue.account,
      name: options.ruleName,
    }),
    warnings,
  };
}

function regionOf(queueUrl: string | undefined, queueArn: string | undefined): string | undefined {
  if (queueArn) return parseQueueArn(queueArn)?.region;
  return queueUrl ? queueFromUrl(queueUrl)?.region : undefined;
}
