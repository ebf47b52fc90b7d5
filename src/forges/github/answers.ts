/**
 * GitHub's answers read as outside data: every field drawbridge uses is checked before use
 * (pull requests through checkedPullRequest), and an answer that is off is refused whole,
 * naming the field, never half-used.
 */
import { ForgeError } from '../../errors.js';
import type { MergeMethod, PullRequest } from '../../forge.js';
import { BODY_MAX, checkedPullRequest, isCommitSha } from '../checks.js';
import { printable } from '../../log/printable.js';

/** GitHub's node ids: `PR_kwDO…` today, base64 of `012:PullRequest…` before. */
const NODE_ID = /^[A-Za-z0-9_+/=-]{1,200}$/;
const METHODS: Readonly<Record<string, MergeMethod>> = { MERGE: 'merge', SQUASH: 'squash', REBASE: 'rebase' };

export function record(value: unknown): Readonly<Record<string, unknown>> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

export function refuse(what: string, field: string, value: unknown): never {
  throw new ForgeError(`github answered ${what} with an invalid ${field}`, {
    retryable: false,
    hint: 'drawbridge ignores the answer; check the GitHub API URL, or a proxy in between',
    context: {
      value: printable(typeof value === 'string' ? value : (JSON.stringify(value) ?? 'undefined'), 80),
    },
  });
}

/** open, or closed / merged by `merged_at` (the list answer has no `merged`). */
function stateOf(pull: Readonly<Record<string, unknown>>): unknown {
  if (pull['state'] !== 'closed') return pull['state'];
  const mergedAt = pull['merged_at'];
  if (mergedAt === null || mergedAt === undefined) return 'closed';
  return typeof mergedAt === 'string' && !Number.isNaN(Date.parse(mergedAt)) ? 'merged' : mergedAt;
}

export function toPullRequest(value: unknown): PullRequest {
  const pull = record(value);
  const head = record(pull['head']);
  const base = record(pull['base']);
  return checkedPullRequest('github', {
    number: pull['number'],
    url: pull['html_url'],
    state: stateOf(pull),
    head: head['ref'],
    base: base['ref'],
    headSha: head['sha'],
    title: pull['title'],
    body: pull['body'],
    updatedAt: pull['updated_at'],
  });
}

/** The answer must be about the pull request asked about. */
export function sameNumber(answer: PullRequest, asked: number): PullRequest {
  if (answer.number !== asked) refuse(`pull request #${asked}`, 'number', answer.number);
  return answer;
}

/** A page of a list answer: an array, or the answer is refused. */
export function listOf(value: unknown, what: string): readonly unknown[] {
  if (!Array.isArray(value)) refuse(what, 'list', typeof value);
  return value;
}

export function nodeIdOf(value: unknown): string {
  const id = record(value)['node_id'];
  if (typeof id !== 'string' || !NODE_ID.test(id)) refuse('a pull request', 'node id', id);
  return id;
}

/** The merge method of the pull request's enabled auto-merge (REST `auto_merge`), if any. */
export function autoMergeMethodOf(value: unknown): MergeMethod | undefined {
  const autoMerge = record(value)['auto_merge'];
  if (autoMerge === null || autoMerge === undefined) return undefined;
  const method = record(autoMerge)['merge_method'];
  return method === 'merge' || method === 'squash' || method === 'rebase' ? method : undefined;
}

export type AutoMergeAnswer = 'enabled' | 'merged';

/** What `enablePullRequestAutoMerge { pullRequest { state autoMergeRequest { mergeMethod } } }` says. */
export function autoMergeAnswer(value: unknown, method: MergeMethod): AutoMergeAnswer {
  const pull = record(record(record(value)['enablePullRequestAutoMerge'])['pullRequest']);
  if (pull['state'] === 'MERGED') return 'merged';
  const enabled = record(pull['autoMergeRequest'])['mergeMethod'];
  if (typeof enabled !== 'string' || METHODS[enabled] !== method)
    refuse('enablePullRequestAutoMerge', 'auto-merge request', enabled);
  return 'enabled';
}

/** The merge endpoint's answer: the new commit of the base branch. */
export function mergedSha(value: unknown): string {
  const answer = record(value);
  if (answer['merged'] !== true) refuse('a merge', 'merged flag', answer['merged']);
  if (!isCommitSha(answer['sha'])) refuse('a merge', 'commit', answer['sha']);
  return answer['sha'];
}

export function commitMessageOf(value: unknown, sha: string): string {
  const answer = record(value);
  if (answer['sha'] !== sha) refuse('a commit', 'commit id', answer['sha']);
  const message = record(answer['commit'])['message'];
  if (typeof message !== 'string' || message.length > BODY_MAX) refuse('a commit', 'message', typeof message);
  return message;
}
