/**
 * Checks of what a forge answers, shared by every forge: a pull request's fields are outside
 * data (a person writes its title and body; a compromised or buggy API can send anything),
 * so each is checked where it enters and an answer that fails is refused whole, naming the
 * field. Titles and bodies are kept as text (they are only compared and replaced, never
 * written into a commit or a log line); everything else must have its exact shape.
 */
import { isCheckContext, isValidBranch } from '../checks/grammar.js';
import { isWebUrl } from '../checks/web-url.js';
import { ForgeError } from '../errors.js';
import type { CommitCheck, CommitCheckState, ForgeType, PullRequest } from '../forge.js';
import { printable } from '../log/printable.js';

/** GitHub caps bodies at 65,536 characters; GitLab at 1,048,576. Anything longer is refused. */
export const BODY_MAX = 1_048_576;
const COMMIT_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

export interface RawPullRequest {
  readonly number: unknown;
  readonly url: unknown;
  readonly state: unknown;
  readonly head: unknown;
  readonly base: unknown;
  readonly headSha: unknown;
  readonly title: unknown;
  readonly body: unknown;
  readonly updatedAt: unknown;
}

function refuse(forge: ForgeType, field: string, value: unknown, why: string): never {
  throw new ForgeError(`${forge} answered a pull request with an invalid ${field} (${why})`, {
    retryable: false,
    hint: 'drawbridge ignores the answer; check the forge, or a proxy in between',
    context: { value: printable(String(value), 80) },
  });
}

export function isCommitSha(value: unknown): value is string {
  return typeof value === 'string' && COMMIT_SHA.test(value);
}

/** One page of statuses: a commit with more than 100 is not one drawbridge is gated on. */
export const STATUSES_PER_PAGE = 100;

/** Statuses are read by a full commit id only, checked before any call. */
export function requireStatusCommit(sha: string): void {
  if (!isCommitSha(sha))
    throw new ForgeError(`not a full commit id: ${printable(sha, 80)}`, {
      retryable: false,
      hint: 'drawbridge reads commit statuses by their full 40 (or 64) hex digit id',
    });
}

/**
 * The pull request in drawbridge's terms, or a ForgeError naming the first field that is off.
 * `state` must already be mapped to open/closed/merged by the forge's own code.
 */
export function checkedPullRequest(forge: ForgeType, raw: RawPullRequest): PullRequest {
  const { number, url, state, head, base, headSha, title, body, updatedAt } = raw;
  if (typeof number !== 'number' || !Number.isSafeInteger(number) || number < 1)
    refuse(forge, 'number', number, 'a positive integer');
  if (!isWebUrl(url)) refuse(forge, 'url', url, 'an http(s) URL without credentials');
  if (state !== 'open' && state !== 'closed' && state !== 'merged')
    refuse(forge, 'state', state, 'open, closed or merged');
  if (typeof head !== 'string' || !isValidBranch(head)) refuse(forge, 'source branch', head, 'a branch name');
  if (typeof base !== 'string' || !isValidBranch(base)) refuse(forge, 'target branch', base, 'a branch name');
  if (!isCommitSha(headSha)) refuse(forge, 'head commit', headSha, 'a full commit id');
  if (typeof title !== 'string' || title.length > 1_024) refuse(forge, 'title', title, 'text');
  const text = body ?? '';
  if (typeof text !== 'string' || text.length > BODY_MAX) refuse(forge, 'body', '', 'text');
  const at = typeof updatedAt === 'string' || typeof updatedAt === 'number' ? new Date(updatedAt) : undefined;
  if (at === undefined || Number.isNaN(at.getTime())) refuse(forge, 'update time', updatedAt, 'a date');
  return { number, url, state, head, base, headSha, title, body: text, updatedAt: at };
}

export interface RawCommitCheck {
  readonly context: unknown;
  readonly state: CommitCheckState | undefined;
  /** The forge's own state word, for the error when it is none drawbridge knows. */
  readonly rawState: unknown;
  readonly at: unknown;
  readonly url: unknown;
}

/**
 * A commit status or check run as the forge answered it, each field checked: a context that is
 * not one printable line, a state drawbridge does not know or a time that is not one refuses
 * the answer whole. A target URL that is not a plain web URL is dropped, not refused.
 */
export function checkedCommitCheck(forge: ForgeType, raw: RawCommitCheck): CommitCheck {
  const fail = (field: string, value: unknown): never => {
    throw new ForgeError(`${forge} answered a commit status with an invalid ${field}`, {
      retryable: false,
      hint: 'drawbridge ignores the answer; check the forge, or a proxy in between',
      context: { value: printable(String(value), 80) },
    });
  };
  if (!isCheckContext(raw.context)) fail('context', raw.context);
  if (raw.state === undefined) fail('state', raw.rawState);
  const at = typeof raw.at === 'string' ? new Date(raw.at) : undefined;
  if (at === undefined || Number.isNaN(at.getTime())) fail('time', raw.at);
  return {
    context: raw.context as string,
    state: raw.state!,
    at: at!,
    ...(isWebUrl(raw.url) ? { url: raw.url } : {}),
  };
}
