/**
 * The REST v4 routes the emulator answers, each a pattern (`:name` matches one path segment,
 * URL-decoded) and a handler. Handlers read parameters as GitLab does, act on the project's
 * store and answer GitLab's shapes; anything outside GitLab's rules is a GitLabApiError.
 */
import { created, invalidParameters, notFound, ok, type Answer } from './answers.js';
import type { Caller } from './auth.js';
import { commitJson, mergeRequestJson, noteJson, type JsonContext } from './merge-request-json.js';
import type { MergeParams, MergeRequestRecord, MergeRequestState } from './merge-requests.js';
import { paginate, pageRequest } from './paging.js';
import type { Params } from './params.js';
import type { Project, ProjectRegistry } from './projects.js';
import { statusRoutes } from './status-routes.js';
import type { UserDirectory } from './users.js';

export interface RouteRequest {
  readonly params: Params;
  /** Values of the pattern's `:name` segments. */
  readonly path: Readonly<Record<string, string>>;
  readonly caller: Caller;
  /** The request's public URL (Link headers are built from it). */
  readonly url: URL;
}

export interface Route {
  readonly method: 'GET' | 'POST' | 'PUT';
  /** Below `/api/v4`, e.g. `/projects/:id/merge_requests/:iid`. */
  readonly pattern: string;
  handle(request: RouteRequest): Promise<Answer>;
}

export interface ApiDependencies {
  readonly projects: ProjectRegistry;
  readonly users: UserDirectory;
  /** `http://127.0.0.1:PORT`, known once the server listens. */
  readonly webBase: () => string;
}

const STATES: readonly (MergeRequestState | 'all')[] = ['opened', 'closed', 'locked', 'merged', 'all'];
const UPDATE_FIELDS = ['title', 'description', 'state_event', 'labels', 'reviewer_ids'];

