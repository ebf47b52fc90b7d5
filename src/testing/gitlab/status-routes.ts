/**
 * The commit-status and pipeline routes: post a status (`POST /projects/:id/statuses/:sha`,
 * `state` required, `name` or its alias `context`, default `default`; `ref` default the
 * branch the commit heads, else one that holds it), list a commit's statuses (latest of each
 * name unless `all`), and list pipelines (`sha`, `ref`, `status`, `source`; newest first).
 */
import { created, invalidParameters, notFound, ok } from './answers.js';
import type { Route, RouteRequest } from './api.js';
import { paginate, pageRequest } from './paging.js';
import type { Project, ProjectRegistry } from './projects.js';
import { STATUS_STATES, type CommitStatusRecord, type PipelineRecord, type StatusState } from './statuses.js';
import type { UserDirectory } from './users.js';

const FULL_SHA = /^[0-9a-f]{40}$/;

export interface StatusRouteDependencies {
  readonly projects: ProjectRegistry;
  readonly users: UserDirectory;
  readonly webBase: () => string;
  readonly project: (request: RouteRequest) => Project;
}

export function statusRoutes(deps: StatusRouteDependencies): Route[] {
  const statusJson = (p: Project, s: CommitStatusRecord): Record<string, unknown> => {
    const author = deps.users.get(s.authorId);
    return {
      id: s.id,
      sha: s.sha,
      ref: s.ref,
      status: s.status,
      name: s.name,
      target_url: s.targetUrl ?? null,
      description: s.description ?? null,
      created_at: s.createdAt.toISOString(),
      started_at: s.startedAt?.toISOString() ?? null,
      finished_at: s.finishedAt?.toISOString() ?? null,
      allow_failure: false,
      coverage: null,
      pipeline_id: s.pipelineId,
      author: author ? deps.users.json(author, deps.webBase()) : null,
      project_id: p.id,
    };
  };
  const pipelineJson = (p: Project, r: PipelineRecord): Record<string, unknown> => ({
    id: r.id,
    iid: r.iid,
    project_id: p.id,
    sha: r.sha,
    ref: r.ref,
    status: r.status,
    source: r.source,
    name: r.name ?? null,
    created_at: r.createdAt.toISOString(),
    updated_at: r.updatedAt.toISOString(),
    web_url: `${deps.webBase()}/${p.path}/-/pipelines/${r.id}`,
  });
  const commitOf = (request: RouteRequest): string => {
    const sha = request.path.sha ?? '';
    if (!FULL_SHA.test(sha)) throw notFound('Commit Not Found');
    return sha;
  };

  return [
    {
      method: 'POST',
      pattern: '/projects/:id/statuses/:sha',
      async handle(request) {
        const p = deps.project(request);
        const sha = commitOf(request);
        const { params } = request;
        const state = params.string('state');
        if (state === undefined) throw invalidParameters('state is missing');
        if (!(STATUS_STATES as readonly string[]).includes(state))
          throw invalidParameters('state does not have a valid value');
        const branches = await p.store.project.repository.branchesContaining(sha);
        if (branches === undefined) throw notFound('Commit Not Found');
        const heads = await p.store.project.repository.heads();
        const ref =
          params.string('ref') ??
          branches.find((branch) => heads.get(branch) === sha) ??
          branches[0] ??
          'HEAD';
        const name = params.string('name') ?? params.string('context') ?? 'default';
        if (name.length > 255 || ref.length > 255) throw invalidParameters('name or ref is too long');
        const record = p.statuses.post(
          {
            sha,
            ref,
            name,
            state: state as StatusState,
            ...(params.has('target_url') ? { targetUrl: params.string('target_url')! } : {}),
            ...(params.has('description') ? { description: params.string('description')! } : {}),
          },
          request.caller.user.id,
        );
        return created(statusJson(p, record));
      },
    },
    {
      method: 'GET',
      pattern: '/projects/:id/repository/commits/:sha/statuses',
      async handle(request) {
        const p = deps.project(request);
        const sha = commitOf(request);
        if ((await p.store.project.repository.branchesContaining(sha)) === undefined)
          throw notFound('Commit Not Found');
        const { params } = request;
        const list = p.statuses.list(sha, {
          all: params.boolean('all') ?? false,
          ...(params.has('ref') ? { ref: params.string('ref')! } : {}),
          ...(params.has('name') ? { name: params.string('name')! } : {}),
        });
        const page = paginate(
          list.map((s) => statusJson(p, s)),
          pageRequest(params),
          request.url,
        );
        return ok(page.items, page.headers);
      },
    },
    {
      method: 'GET',
      pattern: '/projects/:id/pipelines',
      async handle(request) {
        const p = deps.project(request);
        const { params } = request;
        const orderBy = params.string('order_by') ?? 'id';
        if (orderBy !== 'id' && orderBy !== 'updated_at')
          throw invalidParameters('order_by does not have a valid value');
        const sort = params.string('sort') ?? 'desc';
        if (sort !== 'asc' && sort !== 'desc') throw invalidParameters('sort does not have a valid value');
        const key = (r: PipelineRecord): number => (orderBy === 'id' ? r.id : r.updatedAt.getTime());
        const list = p.statuses
          .pipelinesOf({
            ...(params.has('sha') ? { sha: params.string('sha')! } : {}),
            ...(params.has('ref') ? { ref: params.string('ref')! } : {}),
            ...(params.has('status') ? { status: params.string('status')! } : {}),
            ...(params.has('source') ? { source: params.string('source')! } : {}),
          })
          .sort((a, b) =>
            sort === 'desc' ? key(b) - key(a) || b.id - a.id : key(a) - key(b) || a.id - b.id,
          );
        const page = paginate(
          list.map((r) => pipelineJson(p, r)),
          pageRequest(params),
          request.url,
        );
        return ok(page.items, page.headers);
      },
    },
  ];
}
