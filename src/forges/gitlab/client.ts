/**
 * The gitbeaker resources the GitLab forge uses, built alone (not the whole `Gitlab`
 * bundle) over the requester it is given. gitbeaker puts `/api/v4` after `host` itself.
 */
import { Commits, MergeRequestNotes, MergeRequests, Pipelines, Users } from '@gitbeaker/rest';
import type { RequesterFn } from './requester.js';

export interface GitLabClient {
  readonly mergeRequests: InstanceType<typeof MergeRequests>;
  readonly notes: InstanceType<typeof MergeRequestNotes>;
  readonly users: InstanceType<typeof Users>;
  readonly commits: InstanceType<typeof Commits>;
  readonly pipelines: InstanceType<typeof Pipelines>;
}

export interface ClientOptions {
  /** `https://gitlab.example.com` (a relative URL root included), without `/api/v4`. */
  readonly host: string;
  readonly token: string;
  readonly requesterFn: RequesterFn;
  /** Per call; default 30 s. */
  readonly timeoutMs?: number;
}

export function gitLabClient(options: ClientOptions): GitLabClient {
  const config = {
    host: options.host,
    token: options.token,
    requesterFn: options.requesterFn,
    queryTimeout: options.timeoutMs ?? 30_000,
  };
  return {
    mergeRequests: new MergeRequests(config),
    notes: new MergeRequestNotes(config),
    users: new Users(config),
    commits: new Commits(config),
    pipelines: new Pipelines(config),
  };
}
