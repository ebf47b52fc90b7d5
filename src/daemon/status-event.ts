/**
 * What arrives on the statuses endpoint: a deployment's report on a Git commit, in one of two
 * shapes, both outside data checked field by field before anything is recorded.
 *
 * - Flux's `generic` (or `generic-hmac`) notification provider posts its event as is:
 *   `involvedObject` {kind, name}, `severity` (info, error), `reason`, `timestamp` and
 *   `metadata.revision` (`main@sha1:<sha>`, `main/<sha>`, `sha1:<sha>`). The context is
 *   `<kind>/<name>` in lower case (`kustomization/apps`), as Flux's forge providers start
 *   theirs. Severity error is a failure; Progressing and other in-flight reasons are pending;
 *   any other info is success.
 * - Anything else (Argo CD's webhook service, a script) posts
 *   `{"context": …, "sha": …, "state": "success"|"failure"|"pending", "targetUrl"?, "at"?}`
 *   (`revision` for `sha`, `error` as failure, as GitHub's statuses take them).
 *
 * A report stamped in the future is taken as of now.
 */
import { isCheckContext } from '../checks/grammar.js';
import { isWebUrl } from '../checks/web-url.js';
import type { CommitCheck, CommitCheckState } from '../forge.js';

export type StatusEvent =
  | { readonly kind: 'malformed'; readonly detail: string }
  | { readonly kind: 'ignored'; readonly reason: string }
  | { readonly kind: 'status'; readonly sha: string; readonly check: CommitCheck };

const SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
/** `main@sha1:<sha>`, `main/<sha>`, `sha1:<sha>`, `<sha>`: the commit at the end. */
const REVISION = /(?:^|[@/:])([0-9a-f]{40}|[0-9a-f]{64})$/;
const REVISION_MAX = 512;
/** Flux reasons of a reconciliation still on its way. */
const IN_FLIGHT: readonly string[] = ['Progressing', 'ProgressingWithRetry', 'DependencyNotReady'];
/** Kubernetes kinds and object names: what a context part may hold. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/;
const NATIVE_STATES: Readonly<Record<string, CommitCheckState>> = {
  success: 'success',
  failure: 'failure',
  error: 'failure',
  pending: 'pending',
};

export function parseStatusEvent(body: string, now: Date): StatusEvent {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { kind: 'malformed', detail: 'the body is not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { kind: 'malformed', detail: 'the body is not a JSON object' };
  const record = value as Record<string, unknown>;
  return 'involvedObject' in record ? fluxEvent(record, now) : nativeStatus(record, now);
}

function fluxEvent(event: Record<string, unknown>, now: Date): StatusEvent {
  const object = event['involvedObject'];
  if (typeof object !== 'object' || object === null) return malformed('involvedObject is not an object');
  const { kind, name } = object as Record<string, unknown>;
  if (typeof kind !== 'string' || !NAME.test(kind)) return malformed('involvedObject.kind is not a kind');
  if (typeof name !== 'string' || !NAME.test(name)) return malformed('involvedObject.name is not a name');
  const metadata = event['metadata'];
  const revision =
    typeof metadata === 'object' && metadata !== null
      ? (metadata as Record<string, unknown>)['revision']
      : undefined;
  if (revision === undefined) return { kind: 'ignored', reason: 'no revision: not about a Git commit' };
  const sha = revisionSha(revision);
  if (sha === undefined) return { kind: 'ignored', reason: 'the revision names no Git commit' };
  const severity = event['severity'];
  if (severity !== 'info' && severity !== 'error') return malformed('severity is neither info nor error');
  const reason = event['reason'];
  const state: CommitCheckState =
    severity === 'error'
      ? 'failure'
      : typeof reason === 'string' && IN_FLIGHT.includes(reason)
        ? 'pending'
        : 'success';
  return status(sha, `${kind.toLowerCase()}/${name}`, state, event['timestamp'], undefined, now);
}

function nativeStatus(body: Record<string, unknown>, now: Date): StatusEvent {
  const { context, state } = body;
  const sha = body['sha'] ?? body['revision'];
  if (!isCheckContext(context)) return malformed('context is not one line of at most 255 characters');
  const commit = typeof sha === 'string' ? revisionSha(sha) : undefined;
  if (commit === undefined) return malformed('sha is not a full commit id');
  const mapped = typeof state === 'string' ? NATIVE_STATES[state] : undefined;
  if (mapped === undefined) return malformed('state is not success, failure, error or pending');
  const url = body['targetUrl'] ?? body['target_url'];
  if (url !== undefined && !isWebUrl(url))
    return malformed('targetUrl is not an http(s) URL without credentials');
  return status(commit, context, mapped, body['at'], url, now);
}

function status(
  sha: string,
  context: string,
  state: CommitCheckState,
  stamp: unknown,
  url: string | undefined,
  now: Date,
): StatusEvent {
  let at = now;
  if (stamp !== undefined) {
    const parsed = typeof stamp === 'string' ? new Date(stamp) : undefined;
    if (parsed === undefined || Number.isNaN(parsed.getTime())) return malformed('the time is not a date');
    if (parsed < now) at = parsed;
  }
  return { kind: 'status', sha, check: { context, state, at, ...(url === undefined ? {} : { url }) } };
}

function revisionSha(revision: unknown): string | undefined {
  if (typeof revision !== 'string' || revision.length > REVISION_MAX) return undefined;
  const trimmed = revision.trim();
  if (SHA.test(trimmed)) return trimmed;
  return REVISION.exec(trimmed)?.[1];
}

function malformed(detail: string): StatusEvent {
  return { kind: 'malformed', detail };
}
