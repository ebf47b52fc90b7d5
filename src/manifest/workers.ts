/**
 * Worker threads for large scans and applies. Parsing YAML is the costly part of planning and
 * it is single-threaded; on the main thread it can only run in slices between other work. So
 * big jobs are cut into batches of files that idle workers take in turn: they read, parse and
 * plan (or splice, verify and write) with the same blocking code the main thread uses and post
 * the results back. Workers start on first use, are unref'd while idle, so an idle pool never
 * keeps the process alive, and end after a while without work, giving their memory back.
 *
 * The work is pure given the files, so nothing is lost when a worker fails: its batch is done
 * on the main thread instead, and after a few failures the pool stops using workers (with one
 * warning) rather than failing scans.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../log/logger.js';
import { applyToFile, type FileApplyOutcome } from './apply-plan.js';
import type { ManifestFile } from './list-files.js';
import { SCAN_BATCH, scanFile, type FileOutcome } from './scan.js';
import type { DesiredImage, PlannedEdit } from './types.js';
import type { WorkerReply, WorkerRequest } from './worker-entry.js';

export interface ScanJob {
  readonly desired: ReadonlyMap<string, DesiredImage>;
  readonly knownImages: ReadonlySet<string>;
  readonly maxBytes: number;
}

export interface ApplyItem {
  readonly file: string;
  readonly edits: readonly PlannedEdit[];
  readonly fingerprint?: string | undefined;
}

export interface ManifestWorkers {
  /** Each file's outcome, in the order given. */
  scan(files: readonly ManifestFile[], job: ScanJob): Promise<FileOutcome[]>;
  /** Each file's outcome, in the order given; `root` is the real repository root. */
  apply(root: string, items: readonly ApplyItem[]): Promise<FileApplyOutcome[]>;
  /** Worker threads alive now. */
  running(): number;
  close(): Promise<void>;
}

export interface ManifestWorkersOptions {
  /** Threads; default the number of cores, at most 4. */
  readonly threads?: number;
  readonly logger?: Logger;
  /** An idle worker ends after this long, giving its memory back; default 30 s. */
  readonly idleMs?: number;
  /** The worker's module; default worker-entry beside this one (tests give a failing one). */
  readonly entry?: URL;
}

/** Files per apply message (scan batches: SCAN_BATCH in scan.ts). */
const APPLY_BATCH = 16;
/** Worker failures after which everything runs on the main thread. */
const MAX_FAILURES = 3;

interface Pending {
  readonly request: WorkerRequest;
  readonly local: () => unknown[];
  readonly done: (results: unknown[]) => void;
}

interface Slot {
  readonly worker: Worker;
  job?: Pending;
  /** Ends the worker after it has been idle a while (a daemon sweeps every few minutes). */
  idleTimer?: NodeJS.Timeout;
}

