/**
 * Turns triggers into reconcile calls. Work is kept per environment: at most one pending scope
 * each (later requests merge into it), never two reconciliations of one environment at once,
 * and a request arriving while its environment runs makes exactly one more run afterwards.
 * An event starts work at once when none started within the coalescing window; later ones
 * wait for the window's end, so a burst becomes one or two calls. Sweeps go at once.
 */
import { performance } from 'node:perf_hooks';
import type { ReconcileResult, ReconcileScope, Trigger } from '../reconcile.js';
import { messageOf } from '../errors.js';

export interface WorkRequest {
  /** Environment names; every configured one when omitted. */
  readonly environments?: readonly string[];
  /** Image keys; all when omitted. */
  readonly images?: readonly string[];
  readonly trigger: Trigger;
}

export interface WorkOutcome {
  /** Every environment of the request was reconciled without failure. */
  readonly ok: boolean;
  readonly failures: readonly string[];
}

export interface WorkQueueOptions {
  readonly run: (scope: ReconcileScope) => Promise<ReconcileResult>;
  /** The environments configured now (changes on reload). */
  readonly environments: () => readonly string[];
  readonly coalesceMs: number;
  /** Reconcile calls at once (on disjoint environments); 1 shares one Git workspace safely. */
  readonly maxConcurrent?: number;
}

interface Ticket {
  readonly remaining: Set<string>;
  readonly failures: string[];
  readonly resolve: (outcome: WorkOutcome) => void;
}

interface Pending {
  images: Set<string> | 'all';
  trigger: Trigger;
  tickets: Ticket[];
}

const TRIGGER_RANK: Record<Trigger, number> = { event: 0, manual: 1, schedule: 2, retry: 3, startup: 4 };

