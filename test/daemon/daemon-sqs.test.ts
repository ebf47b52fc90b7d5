import {
  CreateQueueCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon } from '../../src/daemon/daemon.js';
import { Metrics } from '../../src/daemon/metrics.js';
import { silentLogger } from '../../src/log/logger.js';
import { startEmulator, type Emulator } from '../../src/testing/emulator/index.js';
import { FakeReconciler, RecordingSource, outcome, pushEvent, testConfig } from './fakes.js';

let emulator: Emulator;
let sqs: SQSClient;
let queueUrl: string;
let daemon: Daemon | undefined;

beforeEach(async () => {
  emulator = await startEmulator();
  sqs = new SQSClient({
    region: 'eu-west-1',
    endpoint: emulator.endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const created = await sqs.send(
    new CreateQueueCommand({ QueueName: 'drawbridge-ecr', Attributes: { VisibilityTimeout: '1' } }),
  );
  queueUrl = created.QueueUrl ?? '';
});

afterEach(async () => {
  await daemon?.stop('test over');
  daemon = undefined;
  sqs.destroy();
  await emulator.close();
});

async function start(reconciler: FakeReconciler) {
  const metrics = new Metrics({ processMetrics: false });
  const source = new RecordingSource();
  daemon = await startDaemon({
    config: testConfig({ events: { sqs: { queueUrl }, coalesce: '30ms' } }),
    reconciler,
    source,
    logger: silentLogger(),
    sqsClient: sqs,
    metrics,
    startupSweep: false,
  });
  return { daemon, metrics, source };
}

/** Messages still in the queue, visible or in flight. */
function remaining(): number {
  const counts = emulator.sqs.counts(emulator.sqs.queue('drawbridge-ecr'));
  return counts.visible + counts.inFlight + counts.delayed;
}

/** Polls a condition that other processes make true; fails after a generous limit. */
async function until(condition: () => boolean, what: string, limitMs = 10_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const send = (body: string) => sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));

describe('daemon with SQS', () => {
  it('reconciles a pushed repository, then deletes the message', async () => {
    const reconciler = new FakeReconciler();
    const { source } = await start(reconciler);
    await send(pushEvent('team/api', '3.1.0'));
    await reconciler.started(1);
    await until(() => remaining() === 0, 'the message to be deleted');
    expect(reconciler.calls).toEqual([{ environments: ['dev'], images: ['api'], trigger: 'event' }]);
    expect(source.invalidated).toEqual([['api']]);
  });

  it('deletes malformed and ignored messages without reconciling', async () => {
    const reconciler = new FakeReconciler();
    const { metrics } = await start(reconciler);
    await send('this is not json');
    await send(JSON.stringify({ hello: 'world' }));
    await send(pushEvent('team/web', '1.0.0').replace('"PUSH"', '"DELETE"'));
    await send(pushEvent('unknown/repo', '1.0.0'));
    await until(() => remaining() === 0, 'the messages to be deleted');
    expect(reconciler.calls).toHaveLength(0);
    const text = await metrics.text();
    expect(text).toContain('drawbridge_events_failed_total{source="sqs",reason="malformed"} 2');
    expect(text).toContain('drawbridge_events_ignored_total{source="sqs",reason="not-a-push"} 1');
    expect(text).toContain('drawbridge_events_ignored_total{source="sqs",reason="unknown-repository"} 1');
  });

  it('leaves a message whose reconciliation failed; it comes back and is deleted once it succeeds', async () => {
    const reconciler = new FakeReconciler();
    reconciler.script = (scope, call) =>
      call === 1
        ? {
            environments: (scope.environments ?? []).map((name) =>
              outcome(name, 'failed', { error: 'push rejected' }),
            ),
          }
        : undefined;
    const { metrics } = await start(reconciler);
    await send(pushEvent('team/worker', '9.0.0'));
    await reconciler.started(1);
    await daemon?.idle();
    expect(remaining()).toBe(1);
    // Visible again after the queue's 1 s visibility timeout.
    await reconciler.started(2);
    await until(() => remaining() === 0, 'the message to be deleted after the retry');
    expect(reconciler.calls).toHaveLength(2);
    expect(await metrics.text()).toContain(
      'drawbridge_events_failed_total{source="sqs",reason="reconcile"} 1',
    );
  });

  it('keeps a message in hand invisible while a reconciliation outlasts the visibility timeout', async () => {
    const reconciler = new FakeReconciler();
    const release = reconciler.hold();
    await start(reconciler);
    await send(pushEvent('team/api', '3.2.0'));
    await reconciler.started(1);
    // Three times the queue's 1 s timeout: without extending, the message would be handed out again.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const queue = emulator.sqs.queue('drawbridge-ecr');
    expect(emulator.sqs.counts(queue)).toMatchObject({ visible: 0, inFlight: 1 });
    expect(queue.messages[0]?.receiveCount).toBe(1);
    release();
    await until(() => remaining() === 0, 'the message to be deleted');
    expect(reconciler.calls).toHaveLength(1);
  });

  it('coalesces a burst of events into few reconciliations and deletes them all', async () => {
    for (let batch = 0; batch < 2; batch++) {
      const entries = Array.from({ length: 10 }, (_, i) => ({
        Id: `e${i}`,
        MessageBody: pushEvent(i % 2 === 0 ? 'team/web' : 'team/api', `1.${batch}.${i}`),
      }));
      await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
    }
    const reconciler = new FakeReconciler();
    await start(reconciler);
    await until(() => remaining() === 0, 'the burst to be deleted');
    // Two receives of 10: one call, or two when the second receive missed the window.
    expect(reconciler.calls.length).toBeLessThanOrEqual(2);
    expect(reconciler.calls[0]?.environments).toEqual(['dev', 'staging']);
    const images = new Set(reconciler.calls.flatMap((call) => call.images ?? []));
    expect([...images].sort()).toEqual(['api', 'web']);
    expect(reconciler.maxRunning).toBe(1);
  });

  it('on stop, finishes the reconciliation in flight, deletes its message and stops polling', async () => {
    const reconciler = new FakeReconciler();
    await start(reconciler);
    const release = reconciler.hold();
    await send(pushEvent('team/web', '5.0.0'));
    await reconciler.started(1);
    let stopped = false;
    const stopping = daemon?.stop('SIGTERM').then(() => {
      stopped = true;
    });
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 0));
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(remaining()).toBe(0);
    const receives = emulator.server.calls('ReceiveMessage');
    await send(pushEvent('team/web', '5.0.1'));
    expect(emulator.server.calls('ReceiveMessage')).toBe(receives);
    expect(reconciler.calls).toHaveLength(1);
    daemon = undefined;
  });
});
