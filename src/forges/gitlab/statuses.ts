/**
 * What deployments reported for a commit on GitLab: its commit statuses (the latest of each
 * name, as Flux's `gitlab` provider and Argo CD's notifications post them; a CI job of the
 * commit is one too, by its job name) and its pipelines, each by `pipeline` (or
 * `pipeline/<name>` for a pipeline with `workflow:name`), the latest of each. The `external`
 * pipeline that only gathers posted statuses and child pipelines, whose state their parent
 * carries, are left out. The id asked for is checked before the calls; every field after.
 */
import { ForgeError } from '../../errors.js';
import type { CommitCheck, CommitCheckState } from '../../forge.js';
import { checkedCommitCheck, requireStatusCommit, STATUSES_PER_PAGE } from '../checks.js';
import type { GitLabApi } from './api.js';

/** A status or pipeline still on its way (created, pending, running, manual…) waits. */
const STATES: Readonly<Record<string, CommitCheckState>> = {
  success: 'success',
  skipped: 'success',
  failed: 'failure',
  canceled: 'failure',
  created: 'pending',
  waiting_for_resource: 'pending',
  preparing: 'pending',
  pending: 'pending',
  running: 'pending',
  manual: 'pending',
  scheduled: 'pending',
};

const HIDDEN_SOURCES: readonly string[] = ['external', 'parent_pipeline'];

export async function commitChecks(api: GitLabApi, repository: string, sha: string): Promise<CommitCheck[]> {
  requireStatusCommit(sha);
  const [statuses, pipelines] = await Promise.all([
    api.listCommitStatuses(sha, STATUSES_PER_PAGE),
    api.listPipelines(sha, STATUSES_PER_PAGE),
  ]);
  const byContext = new Map<string, CommitCheck>();
  for (const item of listOf(statuses, 'commit statuses', repository)) {
    const status = recordOf(item, 'a commit status', repository);
    if (status['sha'] !== undefined && status['sha'] !== sha) continue;
    const check = commitStatus(status);
    const known = byContext.get(check.context);
    if (known === undefined || known.at < check.at) byContext.set(check.context, check);
  }
  // Newest first: the first pipeline of each context is its latest.
  for (const item of listOf(pipelines, 'pipelines', repository)) {
    const pipeline = recordOf(item, 'a pipeline', repository);
    if (pipeline['sha'] !== sha) continue;
    if (typeof pipeline['source'] === 'string' && HIDDEN_SOURCES.includes(pipeline['source'])) continue;
    const check = pipelineCheck(pipeline);
    if (!byContext.has(check.context)) byContext.set(check.context, check);
  }
  return [...byContext.values()];
}

function commitStatus(status: Readonly<Record<string, unknown>>): CommitCheck {
  const state = status['status'];
  return checkedCommitCheck('gitlab', {
    context: status['name'],
    state: typeof state === 'string' ? STATES[state] : undefined,
    rawState: state,
    at: status['finished_at'] ?? status['started_at'] ?? status['created_at'],
    url: status['target_url'],
  });
}

function pipelineCheck(pipeline: Readonly<Record<string, unknown>>): CommitCheck {
  const state = pipeline['status'];
  const name = pipeline['name'];
  return checkedCommitCheck('gitlab', {
    context: typeof name === 'string' && name !== '' ? `pipeline/${name}` : 'pipeline',
    state: typeof state === 'string' ? STATES[state] : undefined,
    rawState: state,
    at: pipeline['updated_at'] ?? pipeline['created_at'],
    url: pipeline['web_url'],
  });
}

function listOf(value: unknown, what: string, repository: string): unknown[] {
  if (!Array.isArray(value))
    throw new ForgeError(`gitlab answered ${what} with something other than a list`, {
      retryable: false,
      hint: 'drawbridge ignores the answer; check the forge, or a proxy in between',
      context: { repository },
    });
  return value as unknown[];
}

function recordOf(value: unknown, what: string, repository: string): Readonly<Record<string, unknown>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ForgeError(`gitlab answered ${what} that is not an object`, {
      retryable: false,
      hint: 'drawbridge ignores the answer; check the forge, or a proxy in between',
      context: { repository },
    });
  return value as Readonly<Record<string, unknown>>;
}