export class WorkQueue {
  private readonly pending = new Map<string, Pending>();
  private readonly running = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private lastEventDispatch = Number.NEGATIVE_INFINITY;
  private paused = false;
  private closed = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly options: WorkQueueOptions) {}

  submit(request: WorkRequest): Promise<WorkOutcome> {
    const environments = request.environments ?? this.options.environments();
    return new Promise((resolve) => {
      if (this.closed) {
        resolve({ ok: false, failures: ['shutting down'] });
        return;
      }
      if (environments.length === 0) {
        resolve({ ok: true, failures: [] });
        return;
      }
      const ticket: Ticket = { remaining: new Set(environments), failures: [], resolve };
      for (const name of environments) this.addPending(name, request, ticket);
      if (request.trigger === 'event') this.dispatchLater();
      else this.dispatchNow();
    });
  }

  /** Environments with work queued or running. */
  get busy(): boolean {
    return this.pending.size > 0 || this.running.size > 0;
  }

  /** Resolves once nothing is queued or running (for tests and reloads). */
  idle(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops starting new runs and waits for the running ones (reload swaps pieces then). */
  async pause(): Promise<void> {
    this.paused = true;
    await Promise.all([...this.inFlight]);
  }

  resume(): void {
    this.paused = false;
    this.dispatchNow();
  }

  /**
   * Takes no more work: queued requests are given up (their SQS messages return to the
   * queue), the running ones get `graceMs` to finish. Resolves true when they did.
   */
  async close(graceMs: number): Promise<boolean> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const [name, entry] of this.pending) {
      for (const ticket of entry.tickets) this.settle(ticket, name, 'shutting down');
    }
    this.pending.clear();
    this.notifyIdle();
    let timeout: NodeJS.Timeout | undefined;
    const finished = await Promise.race([
      Promise.all([...this.inFlight]).then(() => true),
      new Promise<boolean>((resolve) => {
        timeout = setTimeout(() => resolve(false), graceMs);
      }),
    ]);
    clearTimeout(timeout);
    return finished;
  }

  private addPending(name: string, request: WorkRequest, ticket: Ticket): void {
    const existing = this.pending.get(name);
    const images = request.images ? new Set(request.images) : 'all';
    if (!existing) {
      this.pending.set(name, { images, trigger: request.trigger, tickets: [ticket] });
      return;
    }
    if (existing.images !== 'all') {
      if (images === 'all') existing.images = 'all';
      else for (const key of images) existing.images.add(key);
    }
    if (TRIGGER_RANK[request.trigger] > TRIGGER_RANK[existing.trigger]) existing.trigger = request.trigger;
    existing.tickets.push(ticket);
  }

  private dispatchLater(): void {
    if (this.timer || this.closed) return;
    const since = performance.now() - this.lastEventDispatch;
    if (since >= this.options.coalesceMs) {
      this.lastEventDispatch = performance.now();
      this.dispatchNow();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.lastEventDispatch = performance.now();
      this.dispatch();
    }, this.options.coalesceMs - since);
  }

  private dispatchNow(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    queueMicrotask(() => this.dispatch());
  }

  private dispatch(): void {
    if (this.paused || this.closed) return;
    const known = new Set(this.options.environments());
    const limit = this.options.maxConcurrent ?? 1;
    const groups = new Map<string, { names: string[]; images: Set<string> | 'all'; trigger: Trigger }>();
    for (const [name, entry] of this.pending) {
      if (this.running.has(name)) continue;
      if (!known.has(name)) {
        // Removed by a reload: nothing left to do for it.
        this.pending.delete(name);
        for (const ticket of entry.tickets) this.settle(ticket, name);
        continue;
      }
      // One call at a time: merge everything into it (the reconciler intersects the images with
      // each environment's policies, so the union costs little). Otherwise group by image set.
      const key = limit === 1 || entry.images === 'all' ? '*' : [...entry.images].sort().join('\n');
      const group = groups.get(key) ?? { names: [], images: new Set<string>(), trigger: entry.trigger };
      group.names.push(name);
      if (entry.images === 'all') group.images = 'all';
      else if (group.images !== 'all') for (const image of entry.images) group.images.add(image);
      if (TRIGGER_RANK[entry.trigger] > TRIGGER_RANK[group.trigger]) group.trigger = entry.trigger;
      groups.set(key, group);
    }
    for (const group of groups.values()) {
      if (this.inFlight.size >= limit) break;
      const taken = new Map<string, Ticket[]>();
      for (const name of group.names) {
        taken.set(name, this.pending.get(name)?.tickets ?? []);
        this.pending.delete(name);
        this.running.add(name);
      }
      const scope: ReconcileScope = {
        environments: group.names,
        ...(group.images === 'all' ? {} : { images: [...group.images] }),
        trigger: group.trigger,
      };
      const work = this.runGroup(scope, taken).finally(() => {
        this.inFlight.delete(work);
        for (const name of group.names) this.running.delete(name);
        if (this.pending.size > 0) this.dispatchNow();
        this.notifyIdle();
      });
      this.inFlight.add(work);
    }
    this.notifyIdle();
  }

  private async runGroup(scope: ReconcileScope, taken: Map<string, Ticket[]>): Promise<void> {
    let failures: Map<string, string>;
    try {
      failures = failedEnvironments(await this.options.run(scope), scope);
    } catch (error) {
      const reason = messageOf(error);
      failures = new Map([...taken.keys()].map((name) => [name, reason]));
    }
    for (const [name, tickets] of taken) {
      for (const ticket of tickets) this.settle(ticket, name, failures.get(name));
    }
  }

  private settle(ticket: Ticket, environment: string, failure?: string): void {
    if (!ticket.remaining.delete(environment)) return;
    if (failure !== undefined) ticket.failures.push(`${environment}: ${failure}`);
    if (ticket.remaining.size === 0)
      ticket.resolve({ ok: ticket.failures.length === 0, failures: ticket.failures });
  }

  private notifyIdle(): void {
    if (this.busy || this.timer) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

/** Environments of the scope that did not get through: their own failure, or an unreadable repository. */
function failedEnvironments(result: ReconcileResult, scope: ReconcileScope): Map<string, string> {
  const failures = new Map<string, string>();
  for (const outcome of result.environments) {
    if (outcome.status === 'failed') failures.set(outcome.environment, outcome.error ?? 'failed');
  }
  const registry = result.registryFailures.filter((f) => !scope.images || scope.images.includes(f.image));
  if (registry.length > 0) {
    const reason = registry.map((f) => `${f.image}: ${f.code}`).join(', ');
    for (const name of scope.environments ?? []) if (!failures.has(name)) failures.set(name, reason);
  }
  return failures;
}
