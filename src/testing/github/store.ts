/**
 * The GitHub emulator's state: repositories the test registers (each backed by a real bare
 * repository), their pull requests, labels and comments, and the rules GitHub applies to
 * them: one open pull request per head and base, the head branch must exist, merges are real
 * merges with GitHub's default messages. Failures are GitHubHttpErrors with GitHub's words.
 */
import { forgeRemote, type ForgeRemote, type MergeStyle } from '../forge-remote.js';
import { branchHeads, commitDetails, type CommitDetails } from './git.js';
import { GitHubHttpError, notFound, validationFailed } from './http.js';

const CREATE_DOCS = 'https://docs.github.com/rest/pulls/pulls#create-a-pull-request';
const UPDATE_DOCS = 'https://docs.github.com/rest/pulls/pulls#update-a-pull-request';
const REVIEWERS_DOCS =
  'https://docs.github.com/rest/pulls/review-requests#request-reviewers-for-a-pull-request';

export interface RepositoryOptions {
  /** Users reviews may be requested from; undefined: anyone. */
  readonly collaborators?: readonly string[];
  /** Team slugs reviews may be requested from; undefined: any. */
  readonly teams?: readonly string[];
  /** The repository's "Allow auto-merge" setting (default true). */
  readonly allowAutoMerge?: boolean;
  /**
   * Whether the base branch requires checks, so a new pull request waits and auto-merge can
   * be enabled on it (default true). False: pull requests are mergeable at once, and GitHub
   * refuses to enable auto-merge ("Pull request is in clean status").
   */
  readonly requiredChecks?: boolean;
  /** Delete the head branch once merged (the repository setting). */
  readonly deleteBranchOnMerge?: boolean;
}

export interface Comment {
  readonly id: number;
  readonly body: string;
  readonly author: string;
  readonly createdAt: Date;
}

export interface Label {
  readonly id: number;
  readonly name: string;
  readonly color: string;
}

export interface AutoMergeRequest {
  readonly mergeMethod: MergeStyle;
  readonly enabledAt: Date;
  readonly enabledBy: string;
  readonly commitHeadline: string | undefined;
  readonly commitBody: string | undefined;
}

export interface PullRecord {
  readonly id: number;
  readonly nodeId: string;
  readonly number: number;
  readonly author: string;
  readonly head: string;
  readonly createdAt: Date;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  draft: boolean;
  base: string;
  /** The head branch's commit when last seen (kept when the branch is deleted). */
  headSha: string;
  updatedAt: Date;
  closedAt: Date | null;
  mergedAt: Date | null;
  mergeCommitSha: string | null;
  labels: string[];
  reviewers: string[];
  teams: string[];
  autoMerge: AutoMergeRequest | null;
  comments: Comment[];
}

export interface RepositoryRecord {
  readonly id: number;
  readonly owner: string;
  readonly name: string;
  readonly fullName: string;
  readonly dir: string;
  readonly remote: ForgeRemote;
  readonly options: RepositoryOptions;
  readonly pulls: Map<number, PullRecord>;
  readonly labels: Map<string, Label>;
  /** Commit statuses by commit id, oldest first. */
  readonly statuses: Map<string, CommitStatusRecord[]>;
  /** Check runs by commit id, oldest first. */
  readonly checkRuns: Map<string, CheckRunRecord[]>;
  nextNumber: number;
}

export type CommitStatusState = 'error' | 'failure' | 'pending' | 'success';

export interface CommitStatusRecord {
  readonly id: number;
  readonly sha: string;
  readonly state: CommitStatusState;
  readonly context: string;
  readonly description: string | null;
  readonly targetUrl: string | null;
  readonly createdAt: Date;
  readonly creator: string;
}

export interface CheckRunRecord {
  readonly id: number;
  readonly sha: string;
  readonly name: string;
  readonly status: 'queued' | 'in_progress' | 'completed';
  readonly conclusion: string | null;
  readonly startedAt: Date;
  readonly completedAt: Date | null;
  readonly detailsUrl: string | null;
}

export interface NewPull {
  readonly title: string;
  readonly head: string;
  readonly base: string;
  readonly body: string | null;
  readonly draft: boolean;
}

export interface PullFilter {
  readonly state: 'open' | 'closed' | 'all';
  readonly base?: string;
  /** `owner:branch`. */
  readonly head?: string;
  readonly sort: 'created' | 'updated' | 'popularity' | 'long-running';
  readonly direction: 'asc' | 'desc';
}

export interface MergeOptions {
  readonly method: MergeStyle;
  readonly commitTitle?: string;
  readonly commitMessage?: string;
  /** The head commit the caller expects; 409 when the branch moved. */
  readonly sha?: string;
}

