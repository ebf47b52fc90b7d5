/**
 * A GitLab REST v4 subset on loopback that real `@gitbeaker/rest` talks to unmodified
 * (`new Gitlab({ host: emulator.url, token })`; gitbeaker appends `/api/v4` itself). Projects
 * sit over real bare repositories: merge requests live in memory, branches and merges are
 * real git. Test controls play the people around a merge request: merge, close and edit it
 * as someone in the web UI would, and run pipelines so auto-merge happens.
 */
import { TokenTable, type TokenOptions } from './auth.js';
import { gitLabRoutes } from './api.js';
import { FaultPlan, type GitLabFaults } from './faults.js';
import { isDraftTitle, type MergeRequestRecord, type MergeRequestState } from './merge-requests.js';
import { ProjectRegistry, type Project, type ProjectOptions } from './projects.js';
import { startServer } from './server.js';
import type { NewPipeline, PipelineState } from './statuses.js';
import { UserDirectory } from './users.js';

export type { TokenOptions, TokenScope, ProjectRole } from './auth.js';
export type { FailureFault, GitLabFaults, RateLimitFault } from './faults.js';
export type { ProjectOptions } from './projects.js';
export type { NewPipeline, PipelineState } from './statuses.js';
export { DEFAULT_MERGE_COMMIT_TEMPLATE, DEFAULT_SQUASH_COMMIT_TEMPLATE } from './commit-templates.js';

export interface GitLabEmulatorOptions {
  /** Default: a free port. */
  readonly port?: number;
  /** Clock for created_at, updated_at, merged_at and the rate limiter's reset; default the system clock. */
  readonly now?: () => Date;
  /** Environment of the git processes; default process.env. */
  readonly env?: NodeJS.ProcessEnv;
}

/** A project: by numeric id or path (`acme/fleet`). */
export type ProjectRef = string | number;

/** A merge request as a test reads it back. */
export interface MergeRequestView {
  readonly iid: number;
  readonly title: string;
  readonly description: string;
  readonly state: MergeRequestState;
  readonly sourceBranch: string;
  readonly targetBranch: string;
  readonly draft: boolean;
  readonly labels: readonly string[];
  /** Usernames. */
  readonly reviewers: readonly string[];
  readonly author: string | undefined;
  readonly autoMerge: boolean;
  /** The squash flag auto-merge will use (or the merge request's own). */
  readonly squash: boolean;
  readonly sha: string;
  readonly mergeCommitSha: string | undefined;
  readonly squashCommitSha: string | undefined;
  readonly updatedAt: Date;
}

export interface NoteView {
  readonly id: number;
  readonly body: string;
  readonly author: string | undefined;
  readonly system: boolean;
}

export interface PersonMerge {
  readonly squash?: boolean;
  /** The commit message a person typed; default the project's template. */
  readonly message?: string;
  /** Default `maintainer`. */
  readonly by?: string;
}

export interface GitLabEmulator {
  /** `http://127.0.0.1:PORT`: gitbeaker's `host`, and the base of every web_url. */
  readonly url: string;
  /** `http://127.0.0.1:PORT/api/v4`: a forge's `apiUrl`. */
  readonly apiUrl: string;
  readonly port: number;
  readonly faults: GitLabFaults;
  addProject(
    path: string,
    bareDir: string,
    options?: ProjectOptions,
  ): { readonly id: number; readonly path: string };
  /** A GitLab user (a reviewer); answers its id. */
  addUser(username: string): number;
  /** Accepts `token` from now on (default: user `drawbridge-bot`, scope `api`, role developer). */
  addToken(token: string, options?: TokenOptions): void;
  /** Every answer about this merge request carries these fields instead of the real ones. */
  tamper(project: ProjectRef, iid: number, fields: Readonly<Record<string, unknown>>): void;
  /** Calls answered per route (`POST /projects/:id/merge_requests`), or all of them. */
  calls(route?: string): number;
  resetCalls(): void;
  /** A person presses Merge; answers the target branch's new commit. */
  merge(project: ProjectRef, iid: number, options?: PersonMerge): Promise<string>;
  /** A person closes the merge request. */
  close(project: ProjectRef, iid: number): Promise<void>;
  /** Stops the server. */
  close(): Promise<void>;
  /** A person edits the title or description. */
  edit(
    project: ProjectRef,
    iid: number,
    changes: { readonly title?: string; readonly description?: string },
  ): void;
  /** Every pipeline passes: merge requests set to auto-merge (and not drafts) merge. Answers how many merged. */
  runPipelines(): Promise<number>;
  /** CI runs a pipeline for a commit (as a push starts one); answers its id. */
  runPipeline(project: ProjectRef, pipeline: NewPipeline): number;
  /** A pipeline finishes, fails or is cancelled. */
  setPipeline(project: ProjectRef, id: number, status: PipelineState): void;
  mergeRequests(project: ProjectRef): MergeRequestView[];
  notes(project: ProjectRef, iid: number): NoteView[];
}

