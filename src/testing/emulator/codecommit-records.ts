/**
 * What the CodeCommit emulator keeps per pull request, and the shapes its store and its
 * operations pass between them. Records are changed only by codecommit.ts.
 */
import type { ParsedRuleContent } from './codecommit-approvals.js';

export type PullRequestStatus = 'OPEN' | 'CLOSED';
export type MergeOption = 'FAST_FORWARD_MERGE' | 'SQUASH_MERGE' | 'THREE_WAY_MERGE';
/** How a test (a person in the console) merges: CodeCommit's three strategies. */
export type ConsoleMergeStyle = 'fast-forward' | 'squash' | 'three-way';

export interface ApprovalRuleRecord {
  readonly id: string;
  readonly name: string;
  readonly content: string;
  readonly parsed: ParsedRuleContent;
  readonly createdAt: Date;
  readonly modifiedBy: string;
  /** Set when the rule came from the repository's approval rule template. */
  readonly template?: { readonly id: string; readonly name: string };
}

export interface CommentRecord {
  readonly id: string;
  readonly content: string;
  readonly authorArn: string;
  readonly beforeCommitId: string;
  readonly afterCommitId: string;
  readonly createdAt: Date;
}

/** Fields merged into every answer about one pull request, for tests of a hostile CodeCommit. */
export interface AnswerPatch {
  /** Top-level fields of the pull request (`pullRequestId`, `title`, `lastActivityDate`, …). */
  readonly pullRequest?: Readonly<Record<string, unknown>>;
  /** Fields of its target (`sourceReference`, `sourceCommit`, `repositoryName`, …). */
  readonly target?: Readonly<Record<string, unknown>>;
}

/** One pull request as the store keeps it; only this module changes it. */
export interface PullRequestRecord {
  readonly id: string;
  readonly repository: string;
  readonly source: string;
  readonly destination: string;
  readonly authorArn: string;
  readonly creationDate: Date;
  readonly clientRequestToken: string | undefined;
  title: string;
  description: string;
  status: PullRequestStatus;
  sourceCommit: string;
  destinationCommit: string;
  mergeBase: string | undefined;
  revisionId: string;
  lastActivityDate: Date;
  merged: { readonly by: string; readonly commitId: string; readonly option: MergeOption } | undefined;
  readonly rules: ApprovalRuleRecord[];
  /** Approvers' ARNs per revision: a new revision starts without approvals. */
  readonly approvals: Map<string, Set<string>>;
  readonly comments: CommentRecord[];
  patch: AnswerPatch | undefined;
}

/** What `pullRequests()` shows a test. */
export interface PullRequestView {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly status: PullRequestStatus;
  readonly source: string;
  readonly destination: string;
  readonly sourceCommit: string;
  readonly merged: boolean;
  readonly mergeOption?: MergeOption;
  readonly mergeCommitId?: string;
  /** ARNs that approved the current revision. */
  readonly approvedBy: readonly string[];
  readonly rules: readonly { readonly name: string; readonly content: string }[];
  readonly comments: readonly { readonly content: string; readonly authorArn: string }[];
}

export interface NewPullRequestInput {
  readonly repository: string;
  readonly source: string;
  readonly destination: string | undefined;
  readonly title: string;
  readonly description: string;
  readonly authorArn: string;
  readonly clientRequestToken: string | undefined;
}

export interface MergeInput {
  readonly option: MergeOption;
  readonly by: string;
  /** The source tip the caller merges; another tip answers TipOfSourceReferenceIsDifferentException. */
  readonly expectedSource?: string;
  readonly message?: string;
  readonly author?: { readonly name: string; readonly email: string };
  /** false: a person in the console with the rules set aside. */
  readonly enforceRules: boolean;
}

export interface Evaluation {
  readonly satisfied: readonly string[];
  readonly notSatisfied: readonly string[];
}
