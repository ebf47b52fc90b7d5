/**
 * One project's commit statuses and pipelines, in memory, with GitLab's rules. A status posted
 * through the API (`POST /projects/:id/statuses/:sha`, as Flux's `gitlab` provider and Argo
 * CD's notifications do) is a job of the commit's `external` pipeline on its ref: posted again
 * under the same name while it is unfinished, it changes state in place; once finished, a new
 * job takes its place, so the list keeps the history and `all=false` answers the latest of each
 * name. CI pipelines are a test's doing (`runPipeline`), as a push would start them.
 */
import { invalidParameters } from './answers.js';

export const STATUS_STATES = ['pending', 'running', 'success', 'failed', 'canceled', 'skipped'] as const;
export type StatusState = (typeof STATUS_STATES)[number];

export const PIPELINE_STATES = [
  'created',
  'waiting_for_resource',
  'preparing',
  'pending',
  'running',
  'success',
  'failed',
  'canceled',
  'skipped',
  'manual',
  'scheduled',
] as const;
export type PipelineState = (typeof PIPELINE_STATES)[number];

const FINISHED: readonly string[] = ['success', 'failed', 'canceled', 'skipped'];

export interface CommitStatusRecord {
  readonly id: number;
  readonly sha: string;
  readonly ref: string;
  readonly name: string;
  readonly authorId: number;
  readonly createdAt: Date;
  readonly pipelineId: number;
  status: StatusState;
  targetUrl: string | undefined;
  description: string | undefined;
  startedAt: Date | undefined;
  finishedAt: Date | undefined;
}

export interface PipelineRecord {
  readonly id: number;
  readonly iid: number;
  readonly sha: string;
  readonly ref: string;
  readonly source: string;
  readonly name: string | undefined;
  readonly createdAt: Date;
  status: PipelineState;
  updatedAt: Date;
}

export interface NewStatus {
  readonly sha: string;
  readonly ref: string;
  readonly name: string;
  readonly state: StatusState;
  readonly targetUrl?: string;
  readonly description?: string;
}

export interface NewPipeline {
  readonly sha: string;
  readonly ref: string;
  readonly status: PipelineState;
  /** Default `push`. */
  readonly source?: string;
  /** `workflow:name` of the pipeline, when it has one. */
  readonly name?: string;
}

export interface StatusClock {
  now(): Date;
  /** Ids shared by every project, as GitLab's are. */
  nextStatusId(): number;
  nextPipelineId(): number;
}

export class CommitStatusStore {
  private readonly statuses: CommitStatusRecord[] = [];
  private readonly pipelines: PipelineRecord[] = [];

  constructor(private readonly clock: StatusClock) {}

  /** Creates the status, or moves the unfinished one of the same name, ref and commit. */
  post(status: NewStatus, authorId: number): CommitStatusRecord {
    const now = this.clock.now();
    const open = this.statuses.find(
      (s) =>
        s.sha === status.sha &&
        s.ref === status.ref &&
        s.name === status.name &&
        !FINISHED.includes(s.status),
    );
    if (open !== undefined && open.status === status.state)
      throw invalidParameters(`Cannot transition status via :${status.state} from :${open.status}`);
    const record: CommitStatusRecord = open ?? {
      id: this.clock.nextStatusId(),
      sha: status.sha,
      ref: status.ref,
      name: status.name,
      authorId,
      createdAt: now,
      pipelineId: this.externalPipeline(status.sha, status.ref).id,
      status: status.state,
      targetUrl: undefined,
      description: undefined,
      startedAt: undefined,
      finishedAt: undefined,
    };
    record.status = status.state;
    if (status.targetUrl !== undefined) record.targetUrl = status.targetUrl;
    if (status.description !== undefined) record.description = status.description;
    if (status.state === 'running') record.startedAt ??= now;
    if (FINISHED.includes(status.state)) record.finishedAt = now;
    if (open === undefined) this.statuses.push(record);
    this.settle(record.pipelineId, now);
    return record;
  }

  /** Newest first; only the latest of each name unless `all`. */
  list(sha: string, filter: { ref?: string; name?: string; all: boolean }): CommitStatusRecord[] {
    const matching = this.statuses
      .filter(
        (s) =>
          s.sha === sha &&
          (filter.ref === undefined || s.ref === filter.ref) &&
          (filter.name === undefined || s.name === filter.name),
      )
      .sort((a, b) => b.id - a.id);
    if (filter.all) return matching;
    const seen = new Set<string>();
    return matching.filter((s) => !seen.has(s.name) && seen.add(s.name) !== undefined);
  }

  runPipeline(pipeline: NewPipeline): PipelineRecord {
    const now = this.clock.now();
    const record: PipelineRecord = {
      id: this.clock.nextPipelineId(),
      iid: this.pipelines.length + 1,
      sha: pipeline.sha,
      ref: pipeline.ref,
      source: pipeline.source ?? 'push',
      name: pipeline.name,
      createdAt: now,
      status: pipeline.status,
      updatedAt: now,
    };
    this.pipelines.push(record);
    return record;
  }

  /** A pipeline's new state (a CI job finishing, a person pressing Cancel). */
  setPipeline(id: number, status: PipelineState): void {
    const record = this.pipelines.find((p) => p.id === id);
    if (record === undefined) throw new Error(`no pipeline ${id}`);
    record.status = status;
    record.updatedAt = this.clock.now();
  }

  pipelinesOf(filter: { sha?: string; ref?: string; status?: string; source?: string }): PipelineRecord[] {
    return this.pipelines.filter(
      (p) =>
        (filter.sha === undefined || p.sha === filter.sha) &&
        (filter.ref === undefined || p.ref === filter.ref) &&
        (filter.status === undefined || p.status === filter.status) &&
        (filter.source === undefined || p.source === filter.source),
    );
  }

  private externalPipeline(sha: string, ref: string): PipelineRecord {
    return (
      this.pipelines.find((p) => p.sha === sha && p.ref === ref && p.source === 'external') ??
      this.runPipeline({ sha, ref, status: 'pending', source: 'external' })
    );
  }

  /** An external pipeline's state follows its jobs': failed over running over pending over success. */
  private settle(pipelineId: number, now: Date): void {
    const pipeline = this.pipelines.find((p) => p.id === pipelineId);
    if (pipeline === undefined) return;
    const latest = new Map<string, CommitStatusRecord>();
    for (const s of this.statuses)
      if (s.pipelineId === pipelineId && (latest.get(s.name)?.id ?? 0) < s.id) latest.set(s.name, s);
    const states = [...latest.values()].map((s) => s.status);
    pipeline.status = states.includes('failed')
      ? 'failed'
      : states.includes('running')
        ? 'running'
        : states.includes('pending')
          ? 'pending'
          : states.every((s) => s === 'canceled')
            ? 'canceled'
            : 'success';
    pipeline.updatedAt = now;
  }
}
