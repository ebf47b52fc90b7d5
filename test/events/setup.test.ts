import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { eventsSetupCommand } from '../../src/cli/commands/events-setup.js';
import type { CliIO } from '../../src/cli/io.js';
import { startEmulator, type Emulator } from '../../src/testing/emulator/index.js';

let emulator: Emulator;
let dir: string;

beforeAll(async () => {
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
  vi.stubEnv('AWS_PROFILE', '');
  emulator = await startEmulator();
  emulator.sqs.createQueue('drawbridge-ecr');
  dir = await mkdtemp(join(tmpdir(), 'drawbridge-events-setup-'));
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => emulator.server.resetCalls());

const registry = '123456789012.dkr.ecr';

async function writeConfig(name: string, repositories: readonly string[], withQueue = true): Promise<string> {
  const images = repositories
    .map((repo, index) => `  img${index}: { repository: ${registry}.${repo} }`)
    .join('\n');
  const file = join(dir, name);
  await writeFile(
    file,
    [
      'version: 1',
      'git: { url: "file:///srv/fleet.git" }',
      `aws: { region: eu-west-1, endpoint: "${emulator.endpoint}" }`,
      'images:',
      images,
      'environments:',
      '  dev: { branch: dev, policies: { img0: { semver: "*" } } }',
      withQueue ? `events: { sqs: { queueUrl: "${emulator.endpoint}/123456789012/drawbridge-ecr" } }` : '',
      '',
    ].join('\n'),
  );
  return file;
}

async function run(options: { config: string; dryRun?: boolean; ruleName?: string; queueArn?: string }) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const io: CliIO = { stdout, stderr, env: { ...process.env }, cwd: dir };
  const code = await eventsSetupCommand({ ruleName: 'drawbridge-ecr-push', ...options }, io);
  return { code, out, err };
}

interface DryRunReport {
  rule: { name: string; change: string };
  calls: { operation: string; input: Record<string, unknown> }[];
  queuePolicy: { Statement: Record<string, unknown>[] };
}

const writes = () => emulator.server.calls('PutRule') + emulator.server.calls('PutTargets');
const queueArn = 'arn:aws:sqs:eu-west-1:123456789012:drawbridge-ecr';

