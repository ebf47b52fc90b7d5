/**
 * One project's merge requests, in memory, with GitLab's rules: an iid per project, one open
 * merge request per source → target, drafts by title prefix (the REST API has no draft
 * parameter), auto-merge recorded with its merge parameters and carried out later, and real
 * merges into the bare repository with the project's commit templates.
 */
import { conflict, methodNotAllowed, notFound, unprocessable } from './answers.js';
import { renderCommitTemplate, type TemplateVariables } from './commit-templates.js';
import type { Repository } from './repository.js';

export type MergeRequestState = 'opened' | 'closed' | 'merged' | 'locked';

export interface MergeParams {
  readonly squash?: boolean;
  readonly squashCommitMessage?: string;
  readonly mergeCommitMessage?: string;
  readonly shouldRemoveSourceBranch?: boolean;
  /** Merge only if the source branch is still at this commit. */
  readonly sha?: string;
}

export interface NoteRecord {
  readonly id: number;
  readonly body: string;
  readonly authorId: number;
  readonly createdAt: Date;
  /** GitLab's own notes about events (`aborted the automatic merge …`). */
  readonly system?: boolean;
}

export interface MergeRequestRecord {
  readonly id: number;
  readonly iid: number;
  readonly sourceBranch: string;
  readonly authorId: number;
  readonly createdAt: Date;
  targetBranch: string;
  title: string;
  description: string;
  state: MergeRequestState;
  labels: string[];
  reviewerIds: number[];
  squash: boolean;
  forceRemoveSourceBranch: boolean;
  updatedAt: Date;
  /** The source branch's commit when last seen (kept when the branch is gone, merged or closed). */
  sha: string;
  mergedAt?: Date;
  mergedById?: number;
  mergeCommitSha?: string;
  squashCommitSha?: string;
  closedAt?: Date;
  closedById?: number;
  /** Set by `merge_when_pipeline_succeeds` / `auto_merge`: what to merge with once pipelines pass. */
  autoMerge?: MergeParams;
  /** Who set auto-merge: GitLab's `merge_user`, and who merges when the pipeline passes. */
  autoMergeById?: number;
  readonly notes: NoteRecord[];
  /** Fields a test overrides in every answer about this merge request (hostile-answer tests). */
  tampered?: Readonly<Record<string, unknown>>;
}

export interface NewMergeRequest {
  readonly sourceBranch: string;
  readonly targetBranch: string;
  readonly title: string;
  readonly description: string;
  readonly labels: readonly string[];
  readonly reviewerIds: readonly number[];
  readonly squash: boolean;
  readonly removeSourceBranch: boolean;
}

export interface MergeRequestChanges {
  readonly title?: string;
  readonly description?: string;
  readonly labels?: readonly string[];
  readonly reviewerIds?: readonly number[];
  readonly stateEvent?: 'close' | 'reopen';
}

export interface ListFilter {
  readonly state?: MergeRequestState | 'all';
  readonly sourceBranch?: string;
  readonly targetBranch?: string;
  readonly orderBy: 'created_at' | 'updated_at';
  readonly sort: 'asc' | 'desc';
}

export interface ProjectContext {
  readonly id: number;
  readonly path: string;
  readonly webUrl: string;
  readonly repository: Repository;
  readonly mergeCommitTemplate: string;
  readonly squashCommitTemplate: string;
}

export interface StoreClock {
  readonly now: () => Date;
  /** Merge request ids are unique across projects. */
  readonly nextId: () => number;
  readonly nextNoteId: () => number;
}

export const DESCRIPTION_MAX = 1_048_576;
export const NOTE_MAX = 1_000_000;
const DRAFT_TITLE = /^\s*(?:\[draft\]|\(draft\)|draft:|draft\s-\s|draft$)/i;

export function isDraftTitle(title: string): boolean {
  return DRAFT_TITLE.test(title);
}

export class MergeRequestStore {
  private readonly records: MergeRequestRecord[] = [];
  private nextIid = 1;

  constructor(
    readonly project: ProjectContext,
    private readonly clock: StoreClock,
  ) {}

  all(): readonly MergeRequestRecord[] {
    return this.records;
  }