export function gitLabRoutes(deps: ApiDependencies): Route[] {
  const { users } = deps;
  const project = (request: RouteRequest): Project => {
    const found = deps.projects.find(request.path.id ?? '');
    if (found === undefined) throw notFound('Project Not Found');
    return found;
  };
  const context = (p: Project): JsonContext => ({ project: p.store.project, users, webBase: deps.webBase() });
  const mergeRequest = (request: RouteRequest): { p: Project; record: MergeRequestRecord } => {
    const p = project(request);
    const iid = Number(request.path.iid);
    if (!Number.isSafeInteger(iid)) throw notFound();
    return { p, record: p.store.get(iid) };
  };
  const single = async (p: Project, record: MergeRequestRecord): Promise<Record<string, unknown>> => {
    await p.store.refreshShas([record]);
    return mergeRequestJson(record, context(p));
  };

  return [
    ...statusRoutes({ ...deps, project }),
    {
      method: 'GET',
      pattern: '/projects/:id/merge_requests',
      async handle(request) {
        const p = project(request);
        const { params } = request;
        const state = params.string('state') ?? 'all';
        if (!STATES.includes(state as MergeRequestState))
          throw invalidParameters('state does not have a valid value');
        const orderBy = params.string('order_by') ?? 'created_at';
        if (orderBy !== 'created_at' && orderBy !== 'updated_at')
          throw invalidParameters('order_by does not have a valid value');
        const sort = params.string('sort') ?? 'desc';
        if (sort !== 'asc' && sort !== 'desc') throw invalidParameters('sort does not have a valid value');
        const records = p.store.list({
          state: state as MergeRequestState | 'all',
          orderBy,
          sort,
          ...(params.has('source_branch') ? { sourceBranch: params.string('source_branch') } : {}),
          ...(params.has('target_branch') ? { targetBranch: params.string('target_branch') } : {}),
        });
        const page = paginate(records, pageRequest(params), request.url);
        await p.store.refreshShas(page.items);
        return ok(
          page.items.map((r) => mergeRequestJson(r, context(p))),
          page.headers,
        );
      },
    },
    {
      method: 'POST',
      pattern: '/projects/:id/merge_requests',
      async handle(request) {
        const p = project(request);
        const { params } = request;
        const missing = ['source_branch', 'target_branch', 'title'].filter((name) => !params.has(name));
        if (missing.length > 0)
          throw invalidParameters(missing.map((name) => `${name} is missing`).join(', '));
        const record = await p.store.create(
          {
            sourceBranch: params.requiredString('source_branch'),
            targetBranch: params.requiredString('target_branch'),
            title: params.requiredString('title'),
            description: params.string('description') ?? '',
            labels: params.list('labels') ?? [],
            reviewerIds: (params.integers('reviewer_ids') ?? []).filter((id) => users.get(id) !== undefined),
            squash: params.boolean('squash') ?? false,
            removeSourceBranch: params.boolean('remove_source_branch') ?? false,
          },
          request.caller.user.id,
        );
        return created(mergeRequestJson(record, context(p)));
      },
    },
    {
      method: 'GET',
      pattern: '/projects/:id/merge_requests/:iid',
      async handle(request) {
        const { p, record } = mergeRequest(request);
        return ok(await single(p, record));
      },
    },
    {
      method: 'PUT',
      pattern: '/projects/:id/merge_requests/:iid',
      async handle(request) {
        const { p, record } = mergeRequest(request);
        const { params } = request;
        if (!UPDATE_FIELDS.some((name) => params.has(name)))
          throw invalidParameters(
            `${UPDATE_FIELDS.join(', ')} are missing, at least one parameter must be provided`,
          );
        const stateEvent = params.string('state_event');
        if (stateEvent !== undefined && stateEvent !== 'close' && stateEvent !== 'reopen')
          throw invalidParameters('state_event does not have a valid value');
        const title = params.string('title');
        if (title === '') throw invalidParameters('title is empty');
        p.store.update(
          record,
          {
            ...(title === undefined ? {} : { title }),
            ...(params.has('description') ? { description: params.string('description') } : {}),
            ...(params.has('labels') ? { labels: params.list('labels') } : {}),
            ...(params.has('reviewer_ids')
              ? {
                  reviewerIds: (params.integers('reviewer_ids') ?? []).filter(
                    (id) => users.get(id) !== undefined,
                  ),
                }
              : {}),
            ...(stateEvent === undefined ? {} : { stateEvent }),
          },
          request.caller.user.id,
        );
        return ok(await single(p, record));
      },
    },
    {
      method: 'PUT',
      pattern: '/projects/:id/merge_requests/:iid/merge',
      async handle(request) {
        const { p, record } = mergeRequest(request);
        const { params } = request;
        const merge: MergeParams = {
          ...(params.has('squash') ? { squash: params.boolean('squash') } : {}),
          ...(params.has('squash_commit_message')
            ? { squashCommitMessage: params.string('squash_commit_message') }
            : {}),
          ...(params.has('merge_commit_message')
            ? { mergeCommitMessage: params.string('merge_commit_message') }
            : {}),
          ...(params.has('should_remove_source_branch')
            ? { shouldRemoveSourceBranch: params.boolean('should_remove_source_branch') }
            : {}),
          ...(params.has('sha') ? { sha: params.string('sha') } : {}),
        };
        const auto = params.boolean('auto_merge') ?? params.boolean('merge_when_pipeline_succeeds') ?? false;
        if (auto) await p.store.enableAutoMerge(record, merge, request.caller.user.id);
        else await p.store.merge(record, merge, request.caller.user.id);
        return ok(await single(p, record));
      },
    },
    {
      method: 'GET',
      pattern: '/projects/:id/merge_requests/:iid/notes',
      async handle(request) {
        const { p, record } = mergeRequest(request);
        const notes = [...record.notes].reverse().map((note) => noteJson(note, record, context(p)));
        const page = paginate(notes, pageRequest(request.params), request.url);
        return ok(page.items, page.headers);
      },
    },
    {
      method: 'POST',
      pattern: '/projects/:id/merge_requests/:iid/notes',
      async handle(request) {
        const { p, record } = mergeRequest(request);
        const body = request.params.string('body');
        if (body === undefined || body === '') throw invalidParameters('body is missing');
        const note = p.store.addNote(record, body, request.caller.user.id);
        return created(noteJson(note, record, context(p)));
      },
    },
    {
      method: 'GET',
      pattern: '/projects/:id/repository/commits/:sha',
      async handle(request) {
        const p = project(request);
        const json = await commitJson(
          p.store.project.repository.remote,
          request.path.sha ?? '',
          p.store.project,
        );
        if (json === undefined) throw notFound('Commit Not Found');
        return ok(json);
      },
    },
    {
      method: 'GET',
      pattern: '/users',
      async handle(request) {
        const username = request.params.string('username');
        const found = username === undefined ? undefined : users.find(username);
        const list = found ? [users.json(found, deps.webBase())] : [];
        const page = paginate(list, pageRequest(request.params), request.url);
        return ok(page.items, page.headers);
      },
    },
  ];
}
