import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon } from '../../src/daemon/daemon.js';
import {
  MIN_SECRET_BYTES,
  PLACEHOLDER_SECRETS,
  eventsAuth,
  isAuthorized,
} from '../../src/daemon/http-auth.js';
import { Metrics } from '../../src/daemon/metrics.js';
import { ConfigError } from '../../src/errors.js';
import { silentLogger } from '../../src/log/logger.js';
import { FakeReconciler, RecordingSource, outcome, pushEvent, testConfig } from './fakes.js';

const TOKEN = 'tok-0123456789abcdef-0123456789abcdef';
const ENV = {
  DRAWBRIDGE_EVENTS_TOKEN: TOKEN,
  HOOK_USER: 'eventbridge',
  HOOK_PASSWORD: 'pass-word-42-0123456789abcdefghijkl',
};
const http = {
  path: '/events/ecr',
  tokenEnv: 'DRAWBRIDGE_EVENTS_TOKEN',
  header: 'x-drawbridge-token',
  basicAuth: { usernameEnv: 'HOOK_USER', passwordEnv: 'HOOK_PASSWORD' },
};

let daemon: Daemon | undefined;
afterEach(async () => {
  await daemon?.stop('test over');
  daemon = undefined;
});

async function start(options: { startupSweep?: boolean } = {}) {
  const metrics = new Metrics({ processMetrics: false });
  const reconciler = new FakeReconciler(metrics.observer);
  const source = new RecordingSource();
  const started = await startDaemon({
    config: testConfig({ events: { http, coalesce: '10ms' } }),
    reconciler,
    source,
    logger: silentLogger(),
    env: ENV,
    metrics,
    startupSweep: options.startupSweep ?? false,
  });
  daemon = started;
  return { daemon: started, reconciler, source, metrics };
}

