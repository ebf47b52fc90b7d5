/**
 * Webhook and Slack notifications against local HTTP receivers: one that answers, one that
 * is down, one that is slow, one that is flaky and one that refuses. Messages are signed,
 * retried with backoff (Retry-After honoured), never block the caller, drop rather than grow
 * without bound, and never print the receiver's URL or secret.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/logger.js';
import { Redactor } from '../../src/log/redact.js';
import { createDelivery } from '../../src/notify/delivery.js';
import { httpNotifier } from '../../src/notify/receivers.js';
import { slackRevertMessage, slackUpdateMessage } from '../../src/notify/slack.js';
import type { PushedUpdate } from '../../src/notify/types.js';
import { memoryStream } from '../helpers/io.js';
import { createWebhookNotifier } from '../../src/notify/webhook.js';

interface Received {
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

interface Receiver {
  readonly url: string;
  readonly received: Received[];
  close(): Promise<void>;
}

const servers: Server[] = [];

afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((server) => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    }),
  );
});

/** A receiver on loopback whose answer to the n-th request (1-based) `answer` decides. */
async function receiver(
  answer: (n: number, res: ServerResponse) => void | Promise<void> = (_n, res) => void res.end('ok'),
): Promise<Receiver> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      void answer(received.length, res);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/drawbridge?token=t0ps3cr3tQueryToken`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function logs(): { logger: ReturnType<typeof createLogger>; text: () => string } {
  const sink = memoryStream();
  return {
    logger: createLogger({ level: 'debug', destination: sink.stream, pretty: false }),
    text: () => sink.text(),
  };
}

const update = (image: string, extra: Partial<PushedUpdate> = {}): PushedUpdate => ({
  environment: 'prod',
  image,
  repository: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/${image}`,
  old: '1.0.0',
  new: '1.1.0',
  digest: `sha256:${'a'.repeat(64)}`,
  commit: 'c0ffee'.padEnd(40, '0'),
  branch: 'main',
  remote: 'https://x-access-token:ghs_secret@github.com/acme/deploy.git',
  pushedAt: new Date('2026-12-08T10:00:00Z'),
  ...extra,
});

const noWait = (waits: number[]) => (ms: number) => {
  waits.push(ms);
  return Promise.resolve();
};

