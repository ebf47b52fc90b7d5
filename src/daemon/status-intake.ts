/**
 * The statuses endpoint's work: a checked report (status-event.ts) is answered at once, then
 * recorded in Git in the repository that holds its commit (fetched once more when none does
 * yet) and the environments that read it are reconciled: the ones on that repository and
 * those promoting from them. Reports that arrive while a batch is being recorded wait and go
 * together, in one notes commit and one push per repository; at most MAX_WAITING wait, and
 * beyond that the sender is told to come back (503), since Flux and Argo CD send again.
 */
import type { Config } from '../config/schema.js';
import { repositoryNameOf } from '../config/repositories.js';
import { messageOf } from '../errors.js';
import type { StatusReport } from '../git/status-notes.js';
import type { Workspace } from '../git/workspace.js';
import { printable } from '../log/printable.js';
import type { IntakeDeps } from './event-intake.js';
import type { EventAnswer } from './http-server.js';
import { parseStatusEvent } from './status-event.js';

export const MAX_WAITING = 1_000;

/** The workspaces the reports are recorded in (the runtime's). */
export interface StatusWorkspaces {
  readonly names: readonly string[];
  get(name: string): Promise<Workspace>;
}

export interface StatusIntakeDeps extends Pick<IntakeDeps, 'config' | 'queue' | 'metrics' | 'logger'> {
  readonly workspaces: () => StatusWorkspaces | undefined;
  readonly now: () => Date;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface StatusIntake {
  /** Answers at once; the recording and the reconciliation it starts happen afterwards. */
  take(body: string): EventAnswer;
  /** Resolves when every report taken so far is recorded (or dropped). */
  settled(): Promise<void>;
}

/** A batch that failed is tried again this often, after RETRY_MS, then dropped (and logged). */
const ATTEMPTS = 3;
const RETRY_MS = 2_000;
/** Commits looked up and recorded per round: each costs a lookup per repository at worst. */
const BATCH_COMMITS = 50;

interface Waiting extends StatusReport {
  attempts: number;
}

export function createStatusIntake(deps: StatusIntakeDeps): StatusIntake {
  const waiting: Waiting[] = [];
  let worker: Promise<void> | undefined;
  const log = deps.logger.child({ component: 'statuses' });
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));

  /** Records one batch: each report in every repository that holds its commit. */
  const record = async (batch: readonly Waiting[]): Promise<Waiting[]> => {
    const workspaces = deps.workspaces();
    if (workspaces === undefined) return [];
    const shas = [...new Set(batch.map((report) => report.sha))];
    const holders = async (): Promise<Map<string, string[]>> => {
      // A commit lives in one repository: the first that holds it records it.
      const held = new Map<string, string[]>();
      for (const sha of shas) {
        for (const name of workspaces.names) {
          if (!(await (await workspaces.get(name)).hasCommit(sha))) continue;
          held.set(sha, [name]);
          break;
        }
      }
      return held;
    };
    let held = await holders();
    if (shas.some((sha) => !held.has(sha))) {
      // A report may be about a commit pushed since the last fetch.
      for (const name of workspaces.names) await (await workspaces.get(name)).fetch();
      held = await holders();
    }
    for (const sha of shas) {
      if (held.has(sha)) continue;
      deps.metrics.eventIgnored('status', 'unknown-commit');
      log.warn({ commit: sha }, 'status for a commit no repository holds, dropped');
    }
    const failed: Waiting[] = [];
    const recordedIn: string[] = [];
    for (const name of workspaces.names) {
      const reports = batch.filter((report) => held.get(report.sha)?.includes(name));
      if (reports.length === 0) continue;
      try {
        const changed = await (await workspaces.get(name)).recordStatuses(reports);
        if (changed.size > 0) recordedIn.push(name);
        log.info(
          { repository: name, reports: reports.length, commits: changed.size },
          'statuses recorded in Git',
        );
      } catch (error) {
        failed.push(...reports);
        log.error(
          { repository: name, reports: reports.length, error: printable(messageOf(error), 300) },
          'statuses could not be recorded in Git',
        );
      }
    }
    if (recordedIn.length > 0)
      void deps.queue.submit({ trigger: 'event', environments: readers(deps.config(), recordedIn) });
    return failed;
  };

  const drain = async (): Promise<void> => {
    while (waiting.length > 0) {
      const batch = nextBatch(waiting);
      const failed = await record(batch).catch((error: unknown) => {
        log.error({ error: printable(messageOf(error), 300) }, 'statuses could not be recorded in Git');
        return batch;
      });
      const again = failed.filter((report) => (report.attempts += 1) < ATTEMPTS);
      const dropped = failed.length - again.length;
      if (dropped > 0) {
        deps.metrics.eventFailed('status', 'record-failed');
        log.error({ reports: dropped }, 'statuses dropped after repeated failures to record them');
      }
      if (again.length > 0) {
        await sleep(RETRY_MS);
        waiting.unshift(...again);
      }
    }
  };

  return {
    take(body) {
      deps.metrics.eventReceived('status');
      const event = parseStatusEvent(body, deps.now());
      if (event.kind === 'malformed') {
        deps.metrics.eventFailed('status', 'malformed');
        log.warn({ reason: event.detail }, 'malformed status dropped');
        return { status: 400, body: { error: event.detail } };
      }
      if (event.kind === 'ignored') {
        deps.metrics.eventIgnored('status', 'no-commit');
        log.debug({ reason: event.reason }, 'status ignored');
        return { status: 202, body: { status: 'ignored', reason: event.reason } };
      }
      if (waiting.length >= MAX_WAITING) {
        deps.metrics.eventFailed('status', 'busy');
        return { status: 503, body: { error: 'too many statuses waiting; send it again later' } };
      }
      const { sha, check } = event;
      waiting.push({ sha, check, attempts: 0 });
      worker ??= drain().finally(() => {
        worker = undefined;
      });
      return {
        status: 202,
        body: { status: 'accepted', commit: sha, context: check.context, state: check.state },
      };
    },
    settled: async () => {
      while (worker !== undefined) await worker;
    },
  };
}
/** Takes the first reports about at most BATCH_COMMITS commits out of `waiting`. */
function nextBatch(waiting: Waiting[]): Waiting[] {
  const commits = new Set<string>();
  const batch: Waiting[] = [];
  const rest: Waiting[] = [];
  for (const report of waiting) {
    if (commits.has(report.sha) || commits.size < BATCH_COMMITS) {
      commits.add(report.sha);
      batch.push(report);
    } else rest.push(report);
  }
  waiting.splice(0, waiting.length, ...rest);
  return batch;
}

/** The environments on these repositories, and those promoting from one of them. */
function readers(config: Config, repositories: readonly string[]): string[] {
  const direct = Object.entries(config.environments)
    .filter(([, environment]) => repositories.includes(repositoryNameOf(environment)))
    .map(([name]) => name);
  const promoting = Object.entries(config.environments)
    .filter(
      ([name, environment]) =>
        !direct.includes(name) &&
        Object.values(environment.policies).some(
          (policy) => policy.promote !== undefined && direct.includes(policy.promote.from),
        ),
    )
    .map(([name]) => name);
  return [...direct, ...promoting];
}