export function defaultThreadCount(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

export function createManifestWorkers(options: ManifestWorkersOptions = {}): ManifestWorkers {
  const size = Math.max(1, options.threads ?? defaultThreadCount());
  const queue: Pending[] = [];
  const slots: Slot[] = [];
  let nextId = 1;
  let failures = 0;
  let closed = false;

  const runHere = (job: Pending): void => job.done(job.local());

  const idleMs = options.idleMs ?? 30_000;

  /** Takes a slot out of the pool; false when it was out already. */
  const remove = (slot: Slot): boolean => {
    const index = slots.indexOf(slot);
    if (index < 0) return false;
    slots.splice(index, 1);
    clearTimeout(slot.idleTimer);
    return true;
  };

  const retire = (slot: Slot, reason: string): void => {
    if (!remove(slot) || closed) return;
    failures += 1;
    if (failures === MAX_FAILURES) {
      options.logger?.warn({ reason }, 'manifest worker threads keep failing; working on the main thread');
    }
    void slot.worker.terminate();
    const job = slot.job;
    slot.job = undefined;
    if (job) runHere(job);
    pump();
  };

  const spawn = (): Slot => {
    const { source, evaluate } = options.entry ? { source: options.entry, evaluate: false } : workerSource();
    const worker = new Worker(source, { eval: evaluate });
    const slot: Slot = { worker };
    worker.on('message', (reply: WorkerReply) => {
      const job = slot.job;
      if (!job || job.request.id !== reply.id) return;
      slot.job = undefined;
      // An error here is a bug in the worker, not bad input (outcomes carry that): redo it here.
      if ('error' in reply) runHere(job);
      else job.done(reply.results);
      pump();
    });
    worker.on('error', (error) => retire(slot, error.message));
    worker.on('exit', (code) => retire(slot, `worker exited with code ${code}`));
    slots.push(slot);
    return slot;
  };

  function pump(): void {
    if (closed || failures >= MAX_FAILURES) {
      for (const job of queue.splice(0)) runHere(job);
      return;
    }
    while (queue.length > 0) {
      let slot = slots.find((s) => s.job === undefined);
      if (!slot && slots.length < size) slot = spawn();
      if (!slot) break;
      const job = queue.shift()!;
      slot.job = job;
      slot.worker.postMessage(job.request);
    }
    // Busy workers keep the process alive until they answer; idle ones do not, and end after
    // a while (a new job starts them again).
    for (const slot of slots) {
      if (slot.job) {
        slot.worker.ref();
        clearTimeout(slot.idleTimer);
        slot.idleTimer = undefined;
      } else {
        slot.worker.unref();
        slot.idleTimer ??= setTimeout(() => {
          if (slot.job || !remove(slot)) return;
          void slot.worker.terminate();
        }, idleMs).unref();
      }
    }
  }

  function run<T, R>(
    items: readonly T[],
    batchSize: number,
    request: (id: number, batch: readonly T[]) => WorkerRequest,
    local: (item: T) => R,
  ): Promise<R[]> {
    const batches: (readonly T[])[] = [];
    for (let i = 0; i < items.length; i += batchSize) batches.push(items.slice(i, i + batchSize));
    return Promise.all(
      batches.map(
        (batch) =>
          new Promise<R[]>((resolve) => {
            queue.push({
              request: request(nextId++, batch),
              local: () => batch.map(local),
              done: (results) => resolve(results as R[]),
            });
            pump();
          }),
      ),
    ).then((results) => results.flat());
  }

  return {
    scan: (files, job) => {
      const desired = [...job.desired];
      const knownImages = [...job.knownImages];
      return run(
        files,
        SCAN_BATCH,
        (id, batch) => ({ id, kind: 'scan', files: batch, desired, knownImages, maxBytes: job.maxBytes }),
        (file: ManifestFile) => scanFile(file, job.maxBytes, job.desired, job.knownImages),
      );
    },
    apply: (root, items) =>
      run(
        items,
        APPLY_BATCH,
        (id, batch) => ({ id, kind: 'apply', root, items: batch }),
        (item: ApplyItem) => applyToFile(root, item.file, item.edits, item.fingerprint),
      ),
    running: () => slots.length,
    close: async () => {
      closed = true;
      const busy = slots.splice(0);
      for (const slot of busy) {
        clearTimeout(slot.idleTimer);
        const job = slot.job;
        slot.job = undefined;
        if (job) runHere(job);
      }
      for (const job of queue.splice(0)) runHere(job);
      await Promise.all(busy.map((slot) => slot.worker.terminate()));
    },
  };
}

/**
 * How to start a worker: the built `worker-entry.js` beside this module, or, when this module
 * runs from TypeScript sources (tests, benchmarks), `worker-entry.ts` behind tsx's loader,
 * registered in the worker first (a worker does not inherit its parent's loader hooks).
 */
function workerSource(): { source: string | URL; evaluate: boolean } {
  if (!import.meta.url.endsWith('.ts'))
    return { source: new URL('./worker-entry.js', import.meta.url), evaluate: false };
  const entry = new URL('./worker-entry.ts', import.meta.url);
  let tsx = 'tsx/esm/api';
  try {
    tsx = import.meta.resolve(tsx);
  } catch {
    // Left bare: resolved from the working directory.
  }
  const code = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(entry.href)}); });`;
  return { source: code, evaluate: true };
}
