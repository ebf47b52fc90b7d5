/**
 * The CodeCommit part of the emulator: repositories are real bare git repositories a test
 * registers (`addRepository`), pull requests live in memory, and merges are real merges into
 * the bare repository (forge-remote.ts), so a later `git fetch` sees them. An open pull
 * request follows its branches as CodeCommit's does: a push to the source branch is a new
 * revision (approvals are per revision), and the destination's tip is read on every answer.
 * The AWS JSON 1.1 service the real CodeCommitClient talks to is codecommit-operations.ts.
 */
import { createHash, randomUUID } from 'node:crypto';
import { forgeRemote, type ForgeRemote } from '../forge-remote.js';
import {
  isSatisfied,
  parseRuleContent,
  ruleContent,
  type ParsedRuleContent,
} from './codecommit-approvals.js';
import { repositoryGit, type CommitObject, type RepositoryGit } from './codecommit-git.js';
import { mergeBranches } from './codecommit-merge.js';
import type {
  AnswerPatch,
  ApprovalRuleRecord,
  CommentRecord,
  ConsoleMergeStyle,
  Evaluation,
  MergeInput,
  MergeOption,
  NewPullRequestInput,
  PullRequestRecord,
  PullRequestStatus,
  PullRequestView,
} from './codecommit-records.js';
import type { StoreOptions } from './ecr.js';
import { AwsError } from './server.js';

export { codeCommitService } from './codecommit-operations.js';
export type {
  AnswerPatch,
  ConsoleMergeStyle,
  MergeOption,
  PullRequestRecord,
  PullRequestStatus,
  PullRequestView,
} from './codecommit-records.js';

interface RepositoryTemplate {
  readonly id: string;
  readonly name: string;
  readonly content: string;
  readonly parsed: ParsedRuleContent;
}

interface Repository {
  readonly name: string;
  readonly defaultBranch: string;
  readonly remote: ForgeRemote;
  readonly git: RepositoryGit;
  readonly templates: Map<string, RepositoryTemplate>;
  /** Merges and ref moves of one repository run one at a time. */
  queue: Promise<unknown>;
}

const REPOSITORY_NAME = /^[\w.-]{1,100}$/;
const PULL_REQUEST_ID = /^[1-9][0-9]{0,15}$/;
/** CodeCommit's quota of open pull requests per repository. */
const MAX_OPEN_PULL_REQUESTS = 1000;
const OPTION_OF_STYLE: Readonly<Record<ConsoleMergeStyle, MergeOption>> = {
  'fast-forward': 'FAST_FORWARD_MERGE',
  squash: 'SQUASH_MERGE',
  'three-way': 'THREE_WAY_MERGE',
};

export class CodeCommitStore {
  private readonly repositories = new Map<string, Repository>();
  private readonly pulls = new Map<string, PullRequestRecord>();
  private readonly tokens = new Map<string, PullRequestRecord>();
  private readonly denied = new Map<string, Set<string> | 'all'>();
  private lastId = 0;

  constructor(readonly options: StoreOptions) {}

  get accountId(): string {
    return this.options.accountId;
  }

  // ——— test controls ———

  /** Serves the bare git repository at `bareDir` as CodeCommit repository `name`. */
  addRepository(name: string, bareDir: string, options: { readonly defaultBranch?: string } = {}): void {
    if (!REPOSITORY_NAME.test(name)) throw new Error(`${name} is not a CodeCommit repository name`);
    this.repositories.set(name, {
      name,
      defaultBranch: options.defaultBranch ?? 'main',
      remote: forgeRemote(bareDir),
      git: repositoryGit(bareDir),
      templates: new Map(),
      queue: Promise.resolve(),
    });
  }

  /**
   * Pull requests opened from now on need `count` approvals (from `pool`, default anyone), as
   * with an approval rule template associated with the repository; 0 removes the template.
   */
  requireApprovals(
    repository: string,
    count: number,
    options: { readonly pool?: readonly string[]; readonly name?: string } = {},
  ): void {
    const repo = this.repository(repository);
    const name = options.name ?? `${count}-approval-rule`;
    if (count === 0) {
      repo.templates.clear();
      return;
    }
    const content = ruleContent(count, options.pool);
    repo.templates.set(name, { id: randomUUID(), name, content, parsed: parseRuleContent(content) });
  }

  /** `user` (a name in this account, or an ARN) approves the pull request's current revision. */
  async approve(repository: string, id: string | number, user: string): Promise<void> {
    const record = await this.ownPullRequest(repository, id);
    this.setApproval(record, record.revisionId, this.userArn(user), 'APPROVE');
  }