  get(iid: number): MergeRequestRecord {
    const record = this.records.find((r) => r.iid === iid);
    if (record === undefined) throw notFound();
    return record;
  }

  async create(input: NewMergeRequest, authorId: number): Promise<MergeRequestRecord> {
    if (input.sourceBranch === input.targetBranch)
      throw unprocessable(["You can't use same project/branch for source and target"], 422);
    if (input.description.length > DESCRIPTION_MAX)
      throw unprocessable({ description: [`is too long (maximum is ${DESCRIPTION_MAX} characters)`] });
    const heads = await this.project.repository.heads();
    const sha = heads.get(input.sourceBranch);
    if (sha === undefined) throw unprocessable({ source_branch: ['does not exist'] });
    if (!heads.has(input.targetBranch)) throw unprocessable({ target_branch: ['does not exist'] });
    const open = this.records.find(
      (r) =>
        r.state === 'opened' &&
        r.sourceBranch === input.sourceBranch &&
        r.targetBranch === input.targetBranch,
    );
    if (open)
      throw conflict([`Another open merge request already exists for this source branch: !${open.iid}`]);
    const now = this.clock.now();
    const record: MergeRequestRecord = {
      id: this.clock.nextId(),
      iid: this.nextIid++,
      sourceBranch: input.sourceBranch,
      targetBranch: input.targetBranch,
      authorId,
      createdAt: now,
      updatedAt: now,
      title: input.title,
      description: input.description,
      state: 'opened',
      labels: unique(input.labels),
      reviewerIds: unique(input.reviewerIds),
      squash: input.squash,
      forceRemoveSourceBranch: input.removeSourceBranch,
      sha,
      notes: [],
    };
    this.records.push(record);
    return record;
  }

  list(filter: ListFilter): MergeRequestRecord[] {
    const direction = filter.sort === 'asc' ? 1 : -1;
    const key = (r: MergeRequestRecord): number =>
      (filter.orderBy === 'updated_at' ? r.updatedAt : r.createdAt).getTime();
    return this.records
      .filter(
        (r) =>
          (filter.state === undefined || filter.state === 'all' || r.state === filter.state) &&
          (filter.sourceBranch === undefined || r.sourceBranch === filter.sourceBranch) &&
          (filter.targetBranch === undefined || r.targetBranch === filter.targetBranch),
      )
      .sort((a, b) => direction * (key(a) - key(b) || a.id - b.id));
  }

  /** Refreshes `sha` of open merge requests from the branch heads (one git call). */
  async refreshShas(records: readonly MergeRequestRecord[]): Promise<void> {
    if (!records.some((r) => r.state === 'opened')) return;
    const heads = await this.project.repository.heads();
    for (const record of records) {
      const head = heads.get(record.sourceBranch);
      if (record.state !== 'opened' || head === undefined || head === record.sha) continue;
      record.sha = head;
      // As GitLab's refresh after a push: auto-merge set for another commit is aborted.
      if (record.autoMerge !== undefined && record.autoMerge.sha !== head) {
        record.autoMerge = undefined;
        record.autoMergeById = undefined;
        const now = this.clock.now();
        record.notes.push({
          id: this.clock.nextNoteId(),
          body: 'aborted the automatic merge because source branch was updated',
          authorId: record.authorId,
          system: true,
          createdAt: now,
        });
      }
    }
  }

  update(record: MergeRequestRecord, changes: MergeRequestChanges, by: number): void {
    if (changes.description !== undefined && changes.description.length > DESCRIPTION_MAX)
      throw unprocessable({ description: [`is too long (maximum is ${DESCRIPTION_MAX} characters)`] });
    if (changes.title !== undefined) record.title = changes.title;
    if (changes.description !== undefined) record.description = changes.description;
    if (changes.labels !== undefined) record.labels = unique(changes.labels);
    if (changes.reviewerIds !== undefined) record.reviewerIds = unique(changes.reviewerIds);
    if (changes.stateEvent === 'close' && record.state === 'opened') {
      record.state = 'closed';
      record.closedAt = this.clock.now();
      record.closedById = by;
      record.autoMerge = undefined;
      record.autoMergeById = undefined;
    }
    if (changes.stateEvent === 'reopen' && record.state === 'closed') {
      record.state = 'opened';
      record.closedAt = undefined;
      record.closedById = undefined;
    }
    record.updatedAt = this.clock.now();
  }

