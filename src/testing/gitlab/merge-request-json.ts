/**
 * A merge request, a note and a commit in GitLab's REST v4 shapes (the fields a client reads,
 * with GitLab's names and types; null where GitLab sends null). Fields a test tampered with
 * replace the real ones last, so a hostile answer is exactly what the test asked for.
 */
import type { ForgeRemote } from '../forge-remote.js';
import {
  isDraftTitle,
  type MergeRequestRecord,
  type NoteRecord,
  type ProjectContext,
} from './merge-requests.js';
import type { UserDirectory } from './users.js';

export interface JsonContext {
  readonly project: ProjectContext;
  readonly users: UserDirectory;
  /** `http://127.0.0.1:PORT`: where user pages live. */
  readonly webBase: string;
}

export function mergeRequestJson(record: MergeRequestRecord, context: JsonContext): Record<string, unknown> {
  const { project, users, webBase } = context;
  const user = (id: number | undefined): Record<string, unknown> | null => {
    const found = id === undefined ? undefined : users.get(id);
    return found ? users.json(found, webBase) : null;
  };
  const draft = isDraftTitle(record.title);
  const open = record.state === 'opened';
  const json: Record<string, unknown> = {
    id: record.id,
    iid: record.iid,
    project_id: project.id,
    title: record.title,
    description: record.description,
    state: record.state,
    created_at: record.createdAt.toISOString(),
    updated_at: record.updatedAt.toISOString(),
    merged_by: user(record.mergedById),
    merge_user: user(record.mergedById ?? record.autoMergeById),
    merged_at: record.mergedAt?.toISOString() ?? null,
    closed_by: user(record.closedById),
    closed_at: record.closedAt?.toISOString() ?? null,
    target_branch: record.targetBranch,
    source_branch: record.sourceBranch,
    user_notes_count: record.notes.length,
    upvotes: 0,
    downvotes: 0,
    author: user(record.authorId),
    assignees: [],
    assignee: null,
    reviewers: record.reviewerIds.map(user).filter((u) => u !== null),
    source_project_id: project.id,
    target_project_id: project.id,
    labels: [...record.labels],
    draft,
    work_in_progress: draft,
    milestone: null,
    merge_when_pipeline_succeeds: record.autoMerge !== undefined,
    merge_status: open ? 'can_be_merged' : 'cannot_be_merged',
    detailed_merge_status: !open ? 'not_open' : draft ? 'draft_status' : 'mergeable',
    sha: record.sha,
    merge_commit_sha: record.mergeCommitSha ?? null,
    squash_commit_sha: record.squashCommitSha ?? null,
    discussion_locked: null,
    should_remove_source_branch: record.autoMerge?.shouldRemoveSourceBranch ?? null,
    force_remove_source_branch: record.forceRemoveSourceBranch,
    reference: `!${record.iid}`,
    references: {
      short: `!${record.iid}`,
      relative: `!${record.iid}`,
      full: `${project.path}!${record.iid}`,
    },
    web_url: `${project.webUrl}/-/merge_requests/${record.iid}`,
    time_stats: {
      time_estimate: 0,
      total_time_spent: 0,
      human_time_estimate: null,
      human_total_time_spent: null,
    },
    squash: record.autoMerge?.squash ?? record.squash,
    squash_on_merge: record.autoMerge?.squash ?? record.squash,
    task_completion_status: { count: 0, completed_count: 0 },
    has_conflicts: false,
    blocking_discussions_resolved: true,
  };
  return { ...json, ...record.tampered };
}

export function noteJson(
  note: NoteRecord,
  record: MergeRequestRecord,
  context: JsonContext,
): Record<string, unknown> {
  const author = context.users.get(note.authorId);
  return {
    id: note.id,
    type: null,
    body: note.body,
    author: author ? context.users.json(author, context.webBase) : null,
    created_at: note.createdAt.toISOString(),
    updated_at: note.createdAt.toISOString(),
    system: note.system === true,
    noteable_id: record.id,
    noteable_type: 'MergeRequest',
    noteable_iid: record.iid,
    project_id: context.project.id,
    resolvable: false,
    confidential: false,
    internal: false,
  };
}

const FULL_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/**
 * `GET /projects/:id/repository/commits/:sha` for a full commit id or a branch name (short
 * ids are not resolved); undefined when there is no such commit.
 */
export async function commitJson(
  remote: ForgeRemote,
  ref: string,
  project: ProjectContext,
): Promise<Record<string, unknown> | undefined> {
  const sha = FULL_SHA.test(ref) ? ref : await remote.head(ref);
  const raw = sha === undefined ? undefined : await remote.message(sha);
  if (sha === undefined || raw === undefined) return undefined;
  // `git log --format=%B` ends the message with one more newline than the commit holds.
  const message = `${raw.trimEnd()}\n`;
  return {
    id: sha,
    short_id: sha.slice(0, 8),
    title: message.split('\n')[0] ?? '',
    message,
    web_url: `${project.webUrl}/-/commit/${sha}`,
  };
}
