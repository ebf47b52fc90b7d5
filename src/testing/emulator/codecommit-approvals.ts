/**
 * CodeCommit approval rules: the rule content JSON (`{"Version": "2018-11-08", "Statements":
 * [{"Type": "Approvers", "NumberOfApprovalsNeeded": 2, "ApprovalPoolMembers": [...]}]}`) and
 * whether a revision's approvals satisfy it. A pool member is either
 * `CodeCommitApprovers:<account>:<name>` (an IAM or federated user of that name in that
 * account) or an ARN, where `*` matches anything; no pool means anyone may approve.
 */
import { AwsError } from './server.js';

export interface ApprovalStatement {
  readonly approvalsNeeded: number;
  /** Empty: any approver counts. */
  readonly pool: readonly string[];
}

export interface ParsedRuleContent {
  readonly statements: readonly ApprovalStatement[];
}

const CONTENT_MAX = 3000;

export function parseRuleContent(content: string): ParsedRuleContent {
  const invalid = (why: string): AwsError =>
    new AwsError(
      'InvalidApprovalRuleContentException',
      `The content of the approval rule is not valid: ${why}`,
    );
  if (content.length > CONTENT_MAX) throw invalid(`longer than ${CONTENT_MAX} characters`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch {
    throw invalid('not JSON');
  }
  const document = parsed as { Version?: unknown; Statements?: unknown } | null;
  if (document === null || typeof document !== 'object' || document.Version !== '2018-11-08')
    throw invalid('Version must be 2018-11-08');
  if (!Array.isArray(document.Statements) || document.Statements.length === 0)
    throw invalid('Statements must be a non-empty list');
  const statements = document.Statements.map((raw: unknown) => {
    const statement = raw as {
      Type?: unknown;
      NumberOfApprovalsNeeded?: unknown;
      ApprovalPoolMembers?: unknown;
    };
    if (statement?.Type !== 'Approvers') throw invalid('each statement must be of Type Approvers');
    const needed = statement.NumberOfApprovalsNeeded;
    if (typeof needed !== 'number' || !Number.isInteger(needed) || needed < 1)
      throw invalid('NumberOfApprovalsNeeded must be a positive integer');
    const pool = statement.ApprovalPoolMembers ?? [];
    if (!Array.isArray(pool) || !pool.every((member): member is string => typeof member === 'string'))
      throw invalid('ApprovalPoolMembers must be a list of strings');
    return { approvalsNeeded: needed, pool };
  });
  return { statements };
}

/** The rule content for `count` approvals from `pool` (anyone when empty). */
export function ruleContent(count: number, pool: readonly string[] = []): string {
  return JSON.stringify({
    Version: '2018-11-08',
    Statements: [
      {
        Type: 'Approvers',
        NumberOfApprovalsNeeded: count,
        ...(pool.length > 0 ? { ApprovalPoolMembers: pool } : {}),
      },
    ],
  });
}

/** Whether the approvers (IAM ARNs) satisfy every statement of the rule. */
export function isSatisfied(rule: ParsedRuleContent, approvers: ReadonlySet<string>): boolean {
  return rule.statements.every((statement) => {
    const counted = [...approvers].filter(
      (arn) => statement.pool.length === 0 || statement.pool.some((member) => inPool(member, arn)),
    );
    return counted.length >= statement.approvalsNeeded;
  });
}

function inPool(member: string, arn: string): boolean {
  const approvers = /^CodeCommitApprovers:(\d{12}):(.+)$/.exec(member);
  if (approvers) {
    const [, account = '', name = ''] = approvers;
    return (
      glob(`arn:aws:iam::${account}:user/${name}`).test(arn) ||
      glob(`arn:aws:sts::${account}:federated-user/${name}`).test(arn)
    );
  }
  return glob(member).test(arn);
}

function glob(pattern: string): RegExp {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`);
}
