/**
 * CodeCommit's AWS JSON 1.1 operations (X-Amz-Target `CodeCommit_20150413.<Operation>`) over
 * the CodeCommitStore, for the pull request work drawbridge does: inputs checked as
 * CodeCommit checks them (its exception types), answers shaped as CodeCommit's (references
 * as `refs/heads/<branch>`, epoch-second timestamps, optional fields omitted).
 */
import { createHash } from 'node:crypto';
import type { CodeCommitStore } from './codecommit.js';
import type { ApprovalRuleRecord, MergeOption, PullRequestRecord } from './codecommit-records.js';
import {
  callerOf,
  commitIdOf,
  decodeToken,
  description,
  encodeToken,
  HEADS,
  optionalText,
  pullRequestOf,
  referenceName,
  repositoryName,
  repositoryOf,
  revisionOf,
  targetOf,
  title,
  type Input,
} from './codecommit-inputs.js';
import { AwsError, type AwsService } from './server.js';

type Handler = (store: CodeCommitStore, input: Input, caller: string) => Promise<unknown>;

const COMMENT_MAX = 10_240;
const LIST_DEFAULT = 100;
const LIST_MAX = 1000;

export function codeCommitService(store: CodeCommitStore): AwsService {
  return {
    targetPrefix: 'CodeCommit_20150413',
    contentType: 'application/x-amz-json-1.1',
    handle: async (operation, input, context) => {
      const handler = HANDLERS[operation];
      if (!handler) throw new AwsError('UnknownOperationException', `unsupported operation ${operation}`);
      const caller = callerOf(store, context);
      const repository = repositoryOf(store, input);
      if (repository !== undefined) store.checkAccess(repository, operation, caller);
      return handler(store, input, caller);
    },
  };
}

const HANDLERS: Readonly<Record<string, Handler>> = {
  CreatePullRequest: createPullRequest,
  GetPullRequest: async (store, input) => ({
    pullRequest: pullRequestJson(await pullRequestOf(store, input)),
  }),
  ListPullRequests: listPullRequests,
  UpdatePullRequestTitle: async (store, input) => {
    const record = await pullRequestOf(store, input);
    store.setTitle(record, title(input));
    return { pullRequest: pullRequestJson(record) };
  },
  UpdatePullRequestDescription: async (store, input) => {
    const record = await pullRequestOf(store, input);
    store.setDescription(record, description(input));
    return { pullRequest: pullRequestJson(record) };
  },
  UpdatePullRequestStatus: async (store, input) => {
    const record = await pullRequestOf(store, input);
    const status = input['pullRequestStatus'];
    if (status === undefined)
      throw new AwsError('PullRequestStatusRequiredException', 'A pull request status is required.');
    if (status !== 'OPEN' && status !== 'CLOSED')
      throw new AwsError(
        'InvalidPullRequestStatusException',
        `The pull request status ${JSON.stringify(status)} is not valid.`,
      );
    store.setStatus(record, status);
    return { pullRequest: pullRequestJson(record) };
  },
  PostCommentForPullRequest: postCommentForPullRequest,
  GetCommit: getCommit,
  EvaluatePullRequestApprovalRules: async (store, input) => {
    const record = await pullRequestOf(store, input);
    const evaluation = store.evaluate(record, revisionOf(input));
    return {
      evaluation: {
        approved: evaluation.notSatisfied.length === 0,
        overridden: false,
        approvalRulesSatisfied: evaluation.satisfied,
        approvalRulesNotSatisfied: evaluation.notSatisfied,
      },
    };
  },
  UpdatePullRequestApprovalState: async (store, input, caller) => {
    const record = await pullRequestOf(store, input);
    const state = input['approvalState'];
    if (state === undefined)
      throw new AwsError('ApprovalStateRequiredException', 'An approval state is required.');
    if (state !== 'APPROVE' && state !== 'REVOKE')
      throw new AwsError(
        'InvalidApprovalStateException',
        `The approval state ${JSON.stringify(state)} is not valid.`,
      );
    store.setApproval(record, revisionOf(input), caller, state);
    return {};
  },
  CreatePullRequestApprovalRule: async (store, input, caller) => {
    const record = await pullRequestOf(store, input);
    const name = input['approvalRuleName'];
    if (typeof name !== 'string' || name === '')
      throw new AwsError('ApprovalRuleNameRequiredException', 'An approval rule name is required.');
    if (name.length > 100)
      throw new AwsError('InvalidApprovalRuleNameException', 'The approval rule name is not valid.');
    const content = input['approvalRuleContent'];
    if (typeof content !== 'string' || content === '')
      throw new AwsError(
        'ApprovalRuleContentRequiredException',
        'The content of the approval rule is required.',
      );
    return { approvalRule: ruleJson(store.addRule(record, name, content, caller)) };
  },
  MergePullRequestByFastForward: (store, input, caller) =>
    mergePullRequest(store, input, caller, 'FAST_FORWARD_MERGE'),
  MergePullRequestBySquash: (store, input, caller) => mergePullRequest(store, input, caller, 'SQUASH_MERGE'),
  MergePullRequestByThreeWay: (store, input, caller) =>
    mergePullRequest(store, input, caller, 'THREE_WAY_MERGE'),
};