describe('webhook delivery', () => {
  it('posts one signed JSON message per update, with the event, a delivery id and no credentials', async () => {
    const ok = await receiver();
    const log = logs();
    const notifier = createWebhookNotifier([
      {
        name: 'webhook 1',
        url: ok.url,
        secret: 'whsec-test-secret-value',
        logger: log.logger,
        userAgent: 'drawbridge/test',
      },
    ]);
    notifier.notify([update('api'), update('web')]);
    await notifier.flush();
    expect(ok.received).toHaveLength(2);
    for (const { headers, body } of ok.received) {
      expect(headers['content-type']).toBe('application/json');
      expect(headers['user-agent']).toBe('drawbridge/test');
      expect(headers['x-drawbridge-event']).toBe('image.update.committed');
      expect(headers['x-drawbridge-delivery']).toMatch(/^[0-9a-f-]{36}$/);
      const expected = `sha256=${createHmac('sha256', 'whsec-test-secret-value').update(body).digest('hex')}`;
      expect(headers['x-drawbridge-signature-256']).toBe(expected);
    }
    expect(JSON.parse(ok.received[0]!.body)).toEqual({
      type: 'image.update.committed',
      environment: 'prod',
      image: 'api',
      repository: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api',
      old: '1.0.0',
      new: '1.1.0',
      digest: `sha256:${'a'.repeat(64)}`,
      commit: 'c0ffee'.padEnd(40, '0'),
      branch: 'main',
      remote: 'https://github.com/acme/deploy.git',
      time: '2026-12-08T10:00:00.000Z',
    });
    expect(ok.received[0]!.body).not.toContain('ghs_secret');
  });

  it('retries a flaky receiver after Retry-After or a doubling backoff, with the same delivery id', async () => {
    const flaky = await receiver((n, res) => {
      if (n === 1) res.writeHead(503).end();
      else if (n === 2) res.writeHead(429, { 'retry-after': '7' }).end();
      else res.end('ok');
    });
    const waits: number[] = [];
    const results: string[] = [];
    const delivery = createDelivery({
      name: 'flaky',
      url: flaky.url,
      logger: logs().logger,
      userAgent: 'drawbridge/test',
      sleep: noWait(waits),
      onResult: (outcome) => results.push(outcome),
    });
    delivery.enqueue({ event: 'image.update.committed', body: { n: 1 } });
    await delivery.flush();
    expect(flaky.received).toHaveLength(3);
    expect(waits).toEqual([1_000, 7_000]);
    expect(new Set(flaky.received.map((r) => r.headers['x-drawbridge-delivery'])).size).toBe(1);
    expect(results).toEqual(['ok']);
  });

  it('gives up on a receiver that is down after its attempts, logging the receiver but never its URL', async () => {
    const gone = await receiver();
    const url = gone.url;
    await gone.close();
    servers.length = 0;
    const log = logs();
    const waits: number[] = [];
    const results: string[] = [];
    const delivery = createDelivery({
      name: 'webhook 1 (127.0.0.1)',
      url,
      secret: 'whsec-test-secret-value',
      logger: log.logger,
      userAgent: 'drawbridge/test',
      sleep: noWait(waits),
      onResult: (outcome) => results.push(outcome),
    });
    const started = Date.now();
    delivery.enqueue({ event: 'image.update.committed', body: {} });
    // enqueue never waits on the receiver.
    expect(Date.now() - started).toBeLessThan(50);
    await delivery.flush();
    expect(waits).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(results).toEqual(['failed']);
    expect(log.text()).toContain('"msg":"notification not delivered; given up"');
    expect(log.text()).toContain('"receiver":"webhook 1 (127.0.0.1)"');
    expect(log.text()).toContain('"problem":"unreachable"');
    expect(log.text()).not.toContain('t0ps3cr3tQueryToken');
    expect(log.text()).not.toContain('whsec-test-secret-value');
  });

  it('gives up at once on a refusal, and times out a slow receiver without holding up another', async () => {
    const refusing = await receiver((_n, res) => void res.writeHead(400).end('bad'));
    const slow = await receiver((n, res) => {
      if (n === 1) setTimeout(() => res.end('late'), 1_500);
      else res.end('ok');
    });
    const fast = await receiver();
    const results: string[] = [];
    const common = { logger: logs().logger, userAgent: 'drawbridge/test' };
    const notifier = createWebhookNotifier(
      [
        { ...common, name: 'refusing', url: refusing.url },
        { ...common, name: 'slow', url: slow.url, timeoutMs: 200, sleep: () => Promise.resolve() },
        { ...common, name: 'fast', url: fast.url },
      ],
      { onResult: (outcome) => results.push(outcome) },
    );
    notifier.notify([update('api')]);
    const until = Date.now() + 5_000;
    while (fast.received.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    // The fast receiver has its message while the slow one is still being waited for.
    expect(fast.received).toHaveLength(1);
    expect(slow.received.length).toBeLessThanOrEqual(1);
    await notifier.flush();
    expect(refusing.received).toHaveLength(1);
    expect(slow.received).toHaveLength(2);
    expect(results.sort()).toEqual(['failed', 'ok', 'ok']);
  });

  it('drops beyond its bound instead of growing, and gives up what is left at shutdown', async () => {
    const hanging = await receiver(() => undefined);
    const log = logs();
    const results: string[] = [];
    const delivery = createDelivery({
      name: 'hanging',
      url: hanging.url,
      logger: log.logger,
      userAgent: 'drawbridge/test',
      maxQueued: 3,
      flushTimeoutMs: 200,
      timeoutMs: 60_000,
      onResult: (outcome) => results.push(outcome),
    });
    for (let n = 0; n < 10; n++) delivery.enqueue({ event: 'image.update.committed', body: { n } });
    // One in flight, three queued, six dropped.
    expect(results.filter((r) => r === 'dropped')).toHaveLength(6);
    const started = Date.now();
    await delivery.flush();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(results.filter((r) => r === 'dropped')).toHaveLength(9);
    expect(log.text()).toContain('"msg":"notifications left undelivered at shutdown"');
  });
});

describe('Slack messages', () => {
  it('say what changed where, link the pull request, and escape what could become markup', () => {
    const message = slackUpdateMessage(
      update('api', {
        environment: 'prod<!channel>',
        pullRequest: { number: 12, url: 'https://github.com/acme/deploy/pull/12' },
      }),
    );
    expect(message['text']).toBe(
      'drawbridge: prod&lt;!channel&gt; · api 1.0.0 → 1.1.0 (c0ffee000000 on main)',
    );
    const blocks = message['blocks'] as { text: { text: string } }[];
    expect(blocks[0]!.text.text).toBe(
      '*prod&lt;!channel&gt;* · `api 1.0.0 → 1.1.0`\ncommit `c0ffee000000` on `main` of https://github.com/acme/deploy.git · <https://github.com/acme/deploy/pull/12|pull request #12>',
    );
    expect(JSON.stringify(message)).not.toContain('<!channel>');
  });

  it('say which commit was reverted, why, and as which', () => {
    const message = slackRevertMessage({
      environment: 'staging',
      commit: 'c0ffee'.padEnd(40, '1'),
      revert: 'beef'.padEnd(40, '2'),
      context: 'kustomization/apps',
      failedAt: new Date('2026-12-08T10:05:00Z'),
      images: [{ image: 'api', tag: '1.1.0' }],
      branch: 'staging',
      remote: 'git@github.com:acme/deploy.git',
      pushedAt: new Date('2026-12-08T10:06:00Z'),
    });
    expect(message['text']).toBe(
      'drawbridge: staging · reverted c0ffee111111 (api 1.1.0): kustomization/apps failed',
    );
  });

  it('is refused with the variable named when its URL is missing, and its URL never reaches a log', async () => {
    const log = logs();
    const redactor = new Redactor();
    const deps = { env: {}, logger: log.logger, redactor, userAgent: 'drawbridge/test' };
    expect(() => httpNotifier({ slack: { webhookUrlEnv: 'SLACK_URL' } }, deps)).toThrow(
      'notify.slack.webhookUrlEnv: environment variable SLACK_URL is not set',
    );
    expect(() =>
      httpNotifier(
        { slack: { webhookUrlEnv: 'SLACK_URL' } },
        { ...deps, env: { SLACK_URL: 'http://hooks.slack.com/x' } },
      ),
    ).toThrow('notify.slack: the receiver URL is not an https URL');
    const slack = await receiver();
    const notifier = httpNotifier(
      { slack: { webhookUrlEnv: 'SLACK_URL' } },
      { ...deps, env: { SLACK_URL: slack.url } },
    )!;
    notifier.notify([update('api')]);
    await notifier.flush();
    expect(JSON.parse(slack.received[0]!.body)).toMatchObject({
      text: expect.stringContaining('api 1.0.0 → 1.1.0') as string,
    });
    expect(redactor.redact(`posting to ${slack.url}`)).toBe('posting to ***');
  });
});
