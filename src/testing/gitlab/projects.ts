/**
 * The projects a test registers, each over a real bare repository. GitLab addresses a
 * project by numeric id or by its URL-encoded path (`acme%2Ffleet`, matched without regard
 * to case); the router decodes the segment, so lookups here see `acme/fleet`.
 */
import { DEFAULT_MERGE_COMMIT_TEMPLATE, DEFAULT_SQUASH_COMMIT_TEMPLATE } from './commit-templates.js';
import { MergeRequestStore, type StoreClock } from './merge-requests.js';
import { repository } from './repository.js';
import { CommitStatusStore, type StatusClock } from './statuses.js';

export interface ProjectOptions {
  /** Settings → Merge requests → Merge commit message template; default GitLab's. */
  readonly mergeCommitTemplate?: string;
  /** Settings → Merge requests → Squash commit message template; default GitLab's `%{title}`. */
  readonly squashCommitTemplate?: string;
}

export interface Project {
  readonly id: number;
  readonly path: string;
  readonly store: MergeRequestStore;
  /** Commit statuses and pipelines. */
  readonly statuses: CommitStatusStore;
}

export class ProjectRegistry {
  private readonly projects: Project[] = [];

  constructor(
    private readonly clock: StoreClock & StatusClock,
    /** `http://127.0.0.1:PORT`, known once the server listens. */
    private readonly webBase: () => string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  add(path: string, bareDir: string, options: ProjectOptions = {}): Project {
    if (this.find(path)) throw new Error(`project ${path} is already registered`);
    const id = this.projects.length + 1;
    const store = new MergeRequestStore(
      {
        id,
        path,
        webUrl: `${this.webBase()}/${path}`,
        repository: repository(bareDir, this.env),
        mergeCommitTemplate: options.mergeCommitTemplate ?? DEFAULT_MERGE_COMMIT_TEMPLATE,
        squashCommitTemplate: options.squashCommitTemplate ?? DEFAULT_SQUASH_COMMIT_TEMPLATE,
      },
      this.clock,
    );
    const project = { id, path, store, statuses: new CommitStatusStore(this.clock) };
    this.projects.push(project);
    return project;
  }

  /** By numeric id (`7`, `'7'`) or path (`acme/fleet`). */
  find(idOrPath: string | number): Project | undefined {
    const key = String(idOrPath);
    if (/^\d+$/.test(key)) return this.projects.find((p) => p.id === Number(key));
    const wanted = key.toLowerCase();
    return this.projects.find((p) => p.path.toLowerCase() === wanted);
  }

  all(): readonly Project[] {
    return this.projects;
  }
}