async function createPullRequest(store: CodeCommitStore, input: Input, caller: string): Promise<unknown> {
  const target = targetOf(input);
  const source = referenceName(target['sourceReference']);
  const destination =
    target['destinationReference'] === undefined ? undefined : referenceName(target['destinationReference']);
  const token = input['clientRequestToken'];
  if (token === undefined)
    throw new AwsError('ClientRequestTokenRequiredException', 'A client request token is required.');
  if (typeof token !== 'string' || token.length < 1 || token.length > 64)
    throw new AwsError('InvalidClientRequestTokenException', 'The client request token is not valid.');
  const record = await store.create({
    repository: repositoryName(target['repositoryName']),
    source,
    destination,
    title: title(input),
    description: input['description'] === undefined ? '' : description(input),
    authorArn: caller,
    clientRequestToken: token,
  });
  return { pullRequest: pullRequestJson(record) };
}

async function listPullRequests(store: CodeCommitStore, input: Input): Promise<unknown> {
  const repository = repositoryName(input['repositoryName']);
  const status = input['pullRequestStatus'];
  if (status !== undefined && status !== 'OPEN' && status !== 'CLOSED')
    throw new AwsError(
      'InvalidPullRequestStatusException',
      `The pull request status ${JSON.stringify(status)} is not valid.`,
    );
  const max = input['maxResults'] ?? LIST_DEFAULT;
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 1)
    throw new AwsError('InvalidMaxResultsException', 'The specified number of maximum results is not valid.');
  const scope = `${repository}|${status ?? ''}`;
  const after = decodeToken(input['nextToken'], scope);
  const ids = store
    .pullRequestIds(repository, status)
    .filter((id) => after === undefined || Number(id) < after);
  const page = ids.slice(0, Math.min(max, LIST_MAX));
  const last = page.at(-1);
  return {
    pullRequestIds: page,
    ...(page.length < ids.length && last !== undefined
      ? { nextToken: encodeToken(scope, Number(last)) }
      : {}),
  };
}

/** The pull request the input names, which must belong to the repository it names. */
async function associatedPullRequest(store: CodeCommitStore, input: Input) {
  const record = await pullRequestOf(store, input);
  const repository = repositoryName(input['repositoryName']);
  if (repository !== record.repository)
    throw new AwsError(
      'RepositoryNotAssociatedWithPullRequestException',
      `The repository ${repository} is not associated with pull request ${record.id}.`,
    );
  return record;
}

async function postCommentForPullRequest(
  store: CodeCommitStore,
  input: Input,
  caller: string,
): Promise<unknown> {
  const record = await associatedPullRequest(store, input);
  const beforeCommitId = commitIdOf(input, 'beforeCommitId');
  const afterCommitId = commitIdOf(input, 'afterCommitId');
  const content = input['content'];
  if (typeof content !== 'string' || content === '')
    throw new AwsError('CommentContentRequiredException', 'The comment is empty.');
  if (content.length > COMMENT_MAX)
    throw new AwsError(
      'CommentContentSizeLimitExceededException',
      `The comment is too large. Comments are limited to ${COMMENT_MAX} characters.`,
    );
  const comment = await store.postComment(record, {
    content,
    authorArn: caller,
    beforeCommitId,
    afterCommitId,
  });
  return {
    repositoryName: record.repository,
    pullRequestId: record.id,
    beforeCommitId,
    afterCommitId,
    comment: {
      commentId: comment.id,
      content: comment.content,
      creationDate: seconds(comment.createdAt),
      lastModifiedDate: seconds(comment.createdAt),
      authorArn: comment.authorArn,
      deleted: false,
      callerReactions: [],
      reactionCounts: {},
    },
  };
}