export async function startGitLabEmulator(options: GitLabEmulatorOptions = {}): Promise<GitLabEmulator> {
  const now = options.now ?? (() => new Date());
  const users = new UserDirectory();
  const tokens = new TokenTable(users);
  const faults = new FaultPlan(now);
  let mergeRequestIds = 0;
  let noteIds = 0;
  let statusIds = 0;
  let pipelineIds = 0;
  const clock = {
    now,
    nextId: () => ++mergeRequestIds,
    nextNoteId: () => ++noteIds,
    nextStatusId: () => ++statusIds,
    nextPipelineId: () => ++pipelineIds,
  };
  // The web base is known once the port is: routes and projects read it through this holder.
  const web = { base: '' };
  const projects = new ProjectRegistry(clock, () => web.base, options.env ?? process.env);
  const server = await startServer({
    routes: gitLabRoutes({ projects, users, webBase: () => web.base }),
    tokens,
    faults,
    ...(options.port === undefined ? {} : { port: options.port }),
  });
  web.base = server.url;

  const projectOf = (ref: ProjectRef): Project => {
    const project = projects.find(ref);
    if (project === undefined) throw new Error(`no project ${String(ref)} in the GitLab emulator`);
    return project;
  };
  const recordOf = (ref: ProjectRef, iid: number): { project: Project; record: MergeRequestRecord } => {
    const project = projectOf(ref);
    return { project, record: project.store.get(iid) };
  };
  const username = (id: number | undefined): string | undefined =>
    id === undefined ? undefined : users.get(id)?.username;

  return {
    url: server.url,
    apiUrl: `${server.url}/api/v4`,
    port: server.port,
    faults,
    addProject(path, bareDir, projectOptions) {
      const { id } = projects.add(path, bareDir, projectOptions);
      return { id, path };
    },
    addUser: (name) => users.add(name).id,
    addToken: (token, tokenOptions) => tokens.add(token, tokenOptions),
    tamper(ref, iid, fields) {
      recordOf(ref, iid).record.tampered = { ...fields };
    },
    calls: (route) => server.calls(route),
    resetCalls: () => server.resetCalls(),
    async merge(ref, iid, person = {}) {
      const { project, record } = recordOf(ref, iid);
      return project.store.merge(
        record,
        {
          ...(person.squash === undefined ? {} : { squash: person.squash }),
          ...(person.message === undefined
            ? {}
            : person.squash
              ? { squashCommitMessage: person.message }
              : { mergeCommitMessage: person.message }),
        },
        users.add(person.by ?? 'maintainer').id,
      );
    },
    async close(ref?: ProjectRef, iid?: number) {
      if (ref === undefined || iid === undefined) {
        await server.close();
        return;
      }
      const { project, record } = recordOf(ref, iid);
      await project.store.refreshShas([record]);
      project.store.update(record, { stateEvent: 'close' }, users.add('maintainer').id);
    },
    edit(ref, iid, changes) {
      const { project, record } = recordOf(ref, iid);
      project.store.update(record, changes, users.add('maintainer').id);
    },
    async runPipelines() {
      let merged = 0;
      for (const project of projects.all()) {
        // A push since auto-merge was set aborts it, as GitLab's refresh after the push does.
        await project.store.refreshShas(project.store.all());
        for (const record of project.store.mergeableAutoMerges()) {
          const params = { ...record.autoMerge, sha: undefined };
          await project.store.merge(record, params, record.autoMergeById ?? record.authorId);
          merged += 1;
        }
      }
      return merged;
    },
    runPipeline: (ref, pipeline) => projectOf(ref).statuses.runPipeline(pipeline).id,
    setPipeline: (ref, id, status) => projectOf(ref).statuses.setPipeline(id, status),
    mergeRequests(ref) {
      return projectOf(ref)
        .store.all()
        .map((r) => ({
          iid: r.iid,
          title: r.title,
          description: r.description,
          state: r.state,
          sourceBranch: r.sourceBranch,
          targetBranch: r.targetBranch,
          draft: isDraftTitle(r.title),
          labels: [...r.labels],
          reviewers: r.reviewerIds.map((id) => username(id) ?? String(id)),
          author: username(r.authorId),
          autoMerge: r.autoMerge !== undefined,
          squash: r.autoMerge?.squash ?? r.squash,
          sha: r.sha,
          mergeCommitSha: r.mergeCommitSha,
          squashCommitSha: r.squashCommitSha,
          updatedAt: r.updatedAt,
        }));
    },
    notes(ref, iid) {
      return recordOf(ref, iid).record.notes.map((n) => ({
        id: n.id,
        body: n.body,
        author: username(n.authorId),
        system: n.system === true,
      }));
    },
  };
}