  /** A person merges it in the console (approval rules set aside); the target's new commit. */
  async merge(
    repository: string,
    id: string | number,
    style: ConsoleMergeStyle = 'three-way',
    message?: string,
  ): Promise<string> {
    const record = await this.ownPullRequest(repository, id);
    const merged = await this.mergePullRequest(record, {
      option: OPTION_OF_STYLE[style],
      by: this.userArn('console-user'),
      enforceRules: false,
      ...(message === undefined ? {} : { message }),
    });
    return merged.merged?.commitId ?? '';
  }

  /** A person closes it without merging. */
  async close(repository: string, id: string | number): Promise<void> {
    this.setStatus(await this.ownPullRequest(repository, id), 'CLOSED');
  }

  /** Every pull request of the repository, oldest first. */
  async pullRequests(repository: string): Promise<PullRequestView[]> {
    this.repository(repository);
    const records = [...this.pulls.values()].filter((record) => record.repository === repository);
    for (const record of records) await this.refresh(record);
    return records.map((record) => ({
      id: record.id,
      title: record.title,
      description: record.description,
      status: record.status,
      source: record.source,
      destination: record.destination,
      sourceCommit: record.sourceCommit,
      merged: record.merged !== undefined,
      ...(record.merged ? { mergeOption: record.merged.option, mergeCommitId: record.merged.commitId } : {}),
      approvedBy: [...(record.approvals.get(record.revisionId) ?? [])],
      rules: record.rules.map((rule) => ({ name: rule.name, content: rule.content })),
      comments: record.comments.map((comment) => ({
        content: comment.content,
        authorArn: comment.authorArn,
      })),
    }));
  }

  /** Answers about this pull request carry these fields (a hostile or broken CodeCommit). */
  async tamper(repository: string, id: string | number, patch: AnswerPatch): Promise<void> {
    (await this.ownPullRequest(repository, id)).patch = patch;
  }

  /** Makes `repository` answer AccessDeniedException (for `operation`, or every operation). */
  denyAccess(repository: string, operation?: string): void {
    const current = this.denied.get(repository);
    if (operation === undefined || current === 'all') {
      this.denied.set(repository, 'all');
      return;
    }
    this.denied.set(repository, new Set([...(current ?? []), operation]));
  }

  allowAccess(repository: string): void {
    this.denied.delete(repository);
  }

  // ——— what the operations use ———

  userArn(user: string): string {
    return user.startsWith('arn:') ? user : `arn:aws:iam::${this.accountId}:user/${user}`;
  }

  repositoryArn(name: string): string {
    return `arn:aws:codecommit:${this.options.region}:${this.accountId}:${name}`;
  }

  /** Throws AccessDeniedException, worded like IAM's, when access was denied. */
  checkAccess(repository: string, operation: string, caller: string): void {
    const rule = this.denied.get(repository);
    if (!rule || (rule !== 'all' && !rule.has(operation))) return;
    throw new AwsError(
      'AccessDeniedException',
      `User: ${caller} is not authorized to perform: codecommit:${operation} on resource: ${this.repositoryArn(repository)} because no identity-based policy allows the codecommit:${operation} action`,
    );
  }

  /** The repository of a pull request, without reading its branches; undefined when unknown. */
  repositoryOfPullRequest(id: string): string | undefined {
    return this.pulls.get(id)?.repository;
  }

  /** The pull request by id (answers CodeCommit's errors), brought up to date with its branches. */
  async pullRequest(id: string): Promise<PullRequestRecord> {
    if (!PULL_REQUEST_ID.test(id))
      throw new AwsError('InvalidPullRequestIdException', `The pull request ID '${id}' is not valid.`);
    const record = this.pulls.get(id);
    if (!record)
      throw new AwsError('PullRequestDoesNotExistException', `The pull request ${id} does not exist.`);
    await this.refresh(record);
    return record;
  }