async function getCommit(store: CodeCommitStore, input: Input): Promise<unknown> {
  const repository = repositoryName(input['repositoryName']);
  const sha = commitIdOf(input, 'commitId');
  const commit = await store.commit(repository, sha);
  if (!commit) throw new AwsError('CommitIdDoesNotExistException', `The commit ID ${sha} does not exist.`);
  return {
    commit: {
      commitId: commit.commitId,
      treeId: commit.treeId,
      parents: commit.parents,
      message: commit.message,
      author: commit.author,
      committer: commit.committer,
      additionalData: '',
    },
  };
}

async function mergePullRequest(
  store: CodeCommitStore,
  input: Input,
  caller: string,
  option: MergeOption,
): Promise<unknown> {
  const record = await associatedPullRequest(store, input);
  const expected = input['sourceCommitId'] === undefined ? undefined : commitIdOf(input, 'sourceCommitId');
  const message = optionalText(input, 'commitMessage');
  if (message !== undefined && message.length > 100 * 1024)
    throw new AwsError('CommitMessageLengthExceededException', 'The commit message is too long.');
  const authorName = optionalText(input, 'authorName');
  const email = optionalText(input, 'email');
  const merged = await store.mergePullRequest(record, {
    option,
    by: caller,
    enforceRules: true,
    ...(expected === undefined ? {} : { expectedSource: expected }),
    ...(message === undefined || option === 'FAST_FORWARD_MERGE' ? {} : { message }),
    ...(authorName === undefined ? {} : { author: { name: authorName, email: email ?? '' } }),
  });
  return { pullRequest: pullRequestJson(merged) };
}

// ——— answers ———

function pullRequestJson(record: PullRequestRecord): unknown {
  const target = {
    repositoryName: record.repository,
    sourceReference: `${HEADS}${record.source}`,
    destinationReference: `${HEADS}${record.destination}`,
    destinationCommit: record.destinationCommit,
    sourceCommit: record.sourceCommit,
    ...(record.mergeBase === undefined ? {} : { mergeBase: record.mergeBase }),
    mergeMetadata: record.merged
      ? {
          isMerged: true,
          mergedBy: record.merged.by,
          mergeCommitId: record.merged.commitId,
          mergeOption: record.merged.option,
        }
      : { isMerged: false },
    ...record.patch?.target,
  };
  return {
    pullRequestId: record.id,
    title: record.title,
    ...(record.description === '' ? {} : { description: record.description }),
    lastActivityDate: seconds(record.lastActivityDate),
    creationDate: seconds(record.creationDate),
    pullRequestStatus: record.status,
    authorArn: record.authorArn,
    pullRequestTargets: [target],
    ...(record.clientRequestToken === undefined ? {} : { clientRequestToken: record.clientRequestToken }),
    revisionId: record.revisionId,
    approvalRules: record.rules.map(ruleJson),
    ...record.patch?.pullRequest,
  };
}

function ruleJson(rule: ApprovalRuleRecord): unknown {
  return {
    approvalRuleId: rule.id,
    approvalRuleName: rule.name,
    approvalRuleContent: rule.content,
    ruleContentSha256: createHash('sha256').update(rule.content).digest('hex'),
    lastModifiedDate: seconds(rule.createdAt),
    creationDate: seconds(rule.createdAt),
    lastModifiedUser: rule.modifiedBy,
    ...(rule.template
      ? {
          originApprovalRuleTemplate: {
            approvalRuleTemplateId: rule.template.id,
            approvalRuleTemplateName: rule.template.name,
          },
        }
      : {}),
  };
}

function seconds(date: Date): number {
  return date.getTime() / 1000;
}