  addNote(record: MergeRequestRecord, body: string, by: number): NoteRecord {
    if (body.length > NOTE_MAX)
      throw unprocessable({ note: [`is too long (maximum is ${NOTE_MAX} characters)`] });
    const note = { id: this.clock.nextNoteId(), body, authorId: by, createdAt: this.clock.now() };
    record.notes.push(note);
    record.updatedAt = note.createdAt;
    return note;
  }

  /**
   * Marks it to merge once its pipeline succeeds; setting it again keeps the first parameters.
   * A later push to the source branch aborts it (see refreshShas).
   */
  async enableAutoMerge(record: MergeRequestRecord, params: MergeParams, by: number): Promise<void> {
    if (record.state !== 'opened') throw methodNotAllowed();
    await this.refreshShas([record]);
    if (params.sha !== undefined && params.sha !== record.sha)
      throw conflict(`SHA does not match HEAD of source branch: ${record.sha}`);
    if (record.autoMerge !== undefined) return;
    record.autoMerge = params;
    record.autoMergeById = by;
    record.updatedAt = this.clock.now();
  }

  /** Open merge requests set to auto-merge that nothing else blocks (drafts wait). */
  mergeableAutoMerges(): MergeRequestRecord[] {
    return this.records.filter(
      (r) => r.state === 'opened' && r.autoMerge !== undefined && !isDraftTitle(r.title),
    );
  }

  /** Merges it now, as the API's merge or a person's button; the target's new commit. */
  merge(record: MergeRequestRecord, params: MergeParams, by: number): Promise<string> {
    return this.project.repository.serially(async () => {
      if (record.state !== 'opened' || isDraftTitle(record.title)) throw methodNotAllowed();
      const { remote } = this.project.repository;
      const head = await remote.head(record.sourceBranch);
      if (head === undefined) throw unprocessable('Branch cannot be merged', 422);
      if (params.sha !== undefined && params.sha !== head)
        throw conflict(`SHA does not match HEAD of source branch: ${head}`);
      const squash = params.squash ?? record.squash;
      const message = squash
        ? (params.squashCommitMessage ??
          renderCommitTemplate(this.project.squashCommitTemplate, await this.variables(record)))
        : (params.mergeCommitMessage ??
          renderCommitTemplate(this.project.mergeCommitTemplate, await this.variables(record)));
      let result: string;
      try {
        result = await remote.merge({
          head: record.sourceBranch,
          base: record.targetBranch,
          style: squash ? 'squash' : 'merge',
          message: `${message.trimEnd()}\n`,
        });
      } catch {
        throw unprocessable('Branch cannot be merged', 422);
      }
      const now = this.clock.now();
      record.sha = head;
      record.state = 'merged';
      record.mergedAt = now;
      record.mergedById = by;
      record.updatedAt = now;
      record.squash = squash;
      if (squash) record.squashCommitSha = result;
      else record.mergeCommitSha = result;
      if (params.shouldRemoveSourceBranch ?? record.forceRemoveSourceBranch)
        await remote.deleteBranch(record.sourceBranch);
      return result;
    });
  }

  private async variables(record: MergeRequestRecord): Promise<TemplateVariables> {
    const { remote } = this.project.repository;
    const commits = await remote.commitsBetween(record.targetBranch, record.sourceBranch);
    const messages: string[] = [];
    for (const sha of commits) messages.push(((await remote.message(sha)) ?? '').trimEnd());
    const multiline = messages.find((m) => m.includes('\n'));
    return {
      source_branch: record.sourceBranch,
      target_branch: record.targetBranch,
      title: record.title,
      description: record.description,
      issues: '',
      reference: `${this.project.path}!${record.iid}`,
      local_reference: `!${record.iid}`,
      url: `${this.project.webUrl}/-/merge_requests/${record.iid}`,
      source_project_id: String(this.project.id),
      first_commit: messages[0] ?? '',
      first_multiline_commit: multiline ?? record.title,
    };
  }
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}
