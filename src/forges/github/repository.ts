/**
 * One GitHub repository as the forge's operations see it: the client, the owner and name,
 * and `call`, which runs one API call and turns its failure into a ForgeError naming what
 * drawbridge was doing and the permission that needs. The operations drawbridge performs are
 * listed here with those permissions, as GitHub's settings name them.
 */
import type { ForgeError } from '../../errors.js';
import type { Logger } from '../../log/logger.js';
import type { Redactor } from '../../log/redact.js';
import type { GitHubClient } from './client.js';
import type { CredentialSource } from './credentials.js';
import { toForgeError } from './errors.js';

export interface Operation {
  /** A verb phrase: `list open pull requests`. */
  readonly operation: string;
  /** What the token needs for it: `"Pull requests: write"`. */
  readonly permission: string;
}

const READ_PULLS = '"Pull requests: read"';
const WRITE_PULLS = '"Pull requests: write"';
const WRITE_ISSUES = '"Issues: write" or "Pull requests: write"';

export const OPERATIONS = {
  listOpen: { operation: 'list open pull requests', permission: READ_PULLS },
  listClosed: { operation: 'list closed pull requests', permission: READ_PULLS },
  read: { operation: 'read a pull request', permission: READ_PULLS },
  open: { operation: 'open a pull request', permission: WRITE_PULLS },
  label: { operation: 'label a pull request', permission: WRITE_ISSUES },
  requestReviewers: { operation: 'request reviewers', permission: WRITE_PULLS },
  update: { operation: 'update a pull request', permission: WRITE_PULLS },
  comment: { operation: 'comment on a pull request', permission: WRITE_ISSUES },
  close: { operation: 'close a pull request', permission: WRITE_PULLS },
  enableAutoMerge: { operation: 'enable auto-merge', permission: WRITE_PULLS },
  merge: { operation: 'merge a pull request', permission: '"Contents: write"' },
  readCommit: { operation: 'read a commit', permission: '"Contents: read"' },
  readStatuses: { operation: 'read commit statuses', permission: '"Commit statuses: read"' },
  readCheckRuns: { operation: 'read check runs', permission: '"Checks: read"' },
} as const satisfies Record<string, Operation>;

export interface GitHubRepository {
  readonly octokit: GitHubClient;
  readonly owner: string;
  readonly repo: string;
  /** `owner/name`. */
  readonly fullName: string;
  readonly logger: Logger;
  /** Runs one API call; its failure becomes a ForgeError about `what`. */
  call<T>(what: Operation, run: () => Promise<T>, pullRequest?: number): Promise<T>;
  /** A failure of a call about `what` as a ForgeError. */
  failure(error: unknown, what: Operation, pullRequest?: number): ForgeError;
}

export interface RepositoryOptions {
  readonly octokit: GitHubClient;
  readonly owner: string;
  readonly repo: string;
  readonly apiUrl: string;
  readonly source: CredentialSource;
  readonly redactor: Redactor;
  readonly logger: Logger;
}

export function gitHubRepository(options: RepositoryOptions): GitHubRepository {
  const fullName = `${options.owner}/${options.repo}`;
  const failure = (error: unknown, what: Operation, pullRequest?: number): ForgeError =>
    toForgeError(error, {
      ...what,
      repository: fullName,
      apiUrl: options.apiUrl,
      source: options.source,
      redactor: options.redactor,
      ...(pullRequest === undefined ? {} : { pullRequest }),
    });
  return {
    octokit: options.octokit,
    owner: options.owner,
    repo: options.repo,
    fullName,
    logger: options.logger,
    failure,
    async call(what, run, pullRequest) {
      try {
        return await run();
      } catch (error) {
        throw failure(error, what, pullRequest);
      }
    },
  };
}