describe('drawbridge events setup', () => {
  it('dry run prints the calls and the policy as JSON and writes nothing', async () => {
    const config = await writeConfig('dry.yaml', ['eu-west-1.amazonaws.com/team/api']);
    const result = await run({ config, dryRun: true });
    expect(result.code).toBe(0);
    expect(writes()).toBe(0);
    const report = JSON.parse(result.out) as DryRunReport;
    expect(report.rule).toEqual({ name: 'drawbridge-ecr-push', change: 'create' });
    expect(report.calls.map((call) => call.operation)).toEqual(['PutRule', 'PutTargets']);
    expect(JSON.parse(String(report.calls[0]?.input['EventPattern']))).toEqual({
      source: ['aws.ecr'],
      'detail-type': ['ECR Image Action'],
      account: ['123456789012'],
      detail: { 'action-type': ['PUSH'], result: ['SUCCESS'], 'repository-name': ['team/api'] },
    });
    expect(report.calls[1]?.input['Targets']).toEqual([{ Id: 'drawbridge-sqs', Arn: queueArn }]);
    expect(report.queuePolicy.Statement[0]).toMatchObject({
      Principal: { Service: 'events.amazonaws.com' },
      Action: 'sqs:SendMessage',
      Resource: queueArn,
      Condition: {
        ArnEquals: { 'aws:SourceArn': 'arn:aws:events:eu-west-1:123456789012:rule/drawbridge-ecr-push' },
      },
    });
    expect(emulator.events.rules.findRule('drawbridge-ecr-push')).toBeUndefined();
  });

  it('creates, then changes nothing, then updates what the config changed', async () => {
    const config = await writeConfig('main.yaml', [
      'eu-west-1.amazonaws.com/team/api',
      'us-east-1.amazonaws.com/elsewhere',
    ]);
    const first = await run({ config });
    expect(first.code).toBe(0);
    expect(first.out).toContain('rule drawbridge-ecr-push (bus default, eu-west-1): created');
    expect(first.out).toContain(`target drawbridge-sqs -> ${queueArn}: created`);
    expect(first.out).toContain(
      '"aws:SourceArn": "arn:aws:events:eu-west-1:123456789012:rule/drawbridge-ecr-push"',
    );
    expect(first.err).toMatch(/img1: repository is in us-east-1/);
    expect(emulator.server.calls('PutRule')).toBe(1);
    expect(emulator.server.calls('PutTargets')).toBe(1);

    emulator.server.resetCalls();
    const second = await run({ config });
    expect(second.code).toBe(0);
    expect(writes()).toBe(0);
    expect(emulator.server.calls('DescribeRule')).toBe(1);
    expect(second.out).toContain('unchanged');

    emulator.server.resetCalls();
    const changed = await writeConfig('main.yaml', [
      'eu-west-1.amazonaws.com/team/api',
      'eu-west-1.amazonaws.com/team/web',
    ]);
    const third = await run({ config: changed });
    expect(third.code).toBe(0);
    expect(third.out).toContain('rule drawbridge-ecr-push (bus default, eu-west-1): updated');
    expect(emulator.server.calls('PutRule')).toBe(1);
    expect(emulator.server.calls('PutTargets')).toBe(0);
    const rule = emulator.events.rules.findRule('drawbridge-ecr-push');
    expect(JSON.parse(rule?.eventPattern ?? '{}').detail['repository-name']).toEqual([
      'team/api',
      'team/web',
    ]);

    // The rule now routes real ECR pushes of the new repository to the queue.
    const before = emulator.sqs.queue('drawbridge-ecr').messages.length;
    emulator.events.publish({
      source: 'aws.ecr',
      detailType: 'ECR Image Action',
      detail: {
        'action-type': 'PUSH',
        result: 'SUCCESS',
        'repository-name': 'team/web',
        'image-tag': '2.0.0',
      },
    });
    expect(emulator.sqs.queue('drawbridge-ecr').messages.length).toBe(before + 1);

    emulator.server.resetCalls();
    const other = emulator.sqs.createQueue('other-queue');
    const retarget = await run({ config: changed, queueArn: other.arn });
    expect(retarget.code).toBe(0);
    expect(emulator.server.calls('PutRule')).toBe(0);
    expect(emulator.server.calls('PutTargets')).toBe(1);
    expect(emulator.events.rules.listTargets('drawbridge-ecr-push')).toEqual([
      { Id: 'drawbridge-sqs', Arn: other.arn },
    ]);

    emulator.server.resetCalls();
    const dry = await run({ config: changed, dryRun: true });
    expect((JSON.parse(dry.out) as DryRunReport).calls.map((call) => call.operation)).toEqual(['PutTargets']);
    expect(writes()).toBe(0);
  });

  it('needs a queue: exit 2 with a hint', async () => {
    const config = await writeConfig('noqueue.yaml', ['eu-west-1.amazonaws.com/team/api'], false);
    const result = await run({ config });
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/events\.sqs\.queueUrl.*--queue-arn/);
  });

  it('exits 1 with a hint when EventBridge keeps failing', async () => {
    const config = await writeConfig('throttled.yaml', ['eu-west-1.amazonaws.com/team/api']);
    emulator.faults.throttleNext(10, 'DescribeRule');
    vi.stubEnv('AWS_MAX_ATTEMPTS', '1');
    try {
      const result = await run({ config, ruleName: 'throttled' });
      expect(result.code).toBe(1);
      expect(result.err).toMatch(/DescribeRule failed: ThrottlingException/);
      expect(result.err).toMatch(/hint:/);
      expect(writes()).toBe(0);
    } finally {
      emulator.faults.clear();
      vi.stubEnv('AWS_MAX_ATTEMPTS', '3');
    }
  });
});
