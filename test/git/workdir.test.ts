import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitError } from '../../src/errors.js';
import type { GitSpawner } from '../../src/git/launcher.js';
import { resolveRemoteUrl } from '../../src/git/workdir.js';
import { openWorkspace } from '../../src/git/workspace.js';
import { createLogger } from '../../src/log/logger.js';

const REFUSED = [
  'git://git.example/acme/fleet.git',
  'foo://git.example/acme/fleet.git',
  'ext::sh -c touch% /tmp/pwned',
  'fd::0,1',
  'HTTPS://git.example/acme/fleet.git',
  'file://fleet.git',
  'ssh://-oProxyCommand=touch%20x/fleet.git',
];

describe('resolveRemoteUrl', () => {
  it.each([
    ['https://git.example/acme/fleet.git', 'https://git.example/acme/fleet.git'],
    ['http://git.example/acme/fleet.git', 'http://git.example/acme/fleet.git'],
    ['ssh://git@git.example/acme/fleet.git', 'ssh://git@git.example/acme/fleet.git'],
    ['git@git.example:acme/fleet.git', 'git@git.example:acme/fleet.git'],
    ['file:///srv/fleet.git', 'file:///srv/fleet.git'],
    ['/srv/fleet.git', '/srv/fleet.git'],
    ['../fleet.git', '/etc/fleet.git'],
    ['./odd:name.git', '/etc/drawbridge/odd:name.git'],
  ])('passes %s on as %s', (url, resolved) => {
    expect(resolveRemoteUrl(url, '/etc/drawbridge')).toBe(resolved);
  });

  it.each(REFUSED)('refuses %s instead of reading it as a path', (url) => {
    expect(() => resolveRemoteUrl(url, '/etc/drawbridge')).toThrow(GitError);
    expect(() => resolveRemoteUrl(url, '/etc/drawbridge')).toThrow(/^refusing the remote URL: /);
  });
});

describe('a refused URL never reaches git', () => {
  let workdir: string;
  beforeAll(async () => {
    workdir = await mkdtemp(join(tmpdir(), 'drawbridge-refused-'));
  });
  afterAll(async () => {
    await rm(workdir, { recursive: true, force: true });
  });

  it.each(REFUSED)('openWorkspace(%s) spawns nothing and creates nothing', async (url) => {
    const spawned: string[][] = [];
    const commands: string[] = [];
    const spawner: GitSpawner = (invocation) => {
      spawned.push([...invocation.args]);
      return Promise.reject(new Error('git must not run'));
    };
    const logger = createLogger({
      destination: new Writable({
        write(_chunk, _encoding, callback) {
          callback();
        },
      }),
    });
    const opening = openWorkspace({
      url,
      workdir,
      author: { name: 'drawbridge', email: 'drawbridge@localhost' },
      env: {},
      logger,
      spawner,
      onCommand: (command) => commands.push(command),
    });
    await expect(opening).rejects.toBeInstanceOf(GitError);
    expect(spawned).toEqual([]);
    expect(commands).toEqual([]);
    expect(await readdir(workdir)).toEqual([]);
  });
});
