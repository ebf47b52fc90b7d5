import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, silentLogger } from '../../src/log/logger.js';
import { EVENTS_TOKEN, createWorld, pushTag, startReplica, until, type Replica, type World } from './e2e.js';

let world: World;
let replicas: Replica[] = [];

beforeAll(async () => {
  world = await createWorld(30);
}, 60_000);

afterAll(async () => {
  await Promise.all(replicas.map((replica) => replica.stop()));
  replicas = [];
  await world.close();
});

describe('two replicas on one config, queue and remote', () => {
  it('land each of 30 pushed updates exactly once', async () => {
    // E2E_LOG=debug shows both replicas' logs.
    const level = process.env['E2E_LOG'];
    const logger = level ? createLogger({ level: level as 'debug', pretty: false }) : silentLogger();
    replicas = [await startReplica(world, 'a', logger), await startReplica(world, 'b', logger)];
    await Promise.all(replicas.map((replica) => replica.daemon.idle()));
    const seeded = (await world.remote.log('dev')).length;

    // Half the events through the shared queue, half through the HTTP endpoint of either replica.
    for (const [index, image] of world.images.entries()) {
      const event = pushTag(world, image, '1.0.1');
      if (index % 2 === 0) {
        await world.sqs.send(new SendMessageCommand({ QueueUrl: world.queueUrl, MessageBody: event }));
        continue;
      }
      const replica = replicas[index % 4 === 1 ? 0 : 1];
      const res = await fetch(`${replica?.daemon.url}/events/ecr`, {
        method: 'POST',
        body: event,
        headers: { 'x-drawbridge-token': EVENTS_TOKEN },
      });
      expect(res.status).toBe(202);
    }

    await until(async () => {
      const log = await world.remote.log('dev');
      return world.images.every((image) =>
        log.some((c) => c.message.includes(`Drawbridge-Update: ${image} 1.0.0`)),
      );
    }, 'every update to reach the remote');
    for (const image of world.images) expect(await world.tagInGit(image), image).toBe('1.0.1');
    const queue = () => world.emulator.sqs.counts(world.emulator.sqs.queue('drawbridge-ecr'));
    await until(async () => {
      await Promise.all(replicas.map((replica) => replica.daemon.idle()));
      const counts = queue();
      return counts.visible + counts.inFlight === 0;
    }, 'the queue to be empty');

    // Both replicas sweep once more: nothing is left to change.
    await Promise.all(replicas.map((replica) => replica.daemon.triggerSweep()));
    const log = await world.remote.log('dev');
    const drawbridge = log.slice(0, log.length - seeded);
    expect(drawbridge.every((commit) => commit.message.includes('Drawbridge-Update:'))).toBe(true);
    for (const image of world.images) {
      const landed = drawbridge.filter((commit) =>
        commit.message.includes(`Drawbridge-Update: ${image} 1.0.0 -> 1.0.1`),
      );
      expect(landed, image).toHaveLength(1);
    }
  }, 120_000);
});
