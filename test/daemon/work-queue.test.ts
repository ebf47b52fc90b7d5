import { describe, expect, it } from 'vitest';
import { WorkQueue } from '../../src/daemon/work-queue.js';
import { FakeReconciler, outcome } from './fakes.js';

const ENVIRONMENTS = ['dev', 'staging', 'prod'];

function setup(coalesceMs = 20): { queue: WorkQueue; reconciler: FakeReconciler } {
  const reconciler = new FakeReconciler();
  const queue = new WorkQueue({
    run: (scope) => reconciler.reconcile(scope),
    environments: () => ENVIRONMENTS,
    coalesceMs,
  });
  return { queue, reconciler };
}

describe('WorkQueue', () => {
  it('merges events arriving within the window into one call', async () => {
    const { queue, reconciler } = setup();
    const outcomes = Promise.all([
      queue.submit({ trigger: 'event', environments: ['dev'], images: ['web'] }),
      queue.submit({ trigger: 'event', environments: ['dev'], images: ['api'] }),
      queue.submit({ trigger: 'event', environments: ['dev'], images: ['web'] }),
    ]);
    expect((await outcomes).every((o) => o.ok)).toBe(true);
    expect(reconciler.calls).toHaveLength(1);
    expect(reconciler.calls[0]).toMatchObject({ environments: ['dev'], trigger: 'event' });
    expect([...(reconciler.calls[0]?.images ?? [])].sort()).toEqual(['api', 'web']);
  });

  it('starts a lone event at once; events within the window wait and merge', async () => {
    const { queue, reconciler } = setup(60_000);
    const release = reconciler.hold();
    const first = queue.submit({ trigger: 'event', environments: ['dev'], images: ['web'] });
    await reconciler.started(1);
    const later = [
      queue.submit({ trigger: 'event', environments: ['staging'], images: ['web'] }),
      queue.submit({ trigger: 'event', environments: ['dev'], images: ['api'] }),
    ];
    release();
    await Promise.all([first, ...later]);
    expect(reconciler.calls).toHaveLength(2);
    expect(reconciler.calls[1]?.environments).toEqual(['staging', 'dev']);
  });

  it('runs a change arriving during a reconciliation exactly once more afterwards', async () => {
    const { queue, reconciler } = setup(0);
    const release = reconciler.hold();
    const first = queue.submit({ trigger: 'event', environments: ['dev'], images: ['web'] });
    await reconciler.started(1);
    const during = [1, 2, 3, 4].map(() =>
      queue.submit({ trigger: 'event', environments: ['dev'], images: ['web'] }),
    );
    release();
    await Promise.all([first, ...during]);
    await queue.idle();
    expect(reconciler.calls).toHaveLength(2);
    expect(reconciler.maxRunning).toBe(1);
  });

  it('never reconciles one environment twice at once, even with concurrency allowed', async () => {
    const reconciler = new FakeReconciler();
    const queue = new WorkQueue({
      run: (scope) => reconciler.reconcile(scope),
      environments: () => ENVIRONMENTS,
      coalesceMs: 0,
      maxConcurrent: 4,
    });
    const release = reconciler.hold();
    const sweep = queue.submit({ trigger: 'schedule' });
    await reconciler.started(1);
    const event = queue.submit({ trigger: 'event', environments: ['dev'], images: ['web'] });
    // Let the event's dispatch timer fire while the sweep still holds dev.
    for (let i = 0; i < 3; i++) await new Promise((resolve) => setTimeout(resolve, 0));
    expect(reconciler.calls).toHaveLength(1);
    release();
    await Promise.all([sweep, event]);
    expect(reconciler.maxRunning).toBe(1);
    expect(reconciler.calls.map((c) => c.environments)).toEqual([ENVIRONMENTS, ['dev']]);
  });

  it('a sweep covers every environment with every image at once', async () => {
    const { queue, reconciler } = setup(10_000);
    await queue.submit({ trigger: 'startup' });
    expect(reconciler.calls).toEqual([{ environments: ENVIRONMENTS, trigger: 'startup' }]);
  });

  it('reports a failure only for the tickets of the environment that failed', async () => {
    const { queue, reconciler } = setup();
    reconciler.script = (scope) => ({
      environments: (scope.environments ?? []).map((name) =>
        outcome(name, name === 'staging' ? 'failed' : 'unchanged', { error: 'push rejected' }),
      ),
    });
    const [dev, both] = await Promise.all([
      queue.submit({ trigger: 'event', environments: ['dev'], images: ['web'] }),
      queue.submit({ trigger: 'event', environments: ['dev', 'staging'], images: ['web'] }),
    ]);
    expect(dev.ok).toBe(true);
    expect(both).toEqual({ ok: false, failures: ['staging: push rejected'] });
  });

  it('fails the tickets of a repository that could not be read, and of a call that threw', async () => {
    const { queue, reconciler } = setup();
    reconciler.script = (_scope, call) =>
      call === 1
        ? {
            registryFailures: [
              { image: 'web', repository: 'r', code: 'ThrottlingException', message: 'slow down' },
            ],
          }
        : 'throw';
    const unreadable = await queue.submit({ trigger: 'event', environments: ['dev'], images: ['web'] });
    expect(unreadable).toEqual({ ok: false, failures: ['dev: web: ThrottlingException'] });
    const threw = await queue.submit({ trigger: 'event', environments: ['dev'], images: ['web'] });
    expect(threw).toEqual({ ok: false, failures: ['dev: scripted failure'] });
  });

  it('on close, gives up queued work and waits for the running call', async () => {
    const { queue, reconciler } = setup(0);
    const release = reconciler.hold();
    const running = queue.submit({ trigger: 'event', environments: ['dev'], images: ['web'] });
    await reconciler.started(1);
    const queued = queue.submit({ trigger: 'event', environments: ['dev'], images: ['api'] });
    const closing = queue.close(5_000);
    expect(await queued).toEqual({ ok: false, failures: ['dev: shutting down'] });
    release();
    expect(await closing).toBe(true);
    expect((await running).ok).toBe(true);
    expect(await queue.submit({ trigger: 'event', environments: ['dev'] })).toMatchObject({ ok: false });
    expect(reconciler.calls).toHaveLength(1);
  });

  it('on close, stops waiting after the grace period', async () => {
    const { queue, reconciler } = setup(0);
    const release = reconciler.hold();
    void queue.submit({ trigger: 'event', environments: ['dev'], images: ['web'] });
    await reconciler.started(1);
    expect(await queue.close(10)).toBe(false);
    release();
  });
});
