/**
 * The emulated EventBridge's rules and targets, per event bus, with the limits and errors
 * the real service has (PutRule replaces the whole rule; at most 10 targets per call and 5
 * per rule; a rule with targets cannot be deleted).
 */
import { validatePattern } from '../../events/pattern.js';
import type { StoreOptions } from './ecr.js';
import { AwsError } from './server.js';

export interface RuleRecord {
  readonly name: string;
  readonly arn: string;
  readonly eventBusName: string;
  readonly eventPattern?: string;
  readonly scheduleExpression?: string;
  readonly state: 'ENABLED' | 'DISABLED';
  readonly description?: string;
  readonly roleArn?: string;
}

/** A target as PutTargets received it (`Id`, `Arn`, and whatever else was sent). */
export type TargetRecord = Readonly<Record<string, unknown>> & { readonly Id: string; readonly Arn: string };

export interface FailedTarget {
  readonly TargetId: string;
  readonly ErrorCode: string;
  readonly ErrorMessage: string;
}

const NAME = /^[.\-_A-Za-z0-9]{1,64}$/;
const MAX_TARGETS_PER_CALL = 10;
const MAX_TARGETS_PER_RULE = 5;

export class RuleBook {
  private readonly rules = new Map<string, RuleRecord>();
  private readonly targets = new Map<string, TargetRecord[]>();

  constructor(private readonly options: StoreOptions) {}

  putRule(input: Record<string, unknown>): RuleRecord {
    const name = requireName(input['Name'], 'Name');
    const eventBusName = busName(input['EventBusName']);
    const eventPattern = optionalString(input['EventPattern']);
    const scheduleExpression = optionalString(input['ScheduleExpression']);
    if (eventPattern === undefined && scheduleExpression === undefined) {
      throw new AwsError(
        'ValidationException',
        'Parameter(s) EventPattern or ScheduleExpression must be specified.',
      );
    }
    if (eventPattern !== undefined) checkPattern(eventPattern);
    const state = input['State'] ?? 'ENABLED';
    if (state !== 'ENABLED' && state !== 'DISABLED') {
      throw new AwsError(
        'ValidationException',
        `State must be ENABLED or DISABLED, not ${JSON.stringify(state)}`,
      );
    }
    const description = optionalString(input['Description']);
    const roleArn = optionalString(input['RoleArn']);
    const rule: RuleRecord = {
      name,
      arn: this.ruleArn(eventBusName, name),
      eventBusName,
      state,
      ...(eventPattern === undefined ? {} : { eventPattern }),
      ...(scheduleExpression === undefined ? {} : { scheduleExpression }),
      ...(description === undefined ? {} : { description }),
      ...(roleArn === undefined ? {} : { roleArn }),
    };
    this.rules.set(key(eventBusName, name), rule);
    return rule;
  }

  rule(name: unknown, eventBusName?: unknown): RuleRecord {
    const bus = busName(eventBusName);
    const rule = this.rules.get(key(bus, requireName(name, 'Name')));
    if (!rule)
      throw new AwsError(
        'ResourceNotFoundException',
        `Rule ${String(name)} does not exist on EventBus ${bus}.`,
      );
    return rule;
  }

  findRule(name: string, eventBusName = 'default'): RuleRecord | undefined {
    return this.rules.get(key(eventBusName, name));
  }