export interface MergeResult {
  readonly sha: string;
}

/** "subject" and "body" of a commit message, as GitHub splits them. */
function splitMessage(message: string): { subject: string; body: string } {
  const lines = message.replace(/\n+$/, '').split('\n');
  const rest = lines.slice(1);
  while (rest.length > 0 && rest[0]!.trim() === '') rest.shift();
  return { subject: lines[0] ?? '', body: rest.join('\n') };
}

function joinMessage(title: string, body: string): string {
  return body.trim() === '' ? `${title}\n` : `${title}\n\n${body.replace(/\n+$/, '')}\n`;
}

export class GitHubStore {
  private readonly repositories = new Map<string, RepositoryRecord>();
  private readonly nodes = new Map<string, { repository: RepositoryRecord; number: number }>();
  private lastId = 1000;

  constructor(
    private readonly now: () => Date,
    private readonly gitEnv: NodeJS.ProcessEnv,
  ) {}

  nextId(): number {
    this.lastId += 1;
    return this.lastId;
  }

  addRepository(fullName: string, dir: string, options: RepositoryOptions = {}): RepositoryRecord {
    const [owner = '', name = '', extra] = fullName.split('/');
    if (owner === '' || name === '' || extra !== undefined)
      throw new Error(`repository ${fullName} is not owner/name`);
    const record: RepositoryRecord = {
      id: this.nextId(),
      owner,
      name,
      fullName,
      dir,
      remote: forgeRemote(dir, this.gitEnv),
      options,
      pulls: new Map(),
      labels: new Map(),
      statuses: new Map(),
      checkRuns: new Map(),
      nextNumber: 1,
    };
    this.repositories.set(fullName.toLowerCase(), record);
    return record;
  }

  repository(fullName: string): RepositoryRecord {
    const record = this.repositories.get(fullName.toLowerCase());
    if (record === undefined) throw notFound();
    return record;
  }

  allRepositories(): RepositoryRecord[] {
    return [...this.repositories.values()];
  }

  pull(repository: RepositoryRecord, number: number): PullRecord {
    const pull = repository.pulls.get(number);
    if (pull === undefined) throw notFound();
    return pull;
  }

  byNodeId(nodeId: string): { repository: RepositoryRecord; pull: PullRecord } | undefined {
    const found = this.nodes.get(nodeId);
    if (found === undefined) return undefined;
    const pull = found.repository.pulls.get(found.number);
    return pull === undefined ? undefined : { repository: found.repository, pull };
  }

  /**
   * Brings each open pull request's head commit up to date with its branch; the branch heads,
   * for the answer's `base.sha`. As on GitHub, deleting the head branch closes the pull request
   * (its last head commit kept).
   */
  async refreshHeads(
    repository: RepositoryRecord,
    pulls: readonly PullRecord[],
  ): Promise<Map<string, string>> {
    const heads = await branchHeads(repository.dir, this.gitEnv);
    for (const pull of pulls) {
      if (pull.state !== 'open') continue;
      const sha = heads.get(pull.head);
      if (sha !== undefined) pull.headSha = sha;
      else {
        pull.state = 'closed';
        pull.closedAt = this.now();
        pull.autoMerge = null;
        pull.updatedAt = pull.closedAt;
      }
    }
    return heads;
  }

  list(repository: RepositoryRecord, filter: PullFilter): PullRecord[] {
    const [headOwner, headBranch] = filter.head === undefined ? [] : splitHead(filter.head);
    const chosen = [...repository.pulls.values()].filter(
      (pull) =>
        (filter.state === 'all' || pull.state === filter.state) &&
        (filter.base === undefined || pull.base === filter.base) &&
        (filter.head === undefined ||
          (headOwner?.toLowerCase() === repository.owner.toLowerCase() && pull.head === headBranch)),
    );
    const key = (pull: PullRecord): number =>
      filter.sort === 'updated' ? pull.updatedAt.getTime() : pull.createdAt.getTime();
    const sign = filter.direction === 'asc' ? 1 : -1;
    return chosen.sort((a, b) => sign * (key(a) - key(b) || a.number - b.number));
  }

