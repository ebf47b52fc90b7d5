/**
 * EventBridge over AWS JSON 1.1 (`AWSEvents.<Op>`): PutEvents with the real limits and
 * per-entry failures, rules and targets (eventbridge-rules.ts), connections and API
 * destinations, and delivery: an event that matches an enabled rule is handed to `onDeliver`
 * once per target (index.ts wires it to eventbridge-delivery.ts: SQS queues, API destinations).
 */
import { randomUUID } from 'node:crypto';
import { matchesPattern } from '../../events/pattern.js';
import type { StoreOptions } from './ecr.js';
import type { HttpResult } from './eventbridge-delivery.js';
import { DestinationBook } from './eventbridge-destinations.js';
import { busName, RuleBook, type RuleRecord, type TargetRecord } from './eventbridge-rules.js';
import { AwsError, type AwsService } from './server.js';

export type { RuleRecord, TargetRecord } from './eventbridge-rules.js';
export type { ApiDestinationRecord, ConnectionRecord } from './eventbridge-destinations.js';

/** An event on a bus, as rules and targets see it (the EventBridge envelope). */
export interface EventEnvelope {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: Record<string, unknown>;
}

export interface StoredEvent {
  readonly eventBusName: string;
  readonly envelope: EventEnvelope;
}

export interface Delivery {
  readonly rule: RuleRecord;
  readonly target: TargetRecord;
  readonly event: EventEnvelope;
  /** What the target receives: the envelope JSON, or the target's Input / InputPath. */
  readonly body: string;
  /** Set when `onDeliver` threw (e.g. the queue does not exist). */
  readonly error?: string;
}

export interface PutEventsEntryResult {
  readonly EventId?: string;
  readonly ErrorCode?: string;
  readonly ErrorMessage?: string;
}

/** An event published by an AWS service (`aws.ecr`): no source restriction applies. */
export interface ServiceEvent {
  readonly source: string;
  readonly detailType: string;
  readonly detail: Record<string, unknown>;
  readonly account?: string;
  readonly region?: string;
  readonly resources?: readonly string[];
  readonly time?: Date;
  readonly eventBusName?: string;
}

const MAX_ENTRIES = 10;
const MAX_REQUEST_BYTES = 256 * 1024;

export class EventBridgeStore {
  readonly rules: RuleBook;
  /** Events accepted by PutEvents or published by a service, oldest first. */
  readonly events: StoredEvent[] = [];
  readonly deliveries: Delivery[] = [];
  readonly destinations: DestinationBook;
  /** Called once per matching target; throw to record a failed delivery. */
  onDeliver: ((delivery: Delivery) => void) | undefined;
  /** Deliveries still under way (HTTP to API destinations); `settle()` waits for them. */
  readonly inFlight = new Set<Promise<void>>();
  /** Answers of API destinations (see eventbridge-delivery.ts). */
  readonly httpResults: HttpResult[] = [];
  private failing = { remaining: 0, code: 'InternalFailure', message: 'injected failure' };

  constructor(readonly options: StoreOptions) {
    this.rules = new RuleBook(options);
    this.destinations = new DestinationBook(options);
  }

  /** Waits until every delivery under way has finished. */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  /** Test hook: the next `count` PutEvents entries fail with this error code. */
  failNextEntries(count: number, code = 'InternalFailure', message = 'injected failure'): void {
    this.failing = { remaining: count, code, message };
  }

  putEvents(entries: unknown): { FailedEntryCount: number; Entries: PutEventsEntryResult[] } {
    if (!Array.isArray(entries) || entries.length === 0 || entries.length > MAX_ENTRIES) {
      throw new AwsError(
        'ValidationException',
        `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and ${MAX_ENTRIES}`,
      );
    }
    const records = entries.map((entry: unknown) =>
      entry !== null && typeof entry === 'object' ? entry : {},
    );
    const total = records.reduce(
      (sum: number, entry) => sum + entrySize(entry as Record<string, unknown>),
      0,
    );
    if (total > MAX_REQUEST_BYTES) {
      throw new AwsError(
        'ValidationException',
        'Total size of the entries in the request is over the limit.',
      );
    }
    const results = records.map((entry) => this.acceptEntry(entry as Record<string, unknown>));
    return {
      FailedEntryCount: results.filter((result) => result.ErrorCode !== undefined).length,
      Entries: results,
    };
  }