  /** Rules of one bus, sorted by name. */
  listRules(eventBusName?: unknown, namePrefix?: unknown): RuleRecord[] {
    const bus = busName(eventBusName);
    const prefix = optionalString(namePrefix) ?? '';
    return [...this.rules.values()]
      .filter((rule) => rule.eventBusName === bus && rule.name.startsWith(prefix))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  deleteRule(name: unknown, eventBusName?: unknown): void {
    const bus = busName(eventBusName);
    const ruleKey = key(bus, requireName(name, 'Name'));
    if (!this.rules.has(ruleKey)) return;
    if ((this.targets.get(ruleKey) ?? []).length > 0) {
      throw new AwsError('ValidationException', "Rule can't be deleted since it has targets.");
    }
    this.rules.delete(ruleKey);
    this.targets.delete(ruleKey);
  }

  putTargets(input: Record<string, unknown>): FailedTarget[] {
    const rule = this.rule(input['Rule'], input['EventBusName']);
    const targets = input['Targets'];
    if (!Array.isArray(targets) || targets.length === 0) {
      throw new AwsError('ValidationException', 'Targets must contain at least 1 target.');
    }
    if (targets.length > MAX_TARGETS_PER_CALL) {
      throw new AwsError(
        'ValidationException',
        `1 validation error detected: Value at 'targets' failed to satisfy constraint: Member must have length less than or equal to ${MAX_TARGETS_PER_CALL}`,
      );
    }
    const ruleKey = key(rule.eventBusName, rule.name);
    const current = [...(this.targets.get(ruleKey) ?? [])];
    const failed: FailedTarget[] = [];
    const accepted: TargetRecord[] = [];
    for (const raw of targets as unknown[]) {
      const target = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
      const id = target['Id'];
      const arn = target['Arn'];
      if (typeof id !== 'string' || !NAME.test(id)) {
        throw new AwsError(
          'ValidationException',
          'Target Id must match [\\.\\-_A-Za-z0-9]+ (1 to 64 characters).',
        );
      }
      if (typeof arn !== 'string' || !/^arn:aws[a-z-]*:[a-z0-9-]+:/.test(arn)) {
        failed.push({
          TargetId: id,
          ErrorCode: 'ValidationException',
          ErrorMessage: `Parameter ${String(arn)} is not valid.`,
        });
        continue;
      }
      accepted.push({ ...target, Id: id, Arn: arn });
    }
    const ids = new Set(current.map((target) => target.Id));
    const added = accepted.filter((target) => !ids.has(target.Id)).length;
    if (current.length + added > MAX_TARGETS_PER_RULE) {
      throw new AwsError(
        'LimitExceededException',
        'The requested resource exceeds the maximum number allowed.',
      );
    }
    for (const target of accepted) {
      const index = current.findIndex((existing) => existing.Id === target.Id);
      if (index >= 0) current[index] = target;
      else current.push(target);
    }
    this.targets.set(ruleKey, current);
    return failed;
  }

  listTargets(ruleName: unknown, eventBusName?: unknown): TargetRecord[] {
    const rule = this.rule(ruleName, eventBusName);
    return [...(this.targets.get(key(rule.eventBusName, rule.name)) ?? [])];
  }

  removeTargets(input: Record<string, unknown>): void {
    const rule = this.rule(input['Rule'], input['EventBusName']);
    const ids = input['Ids'];
    if (!Array.isArray(ids) || ids.length === 0 || ids.length > 100) {
      throw new AwsError('ValidationException', 'Ids must contain between 1 and 100 target ids.');
    }
    const ruleKey = key(rule.eventBusName, rule.name);
    const remaining = (this.targets.get(ruleKey) ?? []).filter((target) => !ids.includes(target.Id));
    this.targets.set(ruleKey, remaining);
  }

  /** Enabled rules with a pattern on one bus, with their targets. */
  routes(eventBusName: string): { rule: RuleRecord; targets: TargetRecord[] }[] {
    return this.listRules(eventBusName)
      .filter((rule) => rule.state === 'ENABLED' && rule.eventPattern !== undefined)
      .map((rule) => ({ rule, targets: this.targets.get(key(rule.eventBusName, rule.name)) ?? [] }));
  }

  private ruleArn(eventBusName: string, name: string): string {
    const path = eventBusName === 'default' ? name : `${eventBusName}/${name}`;
    return `arn:aws:events:${this.options.region}:${this.options.accountId}:rule/${path}`;
  }
}

/** `EventBusName` may be a name or an ARN; absent means `default`. */
export function busName(value: unknown): string {
  if (value === undefined || value === null || value === '') return 'default';
  if (typeof value !== 'string') throw new AwsError('ValidationException', 'EventBusName must be a string');
  const marker = value.indexOf(':event-bus/');
  return marker >= 0 ? value.slice(marker + ':event-bus/'.length) : value;
}

function checkPattern(text: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new AwsError('InvalidEventPatternException', 'Event pattern is not valid. Reason: not JSON');
  }
  try {
    validatePattern(parsed);
  } catch (error) {
    throw new AwsError(
      'InvalidEventPatternException',
      `Event pattern is not valid. Reason: ${(error as Error).message}`,
    );
  }
}

function requireName(value: unknown, field: string): string {
  if (typeof value !== 'string' || !NAME.test(value)) {
    throw new AwsError(
      'ValidationException',
      `${field} must match [\\.\\-_A-Za-z0-9]+ (1 to 64 characters).`,
    );
  }
  return value;
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function key(eventBusName: string, name: string): string {
  return `${eventBusName}\u0000${name}`;
}
