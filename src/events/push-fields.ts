/**
 * The fields of an ECR push event (EventBridge → SQS or an API destination) are input from
 * outside like a registry's answer: repository name, tag, digest, account and region are
 * checked against their grammars before anything is scoped, logged or rescanned. A bad event
 * is dropped with a fixed log message (DROPPED_MESSAGE) and one of these reasons as a field;
 * the offending value is never logged as it came, only escaped and capped (`shown`).
 */
import { printable } from '../log/printable.js';
import {
  isValidAccountId,
  isValidDigest,
  isValidRegion,
  isValidRepositoryName,
  isValidTag,
} from '../checks/grammar.js';

export type PushFieldProblemReason =
  'invalid-repository-name' | 'invalid-tag' | 'invalid-digest' | 'invalid-account' | 'invalid-region';

export interface PushFieldProblem {
  readonly reason: PushFieldProblemReason;
  /** Which field of the event's `detail` (or envelope). */
  readonly field: 'repository-name' | 'image-tag' | 'image-digest' | 'account' | 'region';
  /** The value, escaped and capped, safe for a log field. */
  readonly shown: string;
}

/** The fixed message under which a push event with an invalid field is logged and dropped. */
export const DROPPED_MESSAGE = 'push event with an invalid field dropped';

export interface PushFields {
  readonly repositoryName: string;
  readonly tag: string;
  readonly digest?: string | undefined;
  readonly account?: string | undefined;
  readonly region?: string | undefined;
}

/** The first field outside its grammar, or undefined when the event can be trusted that far. */
export function pushFieldProblem(push: PushFields): PushFieldProblem | undefined {
  const problem = (
    reason: PushFieldProblemReason,
    field: PushFieldProblem['field'],
    value: unknown,
  ): PushFieldProblem => ({ reason, field, shown: printable(String(value), 80) });
  const { repositoryName, tag, digest, account, region } = push;
  if (typeof repositoryName !== 'string' || !isValidRepositoryName(repositoryName))
    return problem('invalid-repository-name', 'repository-name', repositoryName);
  if (typeof tag !== 'string' || !isValidTag(tag)) return problem('invalid-tag', 'image-tag', tag);
  if (digest !== undefined && (typeof digest !== 'string' || !isValidDigest(digest)))
    return problem('invalid-digest', 'image-digest', digest);
  if (account !== undefined && (typeof account !== 'string' || !isValidAccountId(account)))
    return problem('invalid-account', 'account', account);
  if (region !== undefined && (typeof region !== 'string' || !isValidRegion(region)))
    return problem('invalid-region', 'region', region);
  return undefined;
}
