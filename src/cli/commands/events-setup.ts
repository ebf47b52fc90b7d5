/**
 * `drawbridge events setup [--dry-run]`: creates or updates the EventBridge rule that sends
 * ECR pushes of the configured repositories to the daemon's SQS queue, writing only what
 * differs, and prints the queue policy the queue needs.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { loadConfig } from '../../config/load.js';
import { exitCodeFor, formatError } from '../../errors.js';
import { desiredSetup, TARGET_ID, type DesiredSetup } from '../../events/desired.js';
import { queuePolicy } from '../../events/queue-policy.js';
import { applySetup, planSetup, readCurrent, type CurrentState, type SetupPlan } from '../../events/setup.js';
import type { CliIO, ExitCode } from '../io.js';

export interface EventsSetupOptions {
  readonly config?: string;
  readonly dryRun?: boolean;
  readonly ruleName: string;
  readonly queueArn?: string;
}

export async function eventsSetupCommand(options: EventsSetupOptions, io: CliIO): Promise<ExitCode> {
  let client: EventBridgeClient | undefined;
  try {
    const { config } = await loadConfig({
      ...(options.config === undefined ? {} : { path: options.config }),
      env: io.env,
      cwd: io.cwd,
    });
    const envRegion = io.env['AWS_REGION'] ?? io.env['AWS_DEFAULT_REGION'];
    const desired = desiredSetup(config, {
      ruleName: options.ruleName,
      ...(options.queueArn === undefined ? {} : { queueArn: options.queueArn }),
      ...(envRegion === undefined ? {} : { envRegion }),
    });
    for (const warning of desired.warnings) io.stderr.write(`warning: ${warning}\n`);
    client = new EventBridgeClient({
      region: desired.region,
      ...(config.aws.endpoint === undefined ? {} : { endpoint: config.aws.endpoint }),
    });

    if (options.dryRun) {
      const current = await readCurrent(client, desired).catch((error: unknown): CurrentState => {
        io.stderr.write(`note: cannot read the current rule, showing every call (${formatError(error)})\n`);
        return { targets: [] };
      });
      const plan = planSetup(desired, current);
      io.stdout.write(`${JSON.stringify(dryRunReport(desired, plan), null, 2)}\n`);
      return 0;
    }

    const plan = planSetup(desired, await readCurrent(client, desired));
    const ruleArn = (await applySetup(client, plan)) ?? desired.expectedRuleArn;
    io.stdout.write(summary(desired, plan));
    io.stdout.write(policyInstructions(desired, ruleArn));
    return 0;
  } catch (error) {
    io.stderr.write(`error: ${formatError(error)}\n`);
    return exitCodeFor(error);
  } finally {
    client?.destroy();
  }
}

function dryRunReport(desired: DesiredSetup, plan: SetupPlan): Record<string, unknown> {
  const ruleArn = plan.existingRuleArn ?? desired.expectedRuleArn;
  return {
    dryRun: true,
    region: desired.region,
    rule: { name: desired.ruleName, change: plan.rule },
    target: { id: TARGET_ID, arn: desired.queue.arn, change: plan.target },
    calls: plan.calls,
    queuePolicy: queuePolicy(desired.queue.arn, ruleArn),
  };
}

function summary(desired: DesiredSetup, plan: SetupPlan): string {
  const verb = { create: 'created', update: 'updated', unchanged: 'unchanged' } as const;
  return [
    `rule ${desired.ruleName} (bus ${desired.eventBusName}, ${desired.region}): ${verb[plan.rule]}`,
    `target ${TARGET_ID} -> ${desired.queue.arn}: ${verb[plan.target]}`,
    '',
  ].join('\n');
}

function policyInstructions(desired: DesiredSetup, ruleArn: string): string {
  const policy = JSON.stringify(queuePolicy(desired.queue.arn, ruleArn), null, 2);
  const queue = desired.queueUrl ?? desired.queue.arn;
  return [
    '',
    `The queue must allow the rule to send to it. Attach this policy to ${queue}`,
    '(merge it with any policy already there; the Policy attribute replaces the whole document):',
    '',
    policy,
    '',
    `  aws sqs set-queue-attributes --queue-url ${desired.queueUrl ?? '<queue url>'} \\`,
    `    --attributes Policy='${JSON.stringify(queuePolicy(desired.queue.arn, ruleArn))}'`,
    '',
  ].join('\n');
}
