import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon, type DaemonPieces } from '../../src/daemon/daemon.js';
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/log/logger.js';
import { FakeReconciler, repo } from './fakes.js';

const yaml = (schedule: string, environment = 'dev'): string => `version: 1
git: { url: file:///nowhere.git }
images:
  web: { repository: ${repo('team/web')} }
environments:
  ${environment}: { branch: ${environment}, policies: { web: { semver: '*' } } }
schedule: '${schedule}'
server: { port: 0, host: 127.0.0.1 }
`;

let dir: string;
let file: string;
let daemon: Daemon | undefined;
let logs: string[];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'drawbridge-reload-'));
  file = join(dir, 'drawbridge.yaml');
  logs = [];
});

afterEach(async () => {
  await daemon?.stop('test over');
  daemon = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function start(watchConfig: boolean) {
  await writeFile(file, yaml('*/5 * * * *'));
  const first = new FakeReconciler();
  const built: FakeReconciler[] = [];
  const reload = async (): Promise<DaemonPieces> => {
    const { config } = await loadConfig({ path: file, env: {}, cwd: dir });
    const reconciler = new FakeReconciler();
    built.push(reconciler);
    return { config, reconciler };
  };
  const logger = createLogger({
    level: 'info',
    destination: new Writable({
      write(chunk: Buffer, _encoding, callback) {
        logs.push(chunk.toString());
        callback();
      },
    }),
  });
  const { config } = await loadConfig({ path: file, env: {}, cwd: dir });
  daemon = await startDaemon({
    config,
    configFile: file,
    reconciler: first,
    logger,
    reload,
    watchConfig,
    startupSweep: false,
  });
  return { daemon, first, built };
}

describe('reload', () => {
  it('keeps the old config and reconciler when the new config is invalid, and says why', async () => {
    const { daemon, first, built } = await start(false);
    await writeFile(file, yaml('not a cron').replace('semver', 'semverr'));
    expect(await daemon.reload()).toBe(false);
    await daemon.triggerSweep();
    expect(first.calls).toHaveLength(1);
    expect(built).toHaveLength(0);
    const line = logs.find((l) => l.includes('new config rejected'));
    expect(line).toBeDefined();
    expect(line).toContain('semverr');
  });

  it('swaps in the new config and reconciler when it is valid', async () => {
    const { daemon, first, built } = await start(false);
    await writeFile(file, yaml('*/10 * * * *', 'qa'));
    expect(await daemon.reload()).toBe(true);
    await daemon.triggerSweep();
    expect(first.calls).toHaveLength(0);
    expect(built[0]?.calls).toEqual([{ environments: ['qa'], trigger: 'manual' }]);
  });

  it('waits for the reconciliation in flight before swapping', async () => {
    const { daemon, first, built } = await start(false);
    const release = first.hold();
    const sweep = daemon.triggerSweep();
    await first.started(1);
    await writeFile(file, yaml('*/10 * * * *'));
    let reloaded = false;
    const reloading = daemon.reload().then((ok) => {
      reloaded = ok;
    });
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 0));
    expect(built).toHaveLength(0);
    release();
    await Promise.all([sweep, reloading]);
    expect(reloaded).toBe(true);
  });

  it('reloads when the config file changes', async () => {
    const { built } = await start(true);
    await writeFile(file, yaml('*/7 * * * *'));
    const deadline = Date.now() + 10_000;
    while (built.length === 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(built).toHaveLength(1);
    expect(logs.some((l) => l.includes('config reloaded'))).toBe(true);
  });
});