  /** Puts an event on a bus as an AWS service would (ECR push events, in tests and the demo). */
  publish(event: ServiceEvent): EventEnvelope {
    const envelope: EventEnvelope = {
      version: '0',
      id: randomUUID(),
      'detail-type': event.detailType,
      source: event.source,
      account: event.account ?? this.options.accountId,
      time: isoSeconds(event.time ?? this.options.now()),
      region: event.region ?? this.options.region,
      resources: event.resources ?? [],
      detail: event.detail,
    };
    this.route(busName(event.eventBusName), envelope);
    return envelope;
  }

  private acceptEntry(entry: Record<string, unknown>): PutEventsEntryResult {
    if (this.failing.remaining > 0) {
      this.failing.remaining -= 1;
      return { ErrorCode: this.failing.code, ErrorMessage: this.failing.message };
    }
    const source = entry['Source'];
    const detailType = entry['DetailType'];
    const detailText = entry['Detail'];
    if (typeof source !== 'string' || typeof detailType !== 'string' || typeof detailText !== 'string') {
      return {
        ErrorCode: 'InvalidArgument',
        ErrorMessage: 'Parameter(s) Source,DetailType,Detail must be specified.',
      };
    }
    if (source.startsWith('aws.')) {
      return { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' };
    }
    const detail = parseObject(detailText);
    if (!detail) return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    const resources = Array.isArray(entry['Resources']) ? entry['Resources'].map(String) : [];
    const envelope: EventEnvelope = {
      version: '0',
      id: randomUUID(),
      'detail-type': detailType,
      source,
      account: this.options.accountId,
      time: isoSeconds(toDate(entry['Time']) ?? this.options.now()),
      region: this.options.region,
      resources,
      detail,
    };
    this.route(busName(entry['EventBusName']), envelope);
    return { EventId: envelope.id };
  }

  private route(eventBusName: string, envelope: EventEnvelope): void {
    this.events.push({ eventBusName, envelope });
    for (const { rule, targets } of this.rules.routes(eventBusName)) {
      if (!matchesPattern(JSON.parse(rule.eventPattern ?? '{}'), envelope)) continue;
      for (const target of targets) this.deliver(rule, target, envelope);
    }
  }

  private deliver(rule: RuleRecord, target: TargetRecord, event: EventEnvelope): void {
    const delivery: Delivery = { rule, target, event, body: targetBody(target, event) };
    try {
      this.onDeliver?.(delivery);
      this.deliveries.push(delivery);
    } catch (error) {
      this.deliveries.push({ ...delivery, error: error instanceof Error ? error.message : String(error) });
    }
  }
}

export function eventBridgeService(store: EventBridgeStore): AwsService {
  /** Creation and modification times in epoch seconds, from the store's clock. */
  const created = (): { CreationTime: number; LastModifiedTime: number } => {
    const now = store.options.now().getTime() / 1000;
    return { CreationTime: now, LastModifiedTime: now };
  };
  return {
    targetPrefix: 'AWSEvents',
    contentType: 'application/x-amz-json-1.1',
    handle: async (operation, input) => {
      switch (operation) {
        case 'PutEvents':
          return store.putEvents(input['Entries']);
        case 'PutRule':
          return { RuleArn: store.rules.putRule(input).arn };
        case 'DescribeRule':
          return describeRule(store.rules.rule(input['Name'], input['EventBusName']));
        case 'ListRules':
          return page(
            store.rules.listRules(input['EventBusName'], input['NamePrefix']).map(describeRule),
            input,
            'Rules',
          );
        case 'DeleteRule':
          store.rules.deleteRule(input['Name'], input['EventBusName']);
          return {};
        case 'PutTargets': {
          const failed = store.rules.putTargets(input);
          return { FailedEntryCount: failed.length, FailedEntries: failed };
        }
        case 'ListTargetsByRule':
          return page(store.rules.listTargets(input['Rule'], input['EventBusName']), input, 'Targets');
        case 'RemoveTargets':
          store.rules.removeTargets(input);
          return { FailedEntryCount: 0, FailedEntries: [] };
        case 'CreateConnection': {
          const connection = store.destinations.createConnection(input);
          return { ConnectionArn: connection.arn, ConnectionState: 'AUTHORIZED', ...created() };
        }
        case 'CreateApiDestination': {
          const destination = store.destinations.createApiDestination(input);
          return { ApiDestinationArn: destination.arn, ApiDestinationState: 'ACTIVE', ...created() };
        }
        default:
          throw new AwsError('UnknownOperationException', `unsupported operation ${operation}`);
      }
    },
  };
}

function describeRule(rule: RuleRecord): Record<string, unknown> {
  return {
    Name: rule.name,
    Arn: rule.arn,
    EventBusName: rule.eventBusName,
    State: rule.state,
    ...(rule.eventPattern === undefined ? {} : { EventPattern: rule.eventPattern }),
    ...(rule.scheduleExpression === undefined ? {} : { ScheduleExpression: rule.scheduleExpression }),
    ...(rule.description === undefined ? {} : { Description: rule.description }),
    ...(rule.roleArn === undefined ? {} : { RoleArn: rule.roleArn }),
  };
}

/** `Limit` (1–100) and an opaque `NextToken`, as the List operations page. */
function page<T>(
  items: readonly T[],
  input: Record<string, unknown>,
  field: string,
): Record<string, unknown> {
  const limit = typeof input['Limit'] === 'number' ? input['Limit'] : 100;
  if (limit < 1 || limit > 100) throw new AwsError('ValidationException', 'Limit must be between 1 and 100.');
  const token = input['NextToken'];
  const start = typeof token === 'string' ? Number(Buffer.from(token, 'base64url').toString('utf8')) : 0;
  if (!Number.isInteger(start) || start < 0)
    throw new AwsError('ValidationException', 'NextToken is not valid.');
  const end = start + limit;
  return {
    [field]: items.slice(start, end),
    ...(end < items.length ? { NextToken: Buffer.from(String(end)).toString('base64url') } : {}),
  };
}

/** EventBridge's entry size: Time (14 bytes when set) plus UTF-8 of Source, DetailType, Detail, Resources. */
export function entrySize(entry: Record<string, unknown>): number {
  let size = entry['Time'] === undefined ? 0 : 14;
  for (const field of ['Source', 'DetailType', 'Detail']) {
    const value = entry[field];
    if (typeof value === 'string') size += Buffer.byteLength(value);
  }
  const resources = entry['Resources'];
  if (Array.isArray(resources)) for (const resource of resources) size += Buffer.byteLength(String(resource));
  return size;
}

function targetBody(target: TargetRecord, event: EventEnvelope): string {
  const input = target['Input'];
  if (typeof input === 'string') return input;
  const inputPath = target['InputPath'];
  if (typeof inputPath === 'string' && inputPath.startsWith('$')) {
    let value: unknown = event;
    for (const part of inputPath.slice(1).split('.').filter(Boolean)) {
      value =
        value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
    }
    return JSON.stringify(value ?? null);
  }
  return JSON.stringify(event);
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function toDate(value: unknown): Date | undefined {
  if (typeof value === 'number') return new Date(value * 1000);
  if (typeof value === 'string' && value !== '') {
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? undefined : date;
  }
  return undefined;
}

/** EventBridge writes times without milliseconds: `2026-01-01T00:00:00Z`. */
function isoSeconds(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}
