/** A bare remote with one `prod` environment on `main`, and the CLI run against it as a named person. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../../src/cli/program.js';
import { createTestRemote, isolatedGitEnv, type TestRemote } from './git.js';
import { captureIO } from './io.js';

export interface HoldRemote {
  readonly remote: TestRemote;
  readonly config: string;
  /** Runs `drawbridge ARGS --config CONFIG` as `actor` (DRAWBRIDGE_ACTOR). */
  readonly cli: (actor: string, ...args: string[]) => Promise<{ code: number; out: string; err: string }>;
}

export async function createHoldRemote(): Promise<HoldRemote> {
  const remote = await createTestRemote({ main: { 'clusters/prod/app.yaml': 'a: 1\n' } });
  const config = join(remote.root, 'drawbridge.yaml');
  await writeFile(
    config,
    [
      'version: 1',
      'git:',
      `  url: ${remote.url}`,
      '  author: { name: drawbridge, email: drawbridge@acme.test }',
      '  workdir: ./workdir',
      'images:',
      '  podinfo: { repository: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/podinfo }',
      '  api: { repository: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/api }',
      'environments:',
      '  prod:',
      '    branch: main',
      '    paths: [clusters/prod]',
      "    policies: { podinfo: { semver: '^6.0.0' }, api: { newest: pushed } }",
      '',
    ].join('\n'),
  );
  return {
    remote,
    config,
    cli: async (actor, ...args) => {
      const io = captureIO({ env: isolatedGitEnv({ DRAWBRIDGE_ACTOR: actor }), cwd: '/' });
      const code = await runCli([...args, '--config', config], io);
      return { code, out: io.out(), err: io.err() };
    },
  };
}