  async create(repository: RepositoryRecord, request: NewPull, author: string): Promise<PullRecord> {
    const [headOwner, headBranch] = request.head.includes(':')
      ? splitHead(request.head)
      : [repository.owner, request.head];
    const sameOwner = headOwner.toLowerCase() === repository.owner.toLowerCase();
    const headSha = sameOwner ? await repository.remote.head(headBranch) : undefined;
    if (headSha === undefined)
      throw validationFailed({ resource: 'PullRequest', field: 'head', code: 'invalid' }, CREATE_DOCS);
    if ((await repository.remote.head(request.base)) === undefined)
      throw validationFailed({ resource: 'PullRequest', field: 'base', code: 'invalid' }, CREATE_DOCS);
    this.refuseDuplicate(repository, headBranch, request.base, CREATE_DOCS);
    if ((await repository.remote.commitsBetween(request.base, headBranch)).length === 0)
      throw validationFailed(
        {
          resource: 'PullRequest',
          code: 'custom',
          message: `No commits between ${request.base} and ${headBranch}`,
        },
        CREATE_DOCS,
      );
    const number = repository.nextNumber;
    repository.nextNumber += 1;
    const at = this.now();
    const pull: PullRecord = {
      id: this.nextId(),
      nodeId: `PR_${Buffer.from(`${repository.id}:${number}`).toString('base64url')}`,
      number,
      author,
      head: headBranch,
      createdAt: at,
      title: request.title,
      body: request.body,
      state: 'open',
      draft: request.draft,
      base: request.base,
      headSha,
      updatedAt: at,
      closedAt: null,
      mergedAt: null,
      mergeCommitSha: null,
      labels: [],
      reviewers: [],
      teams: [],
      autoMerge: null,
      comments: [],
    };
    repository.pulls.set(number, pull);
    this.nodes.set(pull.nodeId, { repository, number });
    return pull;
  }

  update(
    repository: RepositoryRecord,
    pull: PullRecord,
    changes: { title?: string; body?: string | null; state?: 'open' | 'closed'; base?: string },
  ): PullRecord {
    if (changes.state === 'open' && pull.state === 'closed') {
      if (pull.mergedAt !== null)
        throw validationFailed(
          {
            resource: 'PullRequest',
            code: 'custom',
            message: 'state cannot be changed. The pull request has been merged.',
          },
          UPDATE_DOCS,
        );
      this.refuseDuplicate(repository, pull.head, changes.base ?? pull.base, UPDATE_DOCS);
    }
    if (changes.title !== undefined) pull.title = changes.title;
    if (changes.body !== undefined) pull.body = changes.body;
    if (changes.base !== undefined) pull.base = changes.base;
    if (changes.state !== undefined && changes.state !== pull.state) {
      pull.state = changes.state;
      pull.closedAt = changes.state === 'closed' ? this.now() : null;
      if (changes.state === 'closed') pull.autoMerge = null;
    }
    pull.updatedAt = this.now();
    return pull;
  }

  async merge(repository: RepositoryRecord, pull: PullRecord, options: MergeOptions): Promise<MergeResult> {
    if (pull.state !== 'open' || pull.draft) throw new GitHubHttpError(405, 'Pull Request is not mergeable');
    const headSha = await repository.remote.head(pull.head);
    if (headSha === undefined) throw new GitHubHttpError(405, 'Pull Request is not mergeable');
    if (options.sha !== undefined && options.sha !== headSha)
      throw new GitHubHttpError(409, 'Head branch was modified. Review and try the merge again.');
    const message = await this.defaultMessage(repository, pull, options);
    let sha: string;
    try {
      sha = await repository.remote.merge({
        head: pull.head,
        base: pull.base,
        style: options.method,
        message,
      });
    } catch {
      throw new GitHubHttpError(405, 'Pull Request is not mergeable');
    }
    const at = this.now();
    Object.assign(pull, {
      state: 'closed',
      headSha,
      mergedAt: at,
      closedAt: at,
      updatedAt: at,
      mergeCommitSha: sha,
      autoMerge: null,
    });
    if (repository.options.deleteBranchOnMerge) await repository.remote.deleteBranch(pull.head);
    return { sha };
  }

  /** GitHub's default merge and squash messages (rebase keeps each commit's own). */
  private async defaultMessage(
    repository: RepositoryRecord,
    pull: PullRecord,
    options: MergeOptions,
  ): Promise<string> {
    if (options.method === 'merge') {
      const title =
        options.commitTitle ?? `Merge pull request #${pull.number} from ${repository.owner}/${pull.head}`;
      return joinMessage(title, options.commitMessage ?? pull.title);
    }
    if (options.method === 'rebase') return '';
    const commits = await repository.remote.commitsBetween(pull.base, pull.head);
    const messages = await Promise.all(
      commits.map(async (sha) => (await repository.remote.message(sha)) ?? ''),
    );
    if (messages.length === 1) {
      const { subject, body } = splitMessage(messages[0]!);
      return joinMessage(
        options.commitTitle ?? `${subject} (#${pull.number})`,
        options.commitMessage ?? body,
      );
    }
    const list = messages.map((message) => `* ${message.replace(/\n+$/, '')}`).join('\n\n');
    return joinMessage(
      options.commitTitle ?? `${pull.title} (#${pull.number})`,
      options.commitMessage ?? list,
    );
  }

