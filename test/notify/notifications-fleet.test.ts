/**
 * Notifications at fleet size (SPEC §14): `drawbridge scan` updates 200 images in 600 marked
 * references and commits once; a signed webhook receiver and a Slack receiver on loopback each
 * get exactly one message per pushed update, naming the commit that is on the remote, while a
 * third webhook receiver is down: it is retried with backoff meanwhile and given up when the
 * scan ends (after at most 10 s), logged by receiver name; the scan exits 0, its commit pushed.
 */
import { createHmac } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { startEmulator, type Emulator } from '../../src/testing/emulator/index.js';
import {
  fleetConfigLines,
  seedImages,
  seedRemote,
  type FleetImage,
  type SeededRemote,
} from '../helpers/big-fleet.js';
import { git, isolatedGitEnv } from '../helpers/git.js';
import { captureIO } from '../helpers/io.js';

const IMAGES = 200;
const SECRET = 'whsec-fleet-test-secret-0123456789';
const SLACK_TOKEN = 'T000/B000/slackFleetTestToken';

interface Collected {
  readonly bodies: string[];
  readonly signatures: string[];
  readonly url: string;
}

async function collector(servers: Server[], path: string): Promise<Collected> {
  const bodies: string[] = [];
  const signatures: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks).toString('utf8'));
      signatures.push(String(req.headers['x-drawbridge-signature-256'] ?? ''));
      res.end('ok');
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { bodies, signatures, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}` };
}

describe('notifications at fleet size', () => {
  let root: string;
  let ecr: Emulator;
  let images: FleetImage[];
  let remote: SeededRemote;
  const servers: Server[] = [];
  let hooks: Collected;
  let slack: Collected;
  let downUrl: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'drawbridge-notify-fleet-'));
    ecr = await startEmulator();
    images = seedImages(ecr.ecr, IMAGES, 3);
    remote = await seedRemote(root, 'fleet', {
      files: 200,
      perFile: 3,
      images,
      tag: '1.0.1',
      branches: ['main'],
    });
    hooks = await collector(servers, '/drawbridge');
    slack = await collector(servers, `/services/${SLACK_TOKEN}`);
    const down = createServer();
    await new Promise<void>((resolve) => down.listen(0, '127.0.0.1', resolve));
    downUrl = `http://127.0.0.1:${(down.address() as AddressInfo).port}/gone`;
    await new Promise((resolve) => down.close(resolve));
  }, 120_000);

  afterAll(async () => {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    await ecr?.close();
    if (root) await rm(root, { recursive: true, force: true, maxRetries: 5 });
  });

  it('sends one signed message per pushed update to each receiver, whatever one that is down does', async () => {
    const configFile = join(root, 'drawbridge.yaml');
    await writeFile(
      configFile,
      [
        'version: 1',
        'git:',
        `  url: ${remote.url}`,
        `  workdir: ${join(root, 'work')}`,
        '  author: { name: drawbridge, email: drawbridge@example.test }',
        `aws: { region: eu-west-1, endpoint: ${ecr.endpoint} }`,
        ...fleetConfigLines(images, { name: 'prod', branch: 'main', policy: "{ semver: '^1.0.0' }" }),
        'notify:',
        '  webhooks:',
        `    - { url: '${hooks.url}', secretEnv: HOOK_SECRET }`,
        `    - { url: '${downUrl}', timeout: 500ms }`,
        '  slack: { webhookUrlEnv: SLACK_URL }',
        '',
      ].join('\n'),
    );
    const env = isolatedGitEnv({
      AWS_ACCESS_KEY_ID: 'AKIDTEST',
      AWS_SECRET_ACCESS_KEY: 'test-secret',
      HOOK_SECRET: SECRET,
      SLACK_URL: slack.url,
    });
    const io = captureIO({ env, cwd: root });
    const code = await runCli(['scan', '--config', configFile], io);
    expect(code, io.err()).toBe(0);
    const head = (await git(remote.bare, ['rev-parse', 'main'])).trim();

    expect(hooks.bodies).toHaveLength(IMAGES);
    const updates = hooks.bodies.map((body) => JSON.parse(body) as Record<string, string>);
    expect(new Set(updates.map((u) => u['image']))).toEqual(new Set(images.map((image) => image.key)));
    for (const [index, body] of hooks.bodies.entries()) {
      expect(hooks.signatures[index]).toBe(
        `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`,
      );
      expect(updates[index]).toMatchObject({
        type: 'image.update.committed',
        environment: 'prod',
        old: '1.0.1',
        new: '1.0.2',
        commit: head,
        branch: 'main',
      });
    }
    expect(slack.bodies).toHaveLength(IMAGES);
    expect((JSON.parse(slack.bodies[0]!) as { text: string }).text).toMatch(
      new RegExp(
        `^drawbridge: prod · team-svc-\\d+ 1\\.0\\.1 → 1\\.0\\.2 \\(${head.slice(0, 12)} on main\\)$`,
      ),
    );

    // The receiver that was down: retried while the others delivered, then given up at the
    // end of the scan (at most 10 s of waiting), by name; no URL, token or secret printed.
    const log = io.err();
    const left =
      /"receiver":"webhook 2 \(127\.0\.0\.1:\d+\)","dropped":(\d+),"msg":"notifications left undelivered at shutdown"/.exec(
        log,
      );
    expect(left, log.slice(-2_000)).not.toBeNull();
    expect(Number(left![1])).toBeGreaterThan(IMAGES - 5);
    for (const secret of [SECRET, SLACK_TOKEN, '/gone']) expect(log).not.toContain(secret);
  }, 240_000);
});