  async create(input: NewPullRequestInput): Promise<PullRequestRecord> {
    const repo = this.repository(input.repository);
    const destination = input.destination ?? repo.defaultBranch;
    if (input.clientRequestToken !== undefined) {
      const earlier = this.tokens.get(input.clientRequestToken);
      if (earlier && sameRequest(earlier, input, destination)) return earlier;
      if (earlier)
        throw new AwsError(
          'IdempotencyParameterMismatchException',
          'The client request token is already in use with different parameters.',
        );
    }
    if (input.source === destination)
      throw new AwsError('SourceAndDestinationAreSameException', 'The source and destination are the same.');
    const open = [...this.pulls.values()].filter((r) => r.repository === repo.name && r.status === 'OPEN');
    if (open.length >= MAX_OPEN_PULL_REQUESTS)
      throw new AwsError(
        'MaximumOpenPullRequestsExceededException',
        `You cannot create the pull request because the repository has reached the limit of ${MAX_OPEN_PULL_REQUESTS} open pull requests.`,
      );
    const heads = await repo.git.heads([input.source, destination]);
    const sourceCommit = heads.get(input.source);
    const destinationCommit = heads.get(destination);
    for (const [branch, sha] of [
      [input.source, sourceCommit],
      [destination, destinationCommit],
    ] as const)
      if (sha === undefined)
        throw new AwsError(
          'ReferenceDoesNotExistException',
          `The reference refs/heads/${branch} does not exist.`,
        );
    const now = this.options.now();
    this.lastId += 1;
    const id = String(this.lastId);
    const record: PullRequestRecord = {
      id,
      repository: repo.name,
      source: input.source,
      destination,
      authorArn: input.authorArn,
      creationDate: now,
      clientRequestToken: input.clientRequestToken,
      title: input.title,
      description: input.description,
      status: 'OPEN',
      sourceCommit: sourceCommit!,
      destinationCommit: destinationCommit!,
      mergeBase: await repo.git.mergeBase(destinationCommit!, sourceCommit!),
      revisionId: revision(id, sourceCommit!),
      lastActivityDate: now,
      merged: undefined,
      rules: [...repo.templates.values()].map((template) => ({
        id: randomUUID(),
        name: template.name,
        content: template.content,
        parsed: template.parsed,
        createdAt: now,
        modifiedBy: input.authorArn,
        template: { id: template.id, name: template.name },
      })),
      approvals: new Map(),
      comments: [],
      patch: undefined,
    };
    this.pulls.set(id, record);
    if (input.clientRequestToken !== undefined) this.tokens.set(input.clientRequestToken, record);
    return record;
  }

  /** Ids of the repository's pull requests (of `status`, when given), newest first. */
  pullRequestIds(repository: string, status: PullRequestStatus | undefined): string[] {
    this.repository(repository);
    return [...this.pulls.values()]
      .filter((record) => record.repository === repository && (!status || record.status === status))
      .map((record) => record.id)
      .sort((a, b) => Number(b) - Number(a));
  }

  setTitle(record: PullRequestRecord, title: string): void {
    this.requireOpen(record);
    record.title = title;
    record.lastActivityDate = this.options.now();
  }

  setDescription(record: PullRequestRecord, description: string): void {
    this.requireOpen(record);
    record.description = description;
    record.lastActivityDate = this.options.now();
  }

  setStatus(record: PullRequestRecord, status: PullRequestStatus): void {
    if (record.status === 'CLOSED' || status === 'OPEN')
      throw new AwsError(
        'InvalidPullRequestStatusUpdateException',
        `The pull request status cannot be updated from ${record.status} to ${status}.`,
      );
    record.status = status;
    record.lastActivityDate = this.options.now();
  }

  async postComment(
    record: PullRequestRecord,
    comment: Omit<CommentRecord, 'id' | 'createdAt'>,
  ): Promise<CommentRecord> {
    if (comment.beforeCommitId === comment.afterCommitId)
      throw new AwsError(
        'BeforeCommitIdAndAfterCommitIdAreSameException',
        'The before commit ID and the after commit ID are the same.',
      );
    for (const sha of [comment.beforeCommitId, comment.afterCommitId])
      if (!(await this.commit(record.repository, sha)))
        throw new AwsError('CommitDoesNotExistException', `The commit ${sha} does not exist.`);
    const stored = { ...comment, id: randomUUID(), createdAt: this.options.now() };
    record.comments.push(stored);
    record.lastActivityDate = stored.createdAt;
    return stored;
  }

  addRule(record: PullRequestRecord, name: string, content: string, by: string): ApprovalRuleRecord {
    this.requireOpen(record);
    if (record.rules.some((rule) => rule.name === name))
      throw new AwsError(
        'ApprovalRuleNameAlreadyExistsException',
        `An approval rule with the name ${name} already exists on this pull request.`,
      );
    const rule = {
      id: randomUUID(),
      name,
      content,
      parsed: parseRuleContent(content),
      createdAt: this.options.now(),
      modifiedBy: by,
    };
    record.rules.push(rule);
    record.lastActivityDate = rule.createdAt;
    return rule;
  }

  setApproval(record: PullRequestRecord, revisionId: string, arn: string, state: 'APPROVE' | 'REVOKE'): void {
    this.requireOpen(record);
    this.requireRevision(record, revisionId);
    if (arn === record.authorArn)
      throw new AwsError(
        'PullRequestCannotBeApprovedByAuthorException',
        'The author of the pull request cannot approve it.',
      );
    const approvers = record.approvals.get(revisionId) ?? new Set<string>();
    if (state === 'APPROVE') approvers.add(arn);
    else approvers.delete(arn);
    record.approvals.set(revisionId, approvers);
    record.lastActivityDate = this.options.now();
  }