  addLabels(repository: RepositoryRecord, pull: PullRecord, names: readonly string[]): Label[] {
    for (const name of names) {
      if (!repository.labels.has(name.toLowerCase()))
        repository.labels.set(name.toLowerCase(), { id: this.nextId(), name, color: 'ededed' });
      if (!pull.labels.some((label) => label.toLowerCase() === name.toLowerCase())) pull.labels.push(name);
    }
    pull.updatedAt = this.now();
    return pull.labels.map((name) => repository.labels.get(name.toLowerCase())!);
  }

  requestReviewers(
    repository: RepositoryRecord,
    pull: PullRecord,
    reviewers: readonly string[],
    teams: readonly string[],
  ): PullRecord {
    const { collaborators, teams: knownTeams } = repository.options;
    const strangers =
      reviewers.some((login) => collaborators !== undefined && !collaborators.includes(login)) ||
      teams.some((slug) => knownTeams !== undefined && !knownTeams.includes(slug));
    if (strangers)
      throw new GitHubHttpError(
        422,
        `Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the ${repository.fullName} repository.`,
        { documentationUrl: REVIEWERS_DOCS },
      );
    if (reviewers.includes(pull.author))
      throw new GitHubHttpError(422, 'Review cannot be requested from pull request author.', {
        documentationUrl: REVIEWERS_DOCS,
      });
    for (const login of reviewers) if (!pull.reviewers.includes(login)) pull.reviewers.push(login);
    for (const slug of teams) if (!pull.teams.includes(slug)) pull.teams.push(slug);
    pull.updatedAt = this.now();
    return pull;
  }

  addComment(pull: PullRecord, body: string, author: string): Comment {
    const comment: Comment = { id: this.nextId(), body, author, createdAt: this.now() };
    pull.comments.push(comment);
    pull.updatedAt = this.now();
    return comment;
  }

  /** Why GitHub would refuse to enable auto-merge on this pull request, if it would. */
  autoMergeRefusal(repository: RepositoryRecord, pull: PullRecord): string | undefined {
    if (pull.state !== 'open') return 'Pull request is closed';
    if (repository.options.allowAutoMerge === false) return 'Auto merge is not allowed for this repository';
    if (repository.options.requiredChecks === false) return 'Pull request is in clean status';
    return undefined;
  }

  enableAutoMerge(pull: PullRecord, request: Omit<AutoMergeRequest, 'enabledAt'>): AutoMergeRequest {
    pull.autoMerge = { ...request, enabledAt: this.now() };
    pull.updatedAt = this.now();
    return pull.autoMerge;
  }

  addStatus(
    repository: RepositoryRecord,
    status: Omit<CommitStatusRecord, 'id' | 'createdAt'>,
  ): CommitStatusRecord {
    const record = { ...status, id: this.nextId(), createdAt: this.now() };
    const list = repository.statuses.get(status.sha) ?? [];
    list.push(record);
    repository.statuses.set(status.sha, list);
    return record;
  }

  addCheckRun(
    repository: RepositoryRecord,
    run: Omit<CheckRunRecord, 'id' | 'startedAt' | 'completedAt'>,
  ): CheckRunRecord {
    const at = this.now();
    const record = {
      ...run,
      id: this.nextId(),
      startedAt: at,
      completedAt: run.status === 'completed' ? at : null,
    };
    const list = repository.checkRuns.get(run.sha) ?? [];
    list.push(record);
    repository.checkRuns.set(run.sha, list);
    return record;
  }

  commit(repository: RepositoryRecord, ref: string): Promise<CommitDetails | undefined> {
    return commitDetails(repository.dir, this.gitEnv, ref);
  }

  private refuseDuplicate(repository: RepositoryRecord, head: string, base: string, docs: string): void {
    const open = [...repository.pulls.values()].some(
      (pull) => pull.state === 'open' && pull.head === head && pull.base === base,
    );
    if (open)
      throw validationFailed(
        {
          resource: 'PullRequest',
          code: 'custom',
          message: `A pull request already exists for ${repository.owner}:${head}.`,
        },
        docs,
      );
  }
}

/** `owner:branch` → [owner, branch]; the branch may itself hold colons. */
function splitHead(head: string): [string, string] {
  const colon = head.indexOf(':');
  return colon < 0 ? ['', head] : [head.slice(0, colon), head.slice(colon + 1)];
}
