/**
 * A GitLab merge request in drawbridge's terms, checked field by field (checks.ts): number is
 * the iid, head and base the source and target branches, headSha `sha`, url `web_url`, body
 * the description. States: opened → open, merged → merged, closed and locked (a merge in
 * progress) → closed. A draft is a title prefix in GitLab, so the prefix is taken off the
 * title drawbridge compares and put back by the forge when it rewrites a draft's title.
 */
import { ForgeError } from '../../errors.js';
import type { PullRequest } from '../../forge.js';
import { printable } from '../../log/printable.js';
import { checkedPullRequest } from '../checks.js';

export interface GitLabMergeRequest {
  readonly pullRequest: PullRequest;
  readonly draft: boolean;
  /** merge_when_pipeline_succeeds: auto-merge is set. */
  readonly autoMerge: boolean;
}

const STATES: Readonly<Record<string, PullRequest['state']>> = {
  opened: 'open',
  merged: 'merged',
  closed: 'closed',
  locked: 'closed',
};

/** GitLab's draft prefixes (`Draft:`, `[Draft]`, `(Draft)`), any case, with what follows them. */
const DRAFT_PREFIX = /^\s*(?:\[draft\]|\(draft\)|draft:)\s*/i;

export function draftTitle(title: string): string {
  return DRAFT_PREFIX.test(title) ? title : `Draft: ${title}`;
}

export function fromGitLab(answer: unknown): GitLabMergeRequest {
  if (answer === null || typeof answer !== 'object' || Array.isArray(answer))
    throw new ForgeError('gitlab answered a merge request that is not an object', {
      retryable: false,
      hint: 'drawbridge ignores the answer; check the forge, or a proxy in between',
      context: { value: printable(JSON.stringify(answer) ?? String(answer), 80) },
    });
  const raw = answer as Record<string, unknown>;
  const title = raw['title'];
  const prefixed = typeof title === 'string' && DRAFT_PREFIX.test(title);
  const state = raw['state'];
  const pullRequest = checkedPullRequest('gitlab', {
    number: raw['iid'],
    url: raw['web_url'],
    state: typeof state === 'string' && Object.hasOwn(STATES, state) ? STATES[state] : state,
    head: raw['source_branch'],
    base: raw['target_branch'],
    headSha: raw['sha'],
    title: prefixed ? title.replace(DRAFT_PREFIX, '') : title,
    body: raw['description'] ?? '',
    updatedAt: raw['updated_at'],
  });
  return {
    pullRequest,
    draft: prefixed || raw['draft'] === true,
    autoMerge: raw['merge_when_pipeline_succeeds'] === true,
  };
}