  evaluate(record: PullRequestRecord, revisionId: string = record.revisionId): Evaluation {
    this.requireRevision(record, revisionId);
    const approvers = record.approvals.get(revisionId) ?? new Set<string>();
    const satisfied: string[] = [];
    const notSatisfied: string[] = [];
    for (const rule of record.rules)
      (isSatisfied(rule.parsed, approvers) ? satisfied : notSatisfied).push(rule.name);
    return { satisfied, notSatisfied };
  }

  /** Merges it for real into the bare repository and closes it; one merge per repository at a time. */
  mergePullRequest(record: PullRequestRecord, input: MergeInput): Promise<PullRequestRecord> {
    const repo = this.repository(record.repository);
    const run = repo.queue.then(() => this.mergeNow(repo, record, input));
    repo.queue = run.catch(() => undefined);
    return run;
  }

  /** The commit of the repository, or undefined. */
  commit(repository: string, sha: string): Promise<CommitObject | undefined> {
    return this.repository(repository).git.commit(sha);
  }

  private async mergeNow(
    repo: Repository,
    record: PullRequestRecord,
    input: MergeInput,
  ): Promise<PullRequestRecord> {
    await this.refresh(record);
    this.requireOpen(record);
    if (input.expectedSource !== undefined && input.expectedSource !== record.sourceCommit)
      throw new AwsError(
        'TipOfSourceReferenceIsDifferentException',
        `The tip of the source branch is ${record.sourceCommit}, not ${input.expectedSource}.`,
      );
    if (input.enforceRules && this.evaluate(record).notSatisfied.length > 0)
      throw new AwsError(
        'PullRequestApprovalRulesNotSatisfiedException',
        'The pull request cannot be merged because one or more approval rules applied to the pull request have conditions that have not been met.',
      );
    const commitId = await mergeBranches(repo.remote, repo.git, {
      option: input.option,
      source: record.source,
      destination: record.destination,
      sourceCommit: record.sourceCommit,
      destinationCommit: record.destinationCommit,
      ...(input.message === undefined ? {} : { message: input.message }),
      ...(input.author === undefined ? {} : { author: input.author }),
    });
    record.status = 'CLOSED';
    record.merged = { by: input.by, commitId, option: input.option };
    record.lastActivityDate = this.options.now();
    return record;
  }

  /** An open pull request follows its branches: a new source tip is a new revision. */
  private async refresh(record: PullRequestRecord): Promise<void> {
    if (record.status !== 'OPEN') return;
    const repo = this.repository(record.repository);
    const heads = await repo.git.heads([record.source, record.destination]);
    const source = heads.get(record.source) ?? record.sourceCommit;
    const destination = heads.get(record.destination) ?? record.destinationCommit;
    if (source === record.sourceCommit && destination === record.destinationCommit) return;
    if (source !== record.sourceCommit) {
      record.revisionId = revision(record.id, source);
      record.lastActivityDate = this.options.now();
    }
    record.sourceCommit = source;
    record.destinationCommit = destination;
    record.mergeBase = await repo.git.mergeBase(destination, source);
  }

  private repository(name: string): Repository {
    const repo = this.repositories.get(name);
    if (repo) return repo;
    throw new AwsError('RepositoryDoesNotExistException', `${name} does not exist`);
  }

  private async ownPullRequest(repository: string, id: string | number): Promise<PullRequestRecord> {
    const record = await this.pullRequest(String(id));
    if (record.repository !== repository) throw new Error(`pull request ${id} is not one of ${repository}`);
    return record;
  }

  private requireOpen(record: PullRequestRecord): void {
    if (record.status !== 'OPEN')
      throw new AwsError(
        'PullRequestAlreadyClosedException',
        `The pull request ${record.id} is already closed.`,
      );
  }

  private requireRevision(record: PullRequestRecord, revisionId: string): void {
    if (revisionId !== record.revisionId)
      throw new AwsError(
        'RevisionNotCurrentException',
        `The revision ${revisionId} is not the current revision of pull request ${record.id}.`,
      );
  }
}

function revision(id: string, sourceCommit: string): string {
  return createHash('sha256').update(`${id}:${sourceCommit}`).digest('hex');
}

function sameRequest(record: PullRequestRecord, input: NewPullRequestInput, destination: string): boolean {
  return (
    record.repository === input.repository &&
    record.source === input.source &&
    record.destination === destination &&
    record.title === input.title &&
    record.description === input.description
  );
}
