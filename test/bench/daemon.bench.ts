/**
 * Event-to-commit latency of the daemon: a real daemon (createRuntime → createReconciler, the
 * ECR + SQS emulator, a local bare remote) with the default coalescing window gets images
 * pushed one by one, at least 600 ms apart, announced through SQS and through the HTTP
 * endpoint; the clock runs from sending the event to the new commit being on the remote's
 * branch. Goal: p50 < 300 ms, p95 < 1 s. Then bursts of events within a second:
 * how many commits they make (coalescing) and the peak RSS.
 * `node --import tsx test/bench/daemon.bench.ts`; BENCH_QUICK=1 for a small smoke run.
 */
import { SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { silentLogger } from '../../src/log/logger.js';
import { git } from '../helpers/git.js';
import { EVENTS_TOKEN, createWorld, pushTag, startReplica, type Replica, type World } from '../daemon/e2e.js';

const QUICK = process.env['BENCH_QUICK'] === '1';
const IMAGES = QUICK ? 5 : 20;
const EVENTS = QUICK ? 5 : 50;
const BURST = QUICK ? 50 : 500;
const BURST_RUNS = QUICK ? 1 : 3;
/** Between one-by-one pushes: longer than the default coalescing window (500 ms). */
const SPACING_MS = 600;

/** The remote branch's head, read from the bare repository's files (cheap enough to poll). */
async function remoteHead(world: World): Promise<string> {
  try {
    return (await readFile(join(world.remote.bare, 'refs', 'heads', 'dev'), 'utf8')).trim();
  } catch {
    return (await git(world.remote.bare, ['rev-parse', 'refs/heads/dev'])).trim();
  }
}

async function headChange(world: World, from: string, limitMs = 60_000): Promise<string> {
  const deadline = performance.now() + limitMs;
  for (;;) {
    const head = await remoteHead(world);
    if (head !== from) return head;
    if (performance.now() > deadline) throw new Error('no commit reached the remote');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

async function viaSqs(world: World, event: string): Promise<void> {
  await world.sqs.send(new SendMessageCommand({ QueueUrl: world.queueUrl, MessageBody: event }));
}

async function viaHttp(replica: Replica, event: string): Promise<void> {
  const res = await fetch(`${replica.daemon.url}/events/ecr`, {
    method: 'POST',
    body: event,
    headers: { 'x-drawbridge-token': EVENTS_TOKEN },
  });
  if (res.status !== 202) throw new Error(`events endpoint answered ${res.status}`);
}

/** Sum and count of event-triggered reconcile calls so far, from the daemon's own histogram. */
async function eventReconcileTime(replica: Replica): Promise<{ sum: number; count: number }> {
  const metric = await replica.metrics.registry
    .getSingleMetric('drawbridge_reconciliation_duration_seconds')
    ?.get();
  const values = metric?.values.filter((v) => v.labels['trigger'] === 'event') ?? [];
  const pick = (name: string): number =>
    values.find((v) => 'metricName' in v && v.metricName === name)?.value ?? 0;
  return {
    sum: pick('drawbridge_reconciliation_duration_seconds_sum'),
    count: pick('drawbridge_reconciliation_duration_seconds_count'),
  };
}

async function latencies(
  world: World,
  replica: Replica,
  through: 'sqs' | 'http',
  round: number,
): Promise<number[]> {
  const samples: number[] = [];
  let lastSent = 0;
  for (let i = 0; i < EVENTS; i++) {
    const image = world.images[i % world.images.length] ?? '';
    await replica.daemon.idle();
    // One push at a time, each after the coalescing window of the one before has passed: the
    // latency of a lone push, not of one held back to be merged with the previous.
    const wait = lastSent + SPACING_MS - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    lastSent = performance.now();
    const before = await remoteHead(world);
    const event = pushTag(world, image, `${round}.${i}.0`);
    const started = performance.now();
    await (through === 'sqs' ? viaSqs(world, event) : viaHttp(replica, event));
    await headChange(world, before);
    samples.push(performance.now() - started);
  }
  return samples;
}

async function burst(
  world: World,
  replica: Replica,
  round: number,
): Promise<{ commits: number; peakRss: number }> {
  await replica.daemon.idle();
  const before = (await world.remote.log('dev')).length;
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 20);
  const events = Array.from({ length: BURST }, (_, i) =>
    pushTag(world, world.images[i % world.images.length] ?? '', `${100 + round}.${i}.0`),
  );
  // Half as SQS batches, half as HTTP posts, all sent within the same second.
  const half = Math.floor(BURST / 2);
  const batches: Promise<unknown>[] = [];
  for (let i = 0; i < half; i += 10) {
    const entries = events
      .slice(i, Math.min(i + 10, half))
      .map((body, j) => ({ Id: `e${j}`, MessageBody: body }));
    batches.push(world.sqs.send(new SendMessageBatchCommand({ QueueUrl: world.queueUrl, Entries: entries })));
  }
  for (const event of events.slice(half)) batches.push(viaHttp(replica, event));
  await Promise.all(batches);
  const queue = world.emulator.sqs.queue('drawbridge-ecr');
  for (;;) {
    await replica.daemon.idle();
    const counts = world.emulator.sqs.counts(queue);
    if (counts.visible + counts.inFlight === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  clearInterval(sampler);
  return { commits: (await world.remote.log('dev')).length - before, peakRss };
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

const median = (values: readonly number[]): number => percentile(values, 50);
const ms = (value: number): string => `${value.toFixed(0)} ms`;

async function main(): Promise<void> {
  const world = await createWorld(IMAGES);
  // The default coalescing window (500 ms), as users run it.
  const replica = await startReplica(world, 'bench', silentLogger(), {
    events: {
      sqs: { queueUrl: world.queueUrl, waitTimeSeconds: 20 },
      http: { path: '/events/ecr', tokenEnv: 'DRAWBRIDGE_EVENTS_TOKEN' },
    },
  });
  try {
    await replica.daemon.idle();
    const before = await eventReconcileTime(replica);
    const sqs = await latencies(world, replica, 'sqs', 2);
    const http = await latencies(world, replica, 'http', 3);
    const after = await eventReconcileTime(replica);
    const meanReconcile = ((after.sum - before.sum) / Math.max(after.count - before.count, 1)) * 1000;
    const bursts = [];
    for (let round = 0; round < BURST_RUNS; round++) bursts.push(await burst(world, replica, round));

    const out = process.stdout;
    out.write(
      `Event to commit on the remote, ${EVENTS} images pushed one by one (${IMAGES} repositories).\n\n`,
    );
    out.write('| through | p50 | p95 | max | goal |\n|---|---|---|---|---|\n');
    for (const [name, samples] of [
      ['SQS', sqs],
      ['HTTP', http],
    ] as const) {
      const p50 = percentile(samples, 50);
      const p95 = percentile(samples, 95);
      const met = p50 < 300 && p95 < 1_000 ? 'met' : 'missed';
      out.write(
        `| ${name} | ${ms(p50)} | ${ms(p95)} | ${ms(Math.max(...samples))} | p50 < 300 ms, p95 < 1 s: ${met} |\n`,
      );
    }
    out.write(
      `\nMean duration of those event reconciliations (the reconciler's share): ${ms(meanReconcile)}.\n`,
    );
    out.write(
      `\nBurst of ${BURST} events within a second (half SQS, half HTTP), ${BURST_RUNS} run(s), medians.\n\n`,
    );
    out.write('| events | commits | events per commit | peak RSS |\n|---|---|---|---|\n');
    const commits = median(bursts.map((b) => b.commits));
    const rss = median(bursts.map((b) => b.peakRss)) / 1024 / 1024;
    out.write(
      `| ${BURST} | ${commits} | ${(BURST / Math.max(commits, 1)).toFixed(0)} | ${rss.toFixed(0)} MB |\n`,
    );
  } finally {
    await replica.stop();
    await world.close();
  }
}

await main();
