import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/logger.js';
import { batchEntries, createEventBridgeNotifier, entryBytes } from '../../src/notify/eventbridge.js';
import { noopNotifier } from '../../src/notify/none.js';
import { remoteWithoutCredentials } from '../../src/notify/remote.js';
import type { PushedUpdate } from '../../src/notify/types.js';
import { startEmulator, type Emulator } from '../../src/testing/emulator/index.js';

let emulator: Emulator;
let client: EventBridgeClient;

beforeAll(async () => {
  emulator = await startEmulator();
  client = new EventBridgeClient({
    region: 'eu-west-1',
    endpoint: emulator.endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
});
afterAll(async () => {
  client.destroy();
  await emulator.close();
});
beforeEach(() => {
  emulator.server.resetCalls();
  emulator.events.events.length = 0;
  emulator.faults.clear();
});

const update = (n: number, extra: Partial<PushedUpdate> = {}): PushedUpdate => ({
  environment: 'prod',
  image: `svc${n}`,
  repository: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/svc${n}`,
  old: '1.0.0',
  new: '1.0.1',
  digest: `sha256:${'a'.repeat(64)}`,
  commit: 'c'.repeat(40),
  branch: 'main',
  remote: 'https://x-access-token:ghp_secret123@github.com/acme/fleet.git',
  pushedAt: new Date('2026-03-04T05:06:07.000Z'),
  ...extra,
});

function notifier(eventBusName = 'default', source?: string) {
  const results: { ok: number; failed: number } = { ok: 0, failed: 0 };
  const instance = createEventBridgeNotifier({
    config: { eventBusName, ...(source ? { source } : {}) },
    client,
    region: 'eu-west-1',
    logger: silentLogger(),
    retryDelayMs: 0,
    onResult: (outcome, count) => {
      results[outcome] += count;
    },
  });
  return { instance, results };
}

describe('EventBridge notifier', () => {
  it('sends one Image Update Committed event per update, without credentials in the remote', async () => {
    const { instance, results } = notifier('deployments', 'acme.drawbridge');
    instance.notify([update(1)]);
    await instance.flush();
    expect(results).toEqual({ ok: 1, failed: 0 });
    const [stored] = emulator.events.events;
    expect(stored?.eventBusName).toBe('deployments');
    expect(stored?.envelope.source).toBe('acme.drawbridge');
    expect(stored?.envelope['detail-type']).toBe('Image Update Committed');
    expect(stored?.envelope.time).toBe('2026-03-04T05:06:07Z');
    expect(stored?.envelope.detail).toEqual({
      environment: 'prod',
      image: 'svc1',
      repository: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/svc1',
      old: '1.0.0',
      new: '1.0.1',
      digest: `sha256:${'a'.repeat(64)}`,
      commit: 'c'.repeat(40),
      branch: 'main',
      remote: 'https://github.com/acme/fleet.git',
      time: '2026-03-04T05:06:07.000Z',
    });
    expect(JSON.stringify(emulator.events.events)).not.toContain('ghp_secret123');
  });

  it('uses the default source and batches 10 entries per call', async () => {
    const { instance, results } = notifier();
    instance.notify(Array.from({ length: 23 }, (_, n) => update(n)));
    await instance.flush();
    expect(emulator.server.calls('PutEvents')).toBe(3);
    expect(results).toEqual({ ok: 23, failed: 0 });
    expect(emulator.events.events.map((event) => event.envelope.detail['image'])).toEqual(
      Array.from({ length: 23 }, (_, n) => `svc${n}`),
    );
    expect(new Set(emulator.events.events.map((event) => event.envelope.source))).toEqual(
      new Set(['drawbridge']),
    );
  });

  it('retries failed entries once, then counts them as failed', async () => {
    const { instance, results } = notifier();
    emulator.events.failNextEntries(2);
    instance.notify([update(1), update(2), update(3)]);
    await instance.flush();
    expect(results).toEqual({ ok: 3, failed: 0 });
    expect(emulator.server.calls('PutEvents')).toBe(2);

    emulator.server.resetCalls();
    emulator.events.failNextEntries(4);
    instance.notify([update(4), update(5)]);
    await instance.flush();
    expect(emulator.server.calls('PutEvents')).toBe(2);
    expect(results).toEqual({ ok: 3, failed: 2 });
  });

  it('treats a failing call like failing entries and never throws to the caller', async () => {
    const { instance, results } = notifier();
    emulator.faults.failEvery(1, 'PutEvents');
    expect(() => instance.notify([update(1)])).not.toThrow();
    await instance.flush();
    expect(emulator.server.calls('PutEvents')).toBe(2);
    expect(results).toEqual({ ok: 0, failed: 1 });
  });

  it('returns from notify before anything is sent', async () => {
    const { instance } = notifier();
    emulator.faults.latency(50);
    instance.notify([update(1)]);
    expect(emulator.server.calls('PutEvents')).toBe(0);
    expect(emulator.events.events).toHaveLength(0);
    await instance.flush();
    expect(emulator.events.events).toHaveLength(1);
  });

  it('keeps batches under 256 KB and gives up on an entry that is too large on its own', async () => {
    const { instance, results } = notifier();
    const pad = (kb: number) => 'x'.repeat(kb * 1024);
    instance.notify([
      update(1, { image: pad(100) }),
      update(2, { image: pad(100) }),
      update(3, { image: pad(100) }),
    ]);
    await instance.flush();
    expect(emulator.server.calls('PutEvents')).toBe(2);
    expect(results).toEqual({ ok: 3, failed: 0 });

    instance.notify([update(4, { image: pad(300) }), update(5)]);
    await instance.flush();
    expect(results).toEqual({ ok: 4, failed: 1 });
  });
});

describe('batching and helpers', () => {
  it('counts entry bytes as EventBridge does', () => {
    expect(entryBytes({ Source: 'ab', DetailType: 'c', Detail: '{}', Resources: ['é'] })).toBe(2 + 1 + 2 + 2);
    expect(entryBytes({ Source: 'ab', Time: new Date() })).toBe(16);
  });

  it('splits by count and by size', () => {
    const small = Array.from({ length: 21 }, () => ({ Source: 's', DetailType: 't', Detail: '{}' }));
    expect(batchEntries(small).batches.map((batch) => batch.length)).toEqual([10, 10, 1]);
    const big = { Source: 's', DetailType: 't', Detail: 'x'.repeat(200 * 1024) };
    expect(batchEntries([big, big]).batches.map((batch) => batch.length)).toEqual([1, 1]);
  });

  it('strips credentials from remotes', () => {
    expect(remoteWithoutCredentials('https://user:pass@git.example.com/org/repo.git')).toBe(
      'https://git.example.com/org/repo.git',
    );
    expect(remoteWithoutCredentials('https://ghp_token@github.com/org/repo.git')).toBe(
      'https://github.com/org/repo.git',
    );
    expect(remoteWithoutCredentials('ssh://git@github.com/org/repo.git')).toBe(
      'ssh://git@github.com/org/repo.git',
    );
    expect(remoteWithoutCredentials('ssh://git:secret@github.com/org/repo.git')).toBe(
      'ssh://git@github.com/org/repo.git',
    );
    expect(remoteWithoutCredentials('git@github.com:org/repo.git')).toBe('git@github.com:org/repo.git');
    expect(remoteWithoutCredentials('/srv/git/fleet.git')).toBe('/srv/git/fleet.git');
  });

  it('the no-op notifier accepts and flushes', async () => {
    const none = noopNotifier();
    none.notify([update(1)]);
    await expect(none.flush()).resolves.toBeUndefined();
  });
});