function post(url: string, body: string, headers: Record<string, string> = { 'x-drawbridge-token': TOKEN }) {
  return fetch(`${url}/events/ecr`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

describe('daemon HTTP', () => {
  it('answers /healthz, /readyz (503 until a reconciliation saw Git and ECR) and 404', async () => {
    const { daemon, reconciler } = await start();
    expect((await fetch(`${daemon.url}/healthz`)).status).toBe(200);
    const before = await fetch(`${daemon.url}/readyz`);
    expect(before.status).toBe(503);
    expect(await before.json()).toMatchObject({ ready: false, reason: 'no reconciliation has finished yet' });

    reconciler.script = () => ({ ecrReachable: false });
    await daemon.triggerSweep();
    const down = await fetch(`${daemon.url}/readyz`);
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ reason: 'ECR unreachable', gitReachable: true });

    reconciler.script = () => undefined;
    await daemon.triggerSweep();
    expect((await fetch(`${daemon.url}/readyz`)).status).toBe(200);
    expect((await fetch(`${daemon.url}/nope`)).status).toBe(404);
    expect((await fetch(`${daemon.url}/healthz`, { method: 'POST' })).status).toBe(405);
  });

  it('runs a sweep at startup', async () => {
    const { daemon, reconciler } = await start({ startupSweep: true });
    await daemon.idle();
    expect(reconciler.calls[0]).toEqual({ environments: ['dev', 'staging', 'prod'], trigger: 'startup' });
  });

  it('accepts a push with the token header: 202 at once, the work afterwards', async () => {
    const { daemon, reconciler, source } = await start();
    const release = reconciler.hold();
    const res = await post(daemon.url, pushEvent('team/web', '2.0.0'));
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({
      status: 'accepted',
      images: ['web'],
      environments: ['dev', 'staging'],
    });
    expect(source.invalidated).toEqual([['web']]);
    await reconciler.started(1);
    release();
    await daemon.idle();
    expect(reconciler.calls).toEqual([
      { environments: ['dev', 'staging'], images: ['web'], trigger: 'event' },
    ]);
  });

  it('accepts basic auth', async () => {
    const { daemon } = await start();
    const basic = Buffer.from(`${ENV.HOOK_USER}:${ENV.HOOK_PASSWORD}`).toString('base64');
    const res = await post(daemon.url, pushEvent('team/api', '1.0.0'), { authorization: `Basic ${basic}` });
    expect(res.status).toBe(202);
  });

  it.each([
    ['no credentials', {}],
    ['a wrong token of the same length', { 'x-drawbridge-token': TOKEN.replace(/.$/, 'X') }],
    ['a shorter token', { 'x-drawbridge-token': TOKEN.slice(0, 5) }],
    ['a longer token', { 'x-drawbridge-token': `${TOKEN}${TOKEN}` }],
    ['the token in another header', { 'x-other': TOKEN }],
    ['wrong basic auth', { authorization: `Basic ${Buffer.from('eventbridge:nope').toString('base64')}` }],
    ['a garbled authorization', { authorization: 'Basic ###' }],
  ])('refuses %s with 401', async (_name, headers: Record<string, string>) => {
    const { daemon, reconciler } = await start();
    const res = await post(daemon.url, pushEvent('team/web', '2.0.0'), headers);
    expect(res.status).toBe(401);
    await daemon.idle();
    expect(reconciler.calls).toHaveLength(0);
  });

  it('answers wrong method 405, bad JSON 400, not an event 400, ignored events 202', async () => {
    const { daemon, reconciler } = await start();
    const get = await fetch(`${daemon.url}/events/ecr`, { headers: { 'x-drawbridge-token': TOKEN } });
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect((await post(daemon.url, '{"source": ')).status).toBe(400);
    expect((await post(daemon.url, '[1,2]')).status).toBe(400);
    const ignored = await post(daemon.url, pushEvent('someone/else', '1.0.0'));
    expect(ignored.status).toBe(202);
    expect(await ignored.json()).toEqual({ status: 'ignored', reason: 'unknown-repository' });
    await daemon.idle();
    expect(reconciler.calls).toHaveLength(0);
    expect((await fetch(`${daemon.url}/healthz`)).status).toBe(200);
  });

  it('refuses bodies over 256 KB with 413, declared or streamed', async () => {
    const { daemon } = await start();
    const big = JSON.stringify({ pad: 'x'.repeat(300 * 1024) });
    expect((await post(daemon.url, big)).status).toBe(413);
    const streamed = await new Promise<number>((resolve, reject) => {
      const req = request(`${daemon.url}/events/ecr`, {
        method: 'POST',
        headers: { 'x-drawbridge-token': TOKEN, 'transfer-encoding': 'chunked' },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      for (let i = 0; i < 5; i++) req.write('y'.repeat(64 * 1024));
      req.end();
    });
    expect(streamed).toBe(413);
    const limit = JSON.stringify({ pad: 'z'.repeat(256 * 1024 - 20) });
    expect((await post(daemon.url, limit)).status).toBe(400);
  });

  it('exposes metrics in Prometheus format', async () => {
    const { daemon, reconciler, metrics } = await start();
    reconciler.script = (scope) => ({
      environments: (scope.environments ?? []).map((name) =>
        outcome(name, name === 'dev' ? 'committed' : 'unchanged'),
      ),
    });
    metrics.onEcrCall('DescribeImages', 'throttled');
    await post(daemon.url, pushEvent('team/web', '2.0.0'));
    await post(daemon.url, pushEvent('team/web', `sha256-${'c'.repeat(64)}.sig`));
    await post(daemon.url, pushEvent('team/web', '2.0.1'), {});
    await daemon.idle();
    const res = await fetch(`${daemon.url}/metrics`);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toContain('drawbridge_reconciliations_total{trigger="event",result="success"} 1');
    expect(text).toContain('drawbridge_events_received_total{source="http"} 3');
    expect(text).toContain('drawbridge_events_ignored_total{source="http",reason="signature-tag"} 1');
    expect(text).toContain('drawbridge_events_failed_total{source="http",reason="unauthorized"} 1');
    expect(text).toContain('drawbridge_commits_total{environment="dev",repository="default"} 1');
    expect(text).toContain(
      'drawbridge_pushes_total{environment="dev",repository="default",outcome="pushed"} 1',
    );
    expect(text).toContain('drawbridge_ecr_calls_total{operation="DescribeImages",outcome="throttled"} 1');
    expect(text).toMatch(
      /drawbridge_last_success_timestamp_seconds\{environment="staging",repository="default"\} \d+/,
    );
    expect(text).toContain('drawbridge_reconciliation_duration_seconds_count{trigger="event"} 1');
  });

  it('skips a sweep while the previous one still runs', async () => {
    const { daemon, reconciler } = await start();
    const release = reconciler.hold();
    const first = daemon.triggerSweep('schedule');
    expect(await daemon.triggerSweep('schedule')).toBe('skipped');
    release();
    expect(await first).toMatchObject({ ok: true });
    expect(reconciler.calls).toHaveLength(1);
    expect(await daemon.metrics.text()).toContain('drawbridge_schedule_skipped_total 1');
  });

  it('answers events and /readyz with 503 once stopping', async () => {
    const { daemon, reconciler } = await start();
    const release = reconciler.hold();
    void daemon.triggerSweep();
    await reconciler.started(1);
    const stopping = daemon.stop('test');
    const res = await post(daemon.url, pushEvent('team/web', '2.0.0'));
    expect(res.status).toBe(503);
    const ready = await fetch(`${daemon.url}/readyz`);
    expect(await ready.json()).toMatchObject({ ready: false, reason: 'shutting down' });
    release();
    await stopping;
  });
});

describe('events auth', () => {
  it('refuses to run the endpoint without credentials, or with an unset secret', () => {
    const problems = (run: () => unknown): string => {
      try {
        run();
      } catch (error) {
        if (error instanceof ConfigError) return error.issues.map((issue) => issue.message).join('\n');
      }
      return 'no ConfigError';
    };
    expect(problems(() => eventsAuth({ path: '/e', header: 'x' }, {}))).toMatch(/tokenEnv or basicAuth/);
    expect(problems(() => eventsAuth({ path: '/e', header: 'x', tokenEnv: 'MISSING' }, {}))).toMatch(
      /MISSING is not set/,
    );
  });

  it('refuses a token or password shorter than 32 bytes or a published placeholder, never quoting it', () => {
    const issues = (env: Record<string, string>) => {
      try {
        eventsAuth(
          {
            path: '/e',
            header: 'x',
            tokenEnv: 'T',
            basicAuth: { usernameEnv: 'U', passwordEnv: 'P' },
          },
          { U: 'eventbridge', ...env },
        );
      } catch (error) {
        if (error instanceof ConfigError) return error.issues;
      }
      return [];
    };
    const long = 'x'.repeat(MIN_SECRET_BYTES);
    expect(MIN_SECRET_BYTES).toBe(32);
    expect(issues({ T: long, P: long })).toEqual([]);
    // Bytes, not characters: 16 × "é" is 32 bytes, 15 × "é" 30.
    expect(issues({ T: 'é'.repeat(16), P: long })).toEqual([]);
    const short = issues({ T: 'é'.repeat(15), P: 'pass-word-42' });
    expect(short.map((issue) => issue.message)).toEqual([
      'events.http.tokenEnv: the token in T is shorter than 32 bytes (30)',
      'events.http.basicAuth: the password in P is shorter than 32 bytes (12)',
    ]);
    expect(
      short.every((issue) => issue.path === 'events.http' && /openssl rand/.test(issue.hint ?? '')),
    ).toBe(true);
    expect(JSON.stringify(short)).not.toMatch(/pass-word-42|éé/);
    expect(PLACEHOLDER_SECRETS).toContain('REPLACE-WITH-A-LONG-RANDOM-TOKEN');
    for (const placeholder of PLACEHOLDER_SECRETS) {
      for (const variant of [placeholder, placeholder.toLowerCase(), ` ${placeholder}\n`]) {
        const found = issues({ T: variant, P: variant }).map((issue) => issue.message);
        expect(found, variant).toEqual([
          "events.http.tokenEnv: the token in T is a placeholder published in drawbridge's repository: set a random one",
          "events.http.basicAuth: the password in P is a placeholder published in drawbridge's repository: set a random one",
        ]);
      }
    }
  });

  it('compares any length without throwing', () => {
    const secret = 'secret-value-0123456789abcdef-0123';
    const auth = eventsAuth({ path: '/e', header: 'X-Token', tokenEnv: 'T' }, { T: secret });
    for (const presented of ['', 's', secret.slice(0, -1), `${secret}!`, secret.repeat(100)]) {
      expect(isAuthorized(auth, { 'x-token': presented })).toBe(false);
    }
    expect(isAuthorized(auth, { 'x-token': secret })).toBe(true);
  });
});
