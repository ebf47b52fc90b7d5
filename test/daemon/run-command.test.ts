import { EventEmitter } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/io.js';
import { runCommand } from '../../src/cli/commands/run.js';
import { EVENTS_TOKEN, createWorld, pushTag, type World } from './e2e.js';

let world: World;

beforeAll(async () => {
  world = await createWorld(1);
}, 60_000);

afterAll(async () => {
  await world.close();
});

/** Log lines as they come; waitFor resolves with the first line containing every text. */
function capture(): { io: CliIO; lines: string[]; waitFor: (...texts: string[]) => Promise<string> } {
  const lines: string[] = [];
  const waiters: { texts: string[]; resolve: (line: string) => void }[] = [];
  const matches = (line: string, texts: readonly string[]): boolean =>
    texts.every((text) => line.includes(text));
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        lines.push(line);
        for (const waiter of waiters.filter((w) => matches(line, w.texts))) waiter.resolve(line);
      }
      callback();
    },
  });
  const io: CliIO = { stdout: stream, stderr: stream, env: world.env, cwd: world.remote.root };
  return {
    io,
    lines,
    waitFor: (...texts) => {
      const seen = lines.find((line) => matches(line, texts));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ texts, resolve }));
    },
  };
}

async function writeConfig(name: string, body: Record<string, unknown>): Promise<string> {
  const file = join(world.remote.root, name);
  // JSON is YAML.
  await writeFile(file, JSON.stringify(body, null, 2));
  return file;
}

function configBody(): Record<string, unknown> {
  const [image = ''] = world.images;
  return {
    version: 1,
    git: { url: world.remote.url, workdir: 'run-workdir' },
    aws: { region: world.emulator.region, endpoint: world.emulator.endpoint },
    images: { [image]: { repository: world.emulator.ecr.repositoryUri(world.repositoryName(image)) } },
    environments: { dev: { branch: 'dev', policies: { [image]: { semver: '*' } } } },
    schedule: '0 0 1 1 *',
    server: { port: 0, host: '127.0.0.1' },
    events: { http: { tokenEnv: 'DRAWBRIDGE_EVENTS_TOKEN' }, coalesce: '10ms' },
  };
}

describe('drawbridge run', () => {
  it('exits 2 on a bad config', async () => {
    const file = await writeConfig('bad.yaml', { version: 2 });
    const { io, lines } = capture();
    expect(await runCommand({ config: file }, io, new EventEmitter())).toBe(2);
    expect(lines.join('\n')).toContain('bad.yaml');
  });

  it('exits 2 when the events endpoint has no secret, before touching Git', async () => {
    const file = await writeConfig('no-token.yaml', configBody());
    const { io, lines } = capture();
    const env = { ...io.env };
    delete env['DRAWBRIDGE_EVENTS_TOKEN'];
    expect(await runCommand({ config: file }, { ...io, env }, new EventEmitter())).toBe(2);
    expect(lines.join('\n')).toContain('DRAWBRIDGE_EVENTS_TOKEN is not set');
    expect(lines.join('\n')).not.toContain('cloning');
  });

  it('exits 2 when the events token is short or the placeholder config/kubernetes once shipped', async () => {
    const file = await writeConfig('weak-token.yaml', configBody());
    for (const [token, problem] of [
      ['0123456789abcdef', 'is shorter than 32 bytes'],
      ['REPLACE-WITH-A-LONG-RANDOM-TOKEN', 'is a placeholder'],
    ] as const) {
      const { io, lines } = capture();
      const env = { ...io.env, DRAWBRIDGE_EVENTS_TOKEN: token };
      expect(await runCommand({ config: file }, { ...io, env }, new EventEmitter())).toBe(2);
      const output = lines.join('\n');
      expect(output).toContain(`the token in DRAWBRIDGE_EVENTS_TOKEN ${problem}`);
      expect(output).not.toContain(token);
      expect(output).not.toContain('cloning');
    }
  });

  it('runs until SIGTERM: events commit despite throttling, SIGHUP reloads, the token never reaches a log', async () => {
    const file = await writeConfig('drawbridge.yaml', configBody());
    const { io, lines, waitFor } = capture();
    const signals = new EventEmitter();
    const exit = runCommand({ config: file, logLevel: 'debug' }, io, signals);
    const started = JSON.parse(await waitFor('daemon started')) as { url: string };
    await waitFor('"trigger":"startup"', '"msg":"reconciled"');

    const [image = ''] = world.images;
    const event = pushTag(world, image, '2.0.0');
    // ECR throttles the rescan: the SDK's retries absorb it and the metrics count it.
    world.emulator.faults.throttleNext(2, 'DescribeImages');
    const res = await fetch(`${started.url}/events/ecr`, {
      method: 'POST',
      body: event,
      headers: { 'x-drawbridge-token': EVENTS_TOKEN },
    });
    expect(res.status).toBe(202);
    const updated = JSON.parse(
      await waitFor('"component":"daemon"', '"trigger":"event"', '"msg":"image updated"'),
    ) as Record<string, unknown>;
    expect(updated).toMatchObject({ msg: 'image updated', environment: 'dev', image, new: '2.0.0' });
    expect(await world.tagInGit(image)).toBe('2.0.0');
    const metrics = await (await fetch(`${started.url}/metrics`)).text();
    expect(metrics).toContain('drawbridge_ecr_calls_total{operation="DescribeImages",outcome="throttled"} 2');
    expect(metrics).toContain('drawbridge_commits_total{environment="dev",repository="default"} 1');
    expect(metrics).toContain(
      'drawbridge_pushes_total{environment="dev",repository="default",outcome="pushed"} 1',
    );
    expect(metrics).toContain('process_resident_memory_bytes');

    signals.emit('SIGHUP');
    await waitFor('config reloaded');
    signals.emit('SIGTERM');
    expect(await exit).toBe(0);
    expect(lines.some((line) => line.includes('"msg":"stopped"'))).toBe(true);
    expect(lines.join('\n')).not.toContain(EVENTS_TOKEN);
  }, 60_000);
});
