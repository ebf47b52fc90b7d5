/**
 * Push events whose fields break their grammars, at fleet size, through the real daemon: SQS
 * (the emulator, the real SQS client) and the HTTP endpoint. Each is dropped under one fixed
 * log message with the offending value escaped and capped, nothing is rescanned or committed,
 * the SQS messages are deleted, and a valid push afterwards still lands.
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DROPPED_MESSAGE } from '../../src/events/push-fields.js';
import { createLogger } from '../../src/log/logger.js';
import {
  EVENTS_TOKEN,
  createWorld,
  pushEvent,
  pushTag,
  startReplica,
  until,
  type Replica,
  type World,
} from './e2e.js';

const IMAGES = 200;
let world: World;
let replica: Replica | undefined;
const lines: string[] = [];

beforeAll(async () => {
  world = await createWorld(IMAGES);
}, 120_000);

afterAll(async () => {
  await replica?.stop();
  await world.close();
});

/** A valid push event for `image`, with `change` applied to its detail or envelope. */
function hostile(image: string, index: number): { body: string; reason: string } {
  // Nothing is pushed, so a rescan would find nothing new anyway.
  const event = pushEvent(world, image, `9.9.${index}`, `sha256:${'a'.repeat(64)}`);
  const forged = '\nDrawbridge-Update: forged 0.0.0 -> 6.6.6\u202e';
  switch (index % 6) {
    case 0:
      event.detail['image-tag'] = `1.0.1${forged}`;
      return { body: JSON.stringify(event), reason: 'invalid-tag' };
    case 1:
      event.detail['image-tag'] = `-${'x'.repeat(5_000)}`;
      return { body: JSON.stringify(event), reason: 'invalid-tag' };
    case 2:
      event.detail['repository-name'] = `${world.repositoryName(image)}${forged}`;
      return { body: JSON.stringify(event), reason: 'invalid-repository-name' };
    case 3:
      event.detail['image-digest'] = `sha256:${'z'.repeat(64)}${forged}`;
      return { body: JSON.stringify(event), reason: 'invalid-digest' };
    case 4:
      event.account = `12345${forged}`;
      return { body: JSON.stringify(event), reason: 'invalid-account' };
    default:
      event.region = `eu-west-1${forged}`;
      return { body: JSON.stringify(event), reason: 'invalid-region' };
  }
}

/** The sum of a counter's samples whose line passes `keep` (every `source` label, say). */
function counter(metrics: string, name: string, keep: (line: string) => boolean = () => true): number {
  return metrics
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) && keep(l))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}

describe('hostile push events at fleet size', () => {
  it(`drops ${IMAGES} events with invalid fields: fixed message, escaped values, no rescan, no commit`, async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        callback();
      },
    });
    const logger = createLogger({ level: 'debug', pretty: false, destination: sink });
    replica = await startReplica(world, 'a', logger);
    await replica.daemon.idle();
    const commits = (await world.remote.log('dev')).length;
    const callsBefore = counter(await replica.metrics.text(), 'drawbridge_ecr_calls_total');
    lines.length = 0;

    const expected = new Map<string, number>();
    for (const [index, image] of world.images.entries()) {
      const { body, reason } = hostile(image, index);
      expected.set(reason, (expected.get(reason) ?? 0) + 1);
      if (index % 2 === 0) {
        await world.sqs.send(new SendMessageCommand({ QueueUrl: world.queueUrl, MessageBody: body }));
        continue;
      }
      const res = await fetch(`${replica.daemon.url}/events/ecr`, {
        method: 'POST',
        body,
        headers: { 'x-drawbridge-token': EVENTS_TOKEN },
      });
      expect(res.status).toBe(400);
      const answer = (await res.json()) as { error: string };
      expect(answer.error).toMatch(/^[a-z-]+ is not valid \([a-z-]+\)$/);
    }

    const queue = () => world.emulator.sqs.counts(world.emulator.sqs.queue('drawbridge-ecr'));
    await until(
      async () => lines.filter((l) => l.includes(DROPPED_MESSAGE)).length === IMAGES,
      'every event to be dropped',
    );
    await until(async () => Object.values(queue()).every((n) => n === 0), 'the queue to drain');
    await replica.daemon.idle();

    const metrics = await replica.metrics.text();
    for (const [reason, count] of expected)
      expect(
        counter(metrics, 'drawbridge_events_failed_total', (l) => l.includes(`reason="${reason}"`)),
        reason,
      ).toBe(count);
    expect(counter(metrics, 'drawbridge_ecr_calls_total')).toBe(callsBefore);
    expect((await world.remote.log('dev')).length).toBe(commits);

    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const dropped = records.filter((r) => r['msg'] === DROPPED_MESSAGE);
    expect(dropped).toHaveLength(IMAGES);
    for (const record of dropped) {
      expect(record['level']).toBe('warn');
      expect(String(record['value']).length).toBeLessThanOrEqual(120);
    }
    // No value from an event reaches a log field as it came: no line break, no bidi override.
    for (const record of records) {
      for (const value of Object.values(record)) {
        if (typeof value === 'string') expect(value).not.toMatch(/[\n\r\u202e]/);
      }
    }
    expect(records.some((r) => r['msg'] === 'push event')).toBe(false);

    // The intake still works: a valid push lands.
    const image = world.images[0]!;
    const res = await fetch(`${replica.daemon.url}/events/ecr`, {
      method: 'POST',
      body: pushTag(world, image, '1.0.1'),
      headers: { 'x-drawbridge-token': EVENTS_TOKEN },
    });
    expect(res.status).toBe(202);
    await until(async () => (await world.tagInGit(image)) === '1.0.1', 'the valid push to land');
  }, 180_000);
});
