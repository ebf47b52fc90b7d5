import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { isLoopback } from '../../src/cli/commands/status.js';
import { runTour } from '../../src/demo/tour.js';
import { captureIO, memoryStream } from '../helpers/io.js';

/** process.env without a single AWS_* variable (and git's global config out of the way). */
function envWithoutAws(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { GIT_CONFIG_GLOBAL: '/dev/null' };
  for (const [key, value] of Object.entries(process.env))
    if (!key.startsWith('AWS_') && key !== 'GIT_CONFIG_GLOBAL') env[key] = value;
  return env;
}

const STACK_FRAME = /^\s+at .+[:(]/m;

describe('drawbridge demo output', () => {
  it(
    'off a terminal keeps the story on stdout and the daemon logs on stderr',
    { timeout: 120_000 },
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'drawbridge-demo-streams-'));
      try {
        const io = captureIO({ env: envWithoutAws() });
        expect(await runCli(['demo', '--dir', dir], io)).toBe(0);
        const story = io.out();
        expect(story).toContain('deploy(dev): podinfo 6.0.1 → 6.1.0');
        expect(story).toContain('the daemon logs go to stderr');
        expect(story).toContain('drawbridge demo --keep-running keeps the emulator up');
        expect(story).not.toContain('"level"');
        expect(story.split('\n').filter((line) => line.startsWith('{'))).toEqual([]);

        const logs = io
          .err()
          .split('\n')
          .filter((line) => line.startsWith('{'));
        expect(logs.length).toBeGreaterThan(3);
        const messages = logs.map((line) => (JSON.parse(line) as { msg: string }).msg);
        expect(messages).toContain('the daemon logs look like this');
        expect(messages).toContain('daemon started');
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );

  it(
    '`drawbridge status` against the demo config works as printed, with no AWS_* variables',
    { timeout: 120_000 },
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'drawbridge-demo-status-'));
      const story = memoryStream();
      const logs = memoryStream();
      let status: ReturnType<typeof captureIO> | undefined;
      let code: number | undefined;
      try {
        await runTour({
          dir,
          keepRunning: true,
          out: story.stream,
          logs: logs.stream,
          env: envWithoutAws(),
          untilStopped: async () => {
            // What the story prints to run, run as printed.
            const printed = /^\s+DRAWBRIDGE_DEMO_GITHUB_TOKEN=(\S+) (drawbridge status --config \S+)/m.exec(
              story.text(),
            );
            expect(printed).not.toBeNull();
            expect(story.text()).toContain('no AWS credentials needed');
            const args = printed![2]!.split(' ').slice(1);
            status = captureIO({
              env: { ...envWithoutAws(), DRAWBRIDGE_DEMO_GITHUB_TOKEN: printed![1] },
              cwd: dir,
            });
            code = await runCli(args, status);
          },
        });
        expect(status!.err()).not.toMatch(STACK_FRAME);
        expect(status!.err()).not.toMatch(/CredentialsProviderError|registry error/);
        const table = status!.out();
        expect(table).not.toContain('registry error');
        expect(table).toMatch(/^ENVIRONMENT\s+IMAGE\s+IN GIT\s+NEXT\s+WHY/);
        expect(table).toMatch(/dev\s+podinfo\s+6\.1\.1\s+6\.1\.1\s+up to date/);
        expect(table).toMatch(/prod\s+web\s+1\.4\.2\s+1\.4\.2\s+up to date/);
        expect(code).toBe(0);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );

  it('`drawbridge status` prints no stack trace when ECR credentials are missing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'drawbridge-status-nocreds-'));
    try {
      const { writeFile } = await import('node:fs/promises');
      const { createTestRemote } = await import('../helpers/git.js');
      const remote = await createTestRemote({ main: { 'apps/app.yaml': 'a: 1\n' } });
      try {
        const config = join(dir, 'drawbridge.yaml');
        await writeFile(
          config,
          [
            'version: 1',
            `git: { url: ${remote.url}, author: { name: d, email: d@x.test }, workdir: ./work }`,
            // An unroutable endpoint that is not this machine: no placeholder keys.
            'aws: { region: eu-west-1, endpoint: "http://192.0.2.1:9" }',
            'images:',
            '  podinfo: { repository: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/podinfo }',
            'environments:',
            "  prod: { branch: main, policies: { podinfo: { semver: '^6.0.0' } } }",
            '',
          ].join('\n'),
        );
        const env = {
          ...envWithoutAws(),
          // Keep the chain from finding anything on this machine or asking instance metadata.
          AWS_CONFIG_FILE: join(dir, 'none'),
          AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'),
          AWS_EC2_METADATA_DISABLED: 'true',
        };
        for (const command of ['status', 'scan']) {
          const io = captureIO({ env, cwd: dir });
          const saved = { ...process.env };
          for (const [key, value] of Object.entries(env))
            if (key.startsWith('AWS_')) process.env[key] = value;
          for (const key of Object.keys(process.env))
            if (key.startsWith('AWS_') && !(key in env)) delete process.env[key];
          let code: number;
          try {
            code = await runCli([command, '--config', config], io);
          } finally {
            for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
            Object.assign(process.env, saved);
          }
          expect(code, command).toBe(1);
          expect(io.out(), command).toMatch(
            command === 'status'
              ? /prod\s+podinfo\s+\S+\s+-\s+registry error: .*CredentialsProviderError/
              : /registry: podinfo .*CredentialsProviderError/,
          );
          // Every ECR read failed: the summary says so, never `up to date`.
          if (command === 'scan')
            expect(io.out()).toMatch(/^prod \(main\): not checked: the registry could not be read$/m);
          expect(io.err(), command).not.toMatch(STACK_FRAME);
          expect(io.err(), command).not.toContain('"stack"');
          const lines = io
            .err()
            .split('\n')
            .filter((line) => line.startsWith('{'));
          expect(lines, command).toHaveLength(1);
          expect(JSON.parse(lines[0]!)).toMatchObject({
            msg: 'cannot read repository',
            err: { code: 'CredentialsProviderError', hint: expect.stringContaining('no AWS credentials') },
          });
        }
      } finally {
        await remote.cleanup();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('treats only this machine as an emulator endpoint', () => {
    for (const local of [
      'http://127.0.0.1:4566',
      'http://localhost:1234',
      'http://[::1]:80',
      'http://x.localhost',
    ])
      expect(isLoopback(local)).toBe(true);
    for (const remote of [
      'https://api.ecr.eu-west-1.amazonaws.com',
      'https://vpce-1.api.ecr.eu-west-1.vpce.amazonaws.com',
      'http://127.0.0.1.example.com',
      'not a url',
    ])
      expect(isLoopback(remote)).toBe(false);
  });
});
