/**
 * What deployments reported for a commit on GitHub: its combined status (the latest commit
 * status of each context, as Flux's `github` provider and Argo CD's notifications post them)
 * and its check runs (by name, for tools that report as checks). A context in both takes the
 * commit status. The id asked for is checked before the call; every answer field after it.
 */
import type { CommitCheck, CommitCheckState } from '../../forge.js';
import { checkedCommitCheck, requireStatusCommit, STATUSES_PER_PAGE } from '../checks.js';
import { record, refuse } from './answers.js';
import { OPERATIONS, type GitHubRepository } from './repository.js';

const STATUS_STATES: Readonly<Record<string, CommitCheckState>> = {
  success: 'success',
  failure: 'failure',
  error: 'failure',
  pending: 'pending',
};

/** A completed check run's conclusion; `action_required` and `stale` wait for more. */
const CONCLUSIONS: Readonly<Record<string, CommitCheckState>> = {
  success: 'success',
  neutral: 'success',
  skipped: 'success',
  failure: 'failure',
  timed_out: 'failure',
  cancelled: 'failure',
  startup_failure: 'failure',
  action_required: 'pending',
  stale: 'pending',
};

export async function commitChecks(repository: GitHubRepository, sha: string): Promise<CommitCheck[]> {
  requireStatusCommit(sha);
  const { octokit, owner, repo } = repository;
  const [combined, runs] = await Promise.all([
    repository.call(OPERATIONS.readStatuses, () =>
      octokit.request('GET /repos/{owner}/{repo}/commits/{ref}/status', {
        owner,
        repo,
        ref: sha,
        per_page: STATUSES_PER_PAGE,
      }),
    ),
    repository.call(OPERATIONS.readCheckRuns, () =>
      octokit.request('GET /repos/{owner}/{repo}/commits/{ref}/check-runs', {
        owner,
        repo,
        ref: sha,
        per_page: STATUSES_PER_PAGE,
        filter: 'latest',
      }),
    ),
  ]);
  const byContext = new Map<string, CommitCheck>();
  for (const run of listOf(record(runs.data)['check_runs'], 'check runs')) {
    const check = checkRun(record(run));
    const known = byContext.get(check.context);
    if (known === undefined || known.at < check.at) byContext.set(check.context, check);
  }
  // The combined status holds one per context; a check run of the same name yields to it.
  for (const status of listOf(record(combined.data)['statuses'], 'the combined status')) {
    const check = commitStatus(record(status));
    byContext.set(check.context, check);
  }
  return [...byContext.values()];
}

function listOf(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) refuse(what, 'list', value);
  return value as unknown[];
}

function commitStatus(status: Readonly<Record<string, unknown>>): CommitCheck {
  const state = status['state'];
  return checkedCommitCheck('github', {
    context: status['context'],
    state: typeof state === 'string' ? STATUS_STATES[state] : undefined,
    rawState: state,
    at: status['updated_at'] ?? status['created_at'],
    url: status['target_url'],
  });
}

function checkRun(run: Readonly<Record<string, unknown>>): CommitCheck {
  const status = run['status'];
  const conclusion = run['conclusion'];
  const completed = status === 'completed';
  const state = completed
    ? typeof conclusion === 'string'
      ? CONCLUSIONS[conclusion]
      : undefined
    : typeof status === 'string'
      ? 'pending'
      : undefined;
  return checkedCommitCheck('github', {
    context: run['name'],
    state,
    rawState: completed ? conclusion : status,
    at: completed ? run['completed_at'] : (run['started_at'] ?? run['completed_at']),
    url: run['html_url'],
  });
}
