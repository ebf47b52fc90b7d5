/**
 * Reads the EventBridge envelope of an ECR event (as delivered to SQS or an API destination)
 * and says what it means for us: a push of a tag to a repository, or a reason to ignore it.
 * Liberal in what it accepts (ECR's own samples contain odd values); only a body that is not
 * an EventBridge event at all is malformed.
 */
import { isRecord } from '../checks/record.js';

export interface EcrPush {
  readonly kind: 'push';
  readonly id: string;
  readonly repositoryName: string;
  readonly account?: string;
  readonly region?: string;
  readonly tag: string;
  readonly digest?: string;
}

export type IgnoreReason =
  | 'other-source'
  | 'other-detail-type'
  | 'not-a-push'
  | 'not-successful'
  | 'untagged'
  | 'signature-tag'
  | 'unknown-repository'
  | 'no-environment';

export interface IgnoredEvent {
  readonly kind: 'ignored';
  readonly id?: string;
  readonly reason: IgnoreReason;
  readonly detail: string;
}

export interface MalformedEvent {
  readonly kind: 'malformed';
  readonly detail: string;
}

export type EcrEvent = EcrPush | IgnoredEvent | MalformedEvent;

/** cosign / sigstore artefacts: never candidates, so a push of one changes nothing. */
const SIGNATURE_TAG = /^sha256-[0-9a-f]{64}\.(sig|att|sbom)$/;

export function parseEcrEventText(text: string): EcrEvent {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: 'malformed', detail: 'body is not JSON' };
  }
  return parseEcrEvent(value);
}

export function parseEcrEvent(value: unknown): EcrEvent {
  if (!isRecord(value)) return { kind: 'malformed', detail: 'event is not a JSON object' };
  const detailType = value['detail-type'];
  const source = value['source'];
  const detail = value['detail'];
  if (typeof detailType !== 'string' || typeof source !== 'string' || !isRecord(detail)) {
    return { kind: 'malformed', detail: 'not an EventBridge event (needs source, detail-type and detail)' };
  }
  const id = typeof value['id'] === 'string' ? value['id'] : undefined;
  const ignored = (reason: IgnoreReason, text: string): IgnoredEvent => ({
    kind: 'ignored',
    ...(id === undefined ? {} : { id }),
    reason,
    detail: text,
  });
  if (source !== 'aws.ecr') return ignored('other-source', `source ${source}`);
  if (detailType !== 'ECR Image Action') return ignored('other-detail-type', detailType);

  const action = detail['action-type'];
  const repositoryName = detail['repository-name'];
  if (typeof action !== 'string' || typeof repositoryName !== 'string' || repositoryName === '') {
    return { kind: 'malformed', detail: 'ECR Image Action without action-type or repository-name' };
  }
  if (action !== 'PUSH') return ignored('not-a-push', `action-type ${action}`);
  const result = detail['result'];
  if (result !== undefined && result !== 'SUCCESS')
    return ignored('not-successful', `result ${JSON.stringify(result)}`);
  const tag = detail['image-tag'];
  if (typeof tag !== 'string' || tag === '') return ignored('untagged', `${repositoryName} untagged push`);
  if (SIGNATURE_TAG.test(tag)) return ignored('signature-tag', `${repositoryName}:${tag}`);

  const account = optionalString(value['account']);
  const region = optionalString(value['region']);
  const digest = optionalString(detail['image-digest']);
  return {
    kind: 'push',
    id: id ?? '',
    repositoryName,
    tag,
    ...(account === undefined ? {} : { account }),
    ...(region === undefined ? {} : { region }),
    ...(digest === undefined ? {} : { digest }),
  };
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
